"""The case page as a secretary works on it: the texts as the agenda prints them, material
received per stage, correcting the case with a preview of the new timetable and a change history
(also in the JSON API), and the case as Word, PDF, Excel and CSV files. Every write redirects
(Post/Redirect/Get), and bad input stores nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient

from tests.web_world import LAUNCH, MANAGER, SECRETARY, MovableClock, counts, login, make_app, text, token

CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def secretary(database, clock):
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        page = client.get("/sager/ny")
        launched = client.post(
            "/sager/ny",
            data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)},
            follow_redirects=False,
        )
        assert launched.status_code == 303
        yield client


def _timeline(html: str) -> list[str]:
    return [text(row) for row in re.findall(r'<tr class="fase-\w+">(.*?)</tr>', html, re.S)]


def _changes() -> int:
    from tests import configured

    with configured.engine().connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM case_changes").scalar_one()


def test_the_case_page_shows_its_texts_as_the_agenda_prints_them(secretary):
    page = text(secretary.get(CASE_PAGE).text)
    texts = page[page.index("Sagens tekster") : page.index("Historik")]
    assert "Anledning (20 min.) Byrådet bad om en ny strategi." in texts
    assert "Indstilling Administrationen indstiller, at strategien godkendes at den evalueres i 2029" in texts
    # …in the same words as the agenda of the case's first meeting.
    agenda = secretary.get("/moeder/slagelse/direktion/2027-03-09/dagsorden")
    assert "Anledning (20 min.)" in text(agenda.text) and "Byrådet bad om en ny strategi." in text(agenda.text)


def test_material_received_stops_the_reminders_and_a_reload_does_not_record_it_again(secretary):
    page = secretary.get(CASE_PAGE)
    assert "Materiale modtaget til Direktionen" in text(page.text)
    before = counts()["submissions"]
    response = secretary.post(
        f"{CASE_PAGE}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == CASE_PAGE + "?modtaget=direktion"
    shown = secretary.get(response.headers["location"])
    assert "Materialet til Direktionen er modtaget. Der kommer ikke flere påmindelser" in text(shown.text)
    assert "materiale afleveret" in _timeline(shown.text)[0].lower()
    assert "Materiale modtaget til Direktionen" not in text(shown.text)  # nothing left to receive
    assert counts()["submissions"] == before + 1
    secretary.get(response.headers["location"])  # a reload is a GET: nothing is recorded again
    assert counts()["submissions"] == before + 1
    again = secretary.post(f"{CASE_PAGE}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)})
    assert again.status_code == 400 and "allerede afleveret" in text(again.text)
    assert counts()["submissions"] == before + 1


def test_a_manager_may_not_receive_material_or_edit(database, clock):
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        page = client.get("/sager/ny")
        client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)})
        client.cookies.clear()
        login(client, MANAGER)
        page = client.get(CASE_PAGE)
        assert "Materiale modtaget til" not in page.text and "Ret sagen" not in page.text
        assert client.get(f"{CASE_PAGE}/ret").status_code == 403
        refused = client.post(f"{CASE_PAGE}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)})
        assert refused.status_code == 403
        assert counts()["submissions"] == 0


def test_the_case_officer_receives_their_own_material_whatever_their_role(database, clock):
    """The reminder mail sends the sagsbehandler to the case page: with a leder account they may
    press Materiale modtaget on their own case, and on no one else's."""
    from sagsgang.accounts import logins
    from tests import configured

    officer = ("anna@slagelse.dk", "sagsbehandler-kode-2027")
    with TestClient(make_app(clock)) as client:
        with configured.session_scope() as session:
            logins.create_user(session, officer[0], "leder", officer[1], "Anna Holm")
        login(client, SECRETARY)
        page = client.get("/sager/ny")
        for journal, email in (("27.00.00-G01-1-27", officer[0]), ("27.00.00-G01-2-27", "meha@slagelse.dk")):
            fields = {**LAUNCH, "journalnummer": journal, "sagsbehandler_email": email}
            client.post("/sager/ny", data={**fields, "handling": "start", "csrf_token": token(page.text)})
        client.cookies.clear()
        login(client, officer)
        other = "/sager/slagelse/27.00.00-G01-2-27"
        page = client.get(other)
        assert "Materiale modtaget til" not in text(page.text)
        refused = client.post(f"{other}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)})
        assert refused.status_code == 403 and "sagens sagsbehandler" in text(refused.text)
        assert counts()["submissions"] == 0

        page = client.get(CASE_PAGE)
        assert "Materiale modtaget til Direktionen" in text(page.text)
        done = client.post(
            f"{CASE_PAGE}/materiale",
            data={"organ": "direktion", "csrf_token": token(page.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert "Materialet til Direktionen er modtaget" in text(client.get(done.headers["location"]).text)
        assert counts()["submissions"] == 1
        assert "Ret sagen" not in text(page.text)  # still a leder otherwise


def test_editing_previews_the_new_timetable_then_saves_it_with_a_history(secretary):
    form_page = secretary.get(f"{CASE_PAGE}/ret")
    assert form_page.status_code == 200
    assert 'value="Erhvervsstrategi 2027–2030"' in form_page.text and 'value="2027-03-01"' in form_page.text
    first = _timeline(secretary.get(CASE_PAGE).text)[0]
    assert "9. marts 2027" in first  # Direktionen's first meeting
    before = counts()
    changed = {
        **{k: v for k, v in LAUNCH.items() if k != "kommune" and k != "journalnummer"},
        "titel": "Erhvervsstrategi 2027–2031",
        "klar": "15-03-2027",
        "csrf_token": token(form_page.text),
    }
    preview = secretary.post(f"{CASE_PAGE}/ret", data={**changed, "handling": "forhaandsvis"})
    assert preview.status_code == 200
    shown = text(preview.text)
    assert "Sådan bliver sagen planlagt, hvis du gemmer rettelserne" in shown
    assert "9. marts 2027" not in " ".join(_timeline(preview.text)[:1])  # ready later: a later meeting
    assert counts() == before and _changes() == 0  # a preview stores nothing
    assert "9. marts 2027" in _timeline(secretary.get(CASE_PAGE).text)[0]

    saved = secretary.post(f"{CASE_PAGE}/ret", data={**changed, "handling": "gem"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == CASE_PAGE + "?rettet=2"
    page = secretary.get(saved.headers["location"])
    shown = text(page.text)
    assert "Sagen er rettet (2 felter)" in shown
    assert "<h1>Erhvervsstrategi 2027–2031</h1>" in page.text
    assert _timeline(page.text)[0] == _timeline(preview.text)[0]  # saved as previewed
    history = shown[shown.index("Ændringer") :]
    assert "Mette Hansen (web) Titel Erhvervsstrategi 2027–2030 Erhvervsstrategi 2027–2031" in history
    assert "Mette Hansen (web) Sagen er klar 1. marts 2027 15. marts 2027" in history
    assert _changes() == 2


def test_bad_edits_are_refused_at_their_fields_and_store_nothing(secretary):
    form_page = secretary.get(f"{CASE_PAGE}/ret")
    data = {k: v for k, v in LAUNCH.items() if k not in ("kommune", "journalnummer")}
    for field, value, message in (
        ("titel", "", "Skriv sagens titel."),
        ("sagsbehandler_email", "meha@", "er ikke en gyldig e-mailadresse"),
        ("klar", "31-02-2027", "31-02-2027"),
        ("klar", "01-02-2027", "Sagen kan ikke blive klar før i dag"),
        ("rute", "ukendt", "Ruten 'ukendt' findes ikke"),
    ):
        response = secretary.post(
            f"{CASE_PAGE}/ret",
            data={**data, field: value, "handling": "gem", "csrf_token": token(form_page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 400, (field, value)
        assert message in text(response.text), (field, text(response.text))
    assert _changes() == 0
    assert "<h1>Erhvervsstrategi 2027–2030</h1>" in secretary.get(CASE_PAGE).text


def test_the_route_changes_only_before_the_first_decision(secretary, clock):
    form_page = secretary.get(f"{CASE_PAGE}/ret")
    data = {k: v for k, v in LAUNCH.items() if k not in ("kommune", "journalnummer")}
    other = re.findall(r'<option value="([^"]+)"', form_page.text.split('id="f-rute"')[1].split("</select>")[0])
    route = next(r for r in other if r != "politisk")
    clock.set(dt.date(2027, 3, 10))  # after Direktionen's meeting; sessions last a working day
    secretary.cookies.clear()
    login(secretary, SECRETARY)
    page = secretary.get(CASE_PAGE)
    decided = secretary.post(
        f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "godkendt", "csrf_token": token(page.text)}
    )
    assert "Beslutning registreret: Direktionen" in text(decided.text)
    before = _changes()  # the decision's own entry in the history
    refused = secretary.post(
        f"{CASE_PAGE}/ret",
        data={**data, "rute": route, "handling": "gem", "csrf_token": token(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 400 and "Ruten kan kun ændres, før et organ har behandlet sagen" in text(refused.text)
    assert _changes() == before


def test_the_api_edits_a_case_and_shows_its_history(secretary):
    headers = {"X-CSRF-Token": token(secretary.get("/sager").text)}
    preview = secretary.post(
        "/api/sager/slagelse/27.00.00-G01-1-27/rettelse/tidsplan", json={"klar": "15-03-2027"}, headers=headers
    )
    assert preview.status_code == 200 and _changes() == 0
    response = secretary.patch(
        "/api/sager/slagelse/27.00.00-G01-1-27", json={"afdeling": "Erhverv og Vækst"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["besked"].startswith("Sagen er rettet (1 felt)")
    case = secretary.get("/api/sager/slagelse/27.00.00-G01-1-27").json()
    assert case["afdeling"] == "Erhverv og Vækst"
    [change] = case["aendringer"]
    assert (change["felt"], change["foer"], change["efter"], change["kilde"]) == (
        "Afdeling",
        "Erhverv",
        "Erhverv og Vækst",
        "api",
    )
    bad = secretary.patch("/api/sager/slagelse/27.00.00-G01-1-27", json={"klar": "i morgen"}, headers=headers)
    assert bad.status_code == 422 and "klar" in bad.json()["fejl"]
    material = secretary.post(
        "/api/sager/slagelse/27.00.00-G01-1-27/materiale", json={"organ": "direktion"}, headers=headers
    )
    assert material.status_code == 200 and "Materialet til Direktionen er modtaget" in material.json()["besked"]


def test_the_case_and_its_timetable_download_as_word_excel_and_csv(secretary):
    import docx
    import openpyxl

    word = secretary.get(f"{CASE_PAGE}/sag.docx")
    assert word.status_code == 200 and word.headers["content-disposition"].endswith('.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert paragraphs[0] == "Erhvervsstrategi 2027–2030"
    assert "Anledning (20 min.)" in paragraphs and "1. at strategien godkendes" in paragraphs

    sheet = openpyxl.load_workbook(io.BytesIO(secretary.get(f"{CASE_PAGE}/tidsplan.xlsx").content)).active
    assert [c.value for c in sheet[1]][:4] == ["Status", "Organ", "Sagsfrist", "Møde"]
    assert sheet["B2"].value == "Direktionen" and sheet["D2"].value.date() == dt.date(2027, 3, 9)
    csv = secretary.get(f"{CASE_PAGE}/tidsplan.csv").content
    assert csv.startswith(b"\xef\xbb\xbf") and "Næste;Direktionen;" in csv.decode("utf-8-sig")
    table = docx.Document(io.BytesIO(secretary.get(f"{CASE_PAGE}/tidsplan.docx").content)).tables[0]
    assert table.rows[1].cells[1].text == "Direktionen"
    assert secretary.get(f"{CASE_PAGE}/tidsplan.exe").status_code == 404
    secretary.cookies.clear()
    assert secretary.get(f"{CASE_PAGE}/sag.docx", follow_redirects=False).status_code == 303  # to the login


def _docx() -> bytes:
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Program for dagen")
    document.save(out)
    return out.getvalue()


def test_an_attachment_is_checked_by_content_stored_by_hash_and_served_only_to_logged_in_users(secretary, tmp_path):
    import hashlib

    page = secretary.get(CASE_PAGE)
    upload = secretary.post(
        f"{CASE_PAGE}/bilag",
        data={"titel": "Program", "csrf_token": token(page.text)},
        files={"fil": ("program.docx", _docx(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert upload.status_code == 303 and upload.headers["location"] == CASE_PAGE + "?bilag=Program"
    shown = secretary.get(upload.headers["location"])
    assert "Bilaget 'Program' er vedhæftet sagen." in text(shown.text)
    link = re.search(r'<a href="(/bilag/[0-9a-f]{64}\.docx)">Program</a>', shown.text)
    assert link, "the case page links the bilag"
    digest = link.group(1).removeprefix("/bilag/").removesuffix(".docx")
    served = secretary.get(link.group(1))
    assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == digest
    assert (tmp_path / "home" / "bilag" / f"{digest}.docx").read_bytes() == served.content  # stored by its hash
    assert served.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "Bilag Program" in text(shown.text[shown.text.index("Ændringer") :])  # in the history

    # A file that only calls itself a PDF, or an empty one, is refused; nothing is stored.
    for name, content, message in (
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "er ikke et bilag, Sagsgang kan gemme"),
        ("tom.pdf", b"", "Vælg en fil"),
    ):
        refused = secretary.post(
            f"{CASE_PAGE}/bilag",
            data={"titel": "Andet", "csrf_token": token(page.text)},
            files={"fil": (name, content, "application/pdf")},
        )
        assert refused.status_code == 400 and message in text(refused.text)
    assert len(list((tmp_path / "home" / "bilag").iterdir())) == 1

    secretary.cookies.clear()
    assert secretary.get(link.group(1), follow_redirects=False).status_code == 303  # to the login


def test_an_attachment_over_the_size_limit_is_refused(database, clock, monkeypatch, tmp_path):
    monkeypatch.setenv("SAGSGANG_MAX_ATTACHMENT_MB", "1")
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        page = client.get("/sager/ny")
        client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)})
        page = client.get(CASE_PAGE)
        big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
        refused = client.post(
            f"{CASE_PAGE}/bilag",
            data={"titel": "Stor", "csrf_token": token(page.text)},
            files={"fil": ("stor.pdf", big, "application/pdf")},
        )
        assert refused.status_code == 400 and "Filen er for stor (højst 1 MB)." in text(refused.text)
        assert not (tmp_path / "home" / "bilag").exists()


@pytest.mark.e2e
def test_the_case_downloads_as_pdf_with_its_agenda_texts(secretary, tmp_path):
    import subprocess

    pdf = secretary.get(f"{CASE_PAGE}/sag.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "sag.pdf"
    path.write_bytes(pdf.content)
    # pdftotext (Debian's poppler-utils, installed by tests/e2e/run.sh) reads the PDF independently.
    shown = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Erhvervsstrategi 2027–2030" in shown and "Anledning (20 min.)" in shown
    assert "at strategien godkendes" in shown
