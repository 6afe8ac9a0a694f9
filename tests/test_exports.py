"""Timetables and case lists for Word and Excel: `sagsgang plan … -o tidsplan.docx|.xlsx|.csv` and
`sagsgang sager eksport FIL`, each file opened again with python-docx, openpyxl or Python's csv
module as Word and Excel would read it. The plan is Slagelse's 'politisk' route from 1 March 2027.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import docx
import openpyxl
import pytest

from calendars.meetings import Schedule
from calendars.planner import plan
from calendars.profile_reader import load_profile
from sagsgang.cli.main import main
from sagsgang.publishing import timeline
from tests import lifecycle_world

PLAN_ARGS = ("plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027")


@pytest.fixture(scope="module")
def expected():
    """The plan's rows as the text table prints them (sagsgang.publishing.timeline)."""
    profile = load_profile("slagelse")
    ready = dt.date(2027, 3, 1)
    result = plan(profile.routes["politisk"], Schedule.for_period(profile, ready, dt.date(2030, 3, 1)), ready)
    return timeline.rows(result), timeline.constraints(result)


def write(tmp_path, capsys, name: str) -> object:
    out = tmp_path / name
    assert main([*PLAN_ARGS, "-o", str(out)]) == 0, capsys.readouterr().err
    return out


def test_the_timetable_in_word_is_the_dato_aktivitet_table(tmp_path, capsys, expected):
    rows, constraints = expected
    document = docx.Document(str(write(tmp_path, capsys, "tidsplan.docx")))
    (table,) = document.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["Dato", "Aktivitet", "Senest", "Luft"]
    assert len(cells) == len(rows) + 1
    assert cells[1][:2] == ["mandag 1. marts 2027", "Sagen er klar"]
    assert any(row[1].startswith("Deadline for sag til Direktionen") and row[3].isdigit() for row in cells[1:])
    assert cells[-1][1].startswith("Sag på møde i Byrådet")
    paragraphs = [p.text for p in document.paragraphs]
    assert "Helligdage, lukkedage og ferier i perioden" in paragraphs
    assert constraints and all(line in paragraphs for line in constraints)
    assert any("Påske" in line or "Kristi" in line or "Sommerferie" in line for line in constraints)
    assert document.sections[0].footer.paragraphs[0].text.startswith("Side ")


def test_the_timetable_in_excel_has_real_dates_danish_headers_and_a_frozen_header(tmp_path, capsys, expected):
    rows, constraints = expected
    sheet = openpyxl.load_workbook(write(tmp_path, capsys, "tidsplan.xlsx")).active
    assert [c.value for c in sheet[1]] == ["Dato", "Aktivitet", "Senest", "Luft (arbejdsdage)"]
    assert sheet.freeze_panes == "A2"
    first = sheet.cell(2, 1)
    assert first.is_date and first.value.date() == dt.date(2027, 3, 1) and first.number_format == "dd-mm-yyyy"
    days = [sheet.cell(r, 1).value.date() for r in range(2, len(rows) + 2)]
    assert days == [row.day for row in rows] == sorted(days)
    slack = [sheet.cell(r, 4).value for r in range(2, len(rows) + 2)]
    assert slack == [row.slack for row in rows] and any(isinstance(s, int) for s in slack)
    below = [sheet.cell(r, 1).value for r in range(len(rows) + 3, sheet.max_row + 1)]
    assert below[0] == "Slagelse Kommune: " + load_profile("slagelse").routes["politisk"].name
    assert below[1:] == constraints


def test_the_timetable_as_csv_opens_in_danish_excel(tmp_path, capsys, expected):
    rows, _ = expected
    data = write(tmp_path, capsys, "tidsplan.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel then reads æøå right
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Dato", "Aktivitet", "Senest", "Luft (arbejdsdage)"]
    assert lines[1][:2] == ["01-03-2027", "Sagen er klar"]
    assert len([line for line in lines[1:] if line and line[0][:2].isdigit()]) == len(rows)


def test_an_unknown_timetable_suffix_is_a_danish_error_and_writes_nothing(tmp_path, capsys):
    for name in ("tidsplan.odt", "tidsplan"):
        out = tmp_path / name
        assert main([*PLAN_ARGS, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "Filendelsen" in err and ".xlsx" in err and ".docx" in err
        assert not out.exists()


def test_the_case_list_exports_with_the_sager_pages_filters(database, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    lifecycle_world.launch("27.00.00-G01-1-27", title="Erhvervsstrategi 2027")
    lifecycle_world.launch("27.00.00-G01-2-27", title="Ny skolestruktur i Korsør", owner="jeko@slagelse.dk")
    lifecycle_world.launch("81.03.00-P20-7-27", title="Personalesag", closed_item=True)
    out = tmp_path / "sager.xlsx"
    assert main(["sager", "eksport", str(out), "--kommune", "slagelse"]) == 0, capsys.readouterr().err
    assert "3 sager" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["Journalnummer", "Titel", "Sagsbehandler"]
    assert sheet.freeze_panes == "A2"
    by_number = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(2, sheet.max_row + 1)}
    assert set(by_number) == {"27.00.00-G01-1-27", "27.00.00-G01-2-27", "81.03.00-P20-7-27"}
    assert by_number["81.03.00-P20-7-27"][7] == "ja"
    deadline = by_number["27.00.00-G01-1-27"][5]
    assert isinstance(deadline, dt.datetime) and deadline.date() >= dt.date(2027, 3, 1)

    mine = tmp_path / "mine.csv"
    assert main(["sager", "eksport", str(mine), "--kommune", "slagelse", "--ansvarlig", "jeko@slagelse.dk"]) == 0
    lines = list(csv.reader(io.StringIO(mine.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert [line[0] for line in lines[1:]] == ["27.00.00-G01-2-27"]

    assert main(["sager", "eksport", str(tmp_path / "sager.pdf"), "--kommune", "slagelse"]) == 2
    assert "Filendelsen" in capsys.readouterr().err


def test_the_sager_page_offers_its_list_as_excel_with_the_same_filters(database, monkeypatch):
    from fastapi.testclient import TestClient

    from tests import web_world

    lifecycle_world.launch("27.00.00-G01-1-27", title="Erhvervsstrategi 2027")
    lifecycle_world.launch("27.00.00-G01-2-27", title="Ny skolestruktur i Korsør", owner="jeko@slagelse.dk")
    client = TestClient(web_world.make_app(web_world.MovableClock(dt.date(2027, 3, 1))))
    assert client.get("/sager.xlsx", follow_redirects=False).status_code == 303  # login first
    web_world.login(client, web_world.SECRETARY)
    page = client.get("/sager", params={"ansvarlig": "jeko@slagelse.dk"}).text
    assert 'href="/sager.xlsx?organ=&amp;afdeling=&amp;ansvarlig=jeko%40slagelse.dk"' in page
    answer = client.get("/sager.xlsx", params={"ansvarlig": "jeko@slagelse.dk"})
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == ["27.00.00-G01-2-27"]
    everything = client.get("/sager.csv")
    assert everything.content.startswith(b"\xef\xbb\xbf") and everything.content.count(b"\r\n") == 3
    assert client.get("/sager.pdf").status_code == 404


def test_a_meetings_agenda_downloads_as_word_in_both_editions(database):
    from fastapi.testclient import TestClient

    from tests import web_world

    lifecycle_world.launch("27.00.00-G01-1-27", title="Erhvervsstrategi 2027")
    lifecycle_world.launch("81.03.00-P20-7-27", title="Personalesag: Fratrædelse", closed_item=True)
    body, _, day = lifecycle_world.plan_of("27.00.00-G01-1-27")[0]
    client = TestClient(web_world.make_app(web_world.MovableClock(dt.date(2027, 3, 1))))
    web_world.login(client, web_world.SECRETARY)
    key = next(k for k, b in load_profile("slagelse").bodies.items() if b.name == body or k == body)
    base = f"/moeder/slagelse/{key}/{day.isoformat()}"
    internal = client.get(f"{base}/dagsorden.docx")
    assert internal.status_code == 200, internal.text
    assert internal.headers["content-type"].startswith("application/vnd.openxmlformats")
    lines = [p.text for p in docx.Document(io.BytesIO(internal.content)).paragraphs]
    assert "Punkt 2: Erhvervsstrategi 2027" in lines
    assert any("Personalesag: Fratrædelse" in line for line in lines)
    public = client.get(f"{base}/dagsorden.docx", params={"offentlig": "ja"})
    lines = [p.text for p in docx.Document(io.BytesIO(public.content)).paragraphs]
    assert any(line.endswith(": Lukket punkt") for line in lines)
    assert not any("Personalesag" in line for line in lines)
    assert client.get(f"{base}/dagsorden.odt").status_code == 404
