"""`sagsgang mødeplan indlæs`: Slagelse's council plan for spring 2027 from real .csv, .xlsx and .ics
files made here, compared with the meetings the profile's cadence put in the database.

By the profile the council (Byrådet) meets the last Monday of the month at 18:00: in 2027 on
tirsdag 30. marts (29 March is 2. påskedag), mandag 26. april, mandag 31. maj and mandag 28. juni.
The case launched on 1 March 2027 reaches the council on 31 May.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import openpyxl
import pytest
import sqlalchemy as sa

from sagsgang.cli.main import main
from sagsgang.meetingplans.reading import PlanFileError, read_plan
from tests import configured
from tests.lifecycle_world import J, launch, plan_of

CSV_HEADER = "Dato;Kl.;Sted\r\n"


@pytest.fixture
def world(database, monkeypatch, tmp_path):
    monkeypatch.setenv("SAGSGANG_ORCHESTRATION", "inline")
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    launch()
    yield tmp_path


def council() -> list[tuple[str, dt.date, str, str]]:
    with configured.engine().connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT m.key, m.day, m.status, m.place FROM meetings m JOIN bodies b ON b.id = m.body_id "
                "WHERE b.key = 'byraadet' AND m.day BETWEEN '2027-03-01' AND '2027-07-31' ORDER BY m.day"
            )
        ).all()
    return [(key, dt.date.fromisoformat(str(day)), status, place) for key, day, status, place in rows]


def all_rows() -> dict[str, list[tuple]]:
    with configured.engine().connect() as connection:
        return {
            table: connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("meetings", "consultations", "bodies", "cases")
        }


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["mødeplan", "indlæs", *args, "--kommune", "slagelse"])
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, lines: str, bom: bool = True) -> str:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + lines.encode("utf-8"))
    return str(path)


def test_a_dry_run_lists_the_moves_and_the_case_to_replan_and_writes_nothing(world, capsys):
    before = all_rows()
    file = write_csv(
        world / "byraad.csv",
        CSV_HEADER + "30-03-2027;18:00;Rådhuset, byrådssalen\r\n26.4.2027;18:00;\r\n"
        '"27. maj 2027";17.00;Byrådssalen\r\n2027-06-28;;\r\n',
    )
    code, out, err = run(capsys, file, "--organ", "byraadet")
    assert code == 0, err
    assert "Byrådet: mandag 31. maj 2027 → torsdag 27. maj 2027 kl. 17:00, Byrådssalen (række 4)" in out
    assert "1 sag planlægges igen" in out
    assert f"Sager der planlægges igen: {J}" in out
    assert "Møder: 0 nye, 1 flyttede, 0 ændrede, 0 aflyste, 3 uændrede." in out
    assert "Intet er gemt" in out
    assert all_rows() == before


def test_gem_stores_an_excel_plan_in_one_go_and_replans_the_case(world, capsys):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Dato", "Tid", "Sted", "Organ"])
    sheet.append([dt.datetime(2027, 3, 30), dt.time(18, 0), "Rådhuset, byrådssalen", "Byrådet"])
    # April's meeting is gone from the plan; May's moves to Thursday; a new meeting on 10 June.
    sheet.append([dt.datetime(2027, 5, 27), dt.time(17, 0), "Byrådssalen", "byraadet"])
    sheet.append([dt.datetime(2027, 6, 10), dt.time(19, 30), "Slagelse Bibliotek", "Byrådet"])
    sheet.append([dt.datetime(2027, 6, 28), dt.time(18, 0), "Rådhuset, byrådssalen", "Byrådet"])
    path = world / "mødeplan 2027.xlsx"
    workbook.save(path)

    code, out, err = run(capsys, str(path), "--gem")
    assert code == 0, err
    assert "Mødeplanen er gemt." in out
    assert council() == [
        ("byraadet/2027-03-30", dt.date(2027, 3, 30), "planlagt", "Rådhuset, byrådssalen"),
        ("byraadet/2027-04-26", dt.date(2027, 4, 26), "aflyst", "Rådhuset, byrådssalen"),
        ("byraadet/2027-05-31", dt.date(2027, 5, 27), "planlagt", "Byrådssalen"),
        ("byraadet/2027-06-10", dt.date(2027, 6, 10), "planlagt", "Slagelse Bibliotek"),
        ("byraadet/2027-06-28", dt.date(2027, 6, 28), "planlagt", "Rådhuset, byrådssalen"),
    ]
    assert plan_of()[-1][0] == "byraadet" and plan_of()[-1][2] == dt.date(2027, 5, 27)
    assert f"Sagen {J} er planlagt igen:" in out

    code, out, _ = run(capsys, str(path))  # the same file again: nothing left to change
    assert code == 0 and "Møder: 0 nye, 0 flyttede, 0 ændrede, 0 aflyste, 4 uændrede." in out


def test_an_outlook_calendar_file_with_a_cancelled_event(world, capsys):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Outlook//DA")
    calendar.add("version", "2.0")
    copenhagen = dt.timezone(dt.timedelta(hours=2))  # summer time, as Outlook writes it with a TZID
    for number, (day, status) in enumerate([(dt.date(2027, 5, 31), "CONFIRMED"), (dt.date(2027, 6, 28), "CANCELLED")]):
        event = icalendar.Event()
        event.add("uid", f"byraad-{number}@outlook")
        event.add("summary", "Byrådet")
        event.add("dtstart", dt.datetime.combine(day, dt.time(16, 0), copenhagen))
        event.add("location", "Rådhuset, byrådssalen")
        event.add("status", status)
        calendar.add_component(event)
    path = world / "byraad.ics"
    path.write_bytes(calendar.to_ical())

    code, out, err = run(capsys, str(path))
    assert code == 0, err
    # One meeting left in the file's period (31 May only): the time changes, nothing is cancelled.
    assert "Ændrede møder (1):" in out
    assert "Byrådet: mandag 31. maj 2027 kl. 16:00 (før kl. 18:00), Rådhuset, byrådssalen (række 1)" in out


def test_bad_rows_are_reported_by_number_and_nothing_is_written(world, capsys):
    before = all_rows()
    file = write_csv(
        world / "plan.csv",
        "Dato,Tid,Sted,Udvalg\n30-03-2027,18:00,Rådhuset,Byrådet\n31-02-2027,18:00,,Byrådet\n"
        "26-04-2027,18:00,,Teknisk Udvalg\n31-05-2027,halv syv,,Byrådet\n",
        bom=False,
    )
    code, out, err = run(capsys, file, "--gem")
    assert code == 2 and out == ""
    assert "intet er gemt" in err
    assert "Række 3: '31-02-2027' findes ikke i kalenderen." in err
    assert "Række 4: Organet 'Teknisk Udvalg' findes ikke i Slagelse Kommune." in err
    assert "Række 5: 'halv syv' er ikke et klokkeslæt." in err
    assert "Række 2" not in err
    assert all_rows() == before


def test_a_meeting_on_a_holiday_needs_confirmation(world, capsys):
    file = write_csv(world / "plan.csv", CSV_HEADER + "25-03-2027;18:00;Rådhuset, byrådssalen\r\n")
    before = all_rows()
    code, _, err = run(capsys, file, "--organ", "byraadet", "--gem")
    assert code == 2
    assert "Række 2: 25. marts 2027 er skærtorsdag (helligdag)" in err
    assert "--bekræft" in err
    assert all_rows() == before

    code, out, err = run(capsys, file, "--organ", "byraadet", "--gem", "--bekræft")
    assert code == 0, err
    assert ("byraadet/2027-03-30", dt.date(2027, 3, 25), "planlagt", "Rådhuset, byrådssalen") in council()


def test_saturdays_recesses_and_closing_days_are_flagged_too(world, capsys):
    file = write_csv(world / "plan.csv", CSV_HEADER + "26-06-2027;10:00;\r\n12-07-2027;18:00;\r\n28-12-2027;18:00;\r\n")
    code, out, err = run(capsys, file, "--organ", "byraadet")
    assert code == 0, err
    assert "Række 2: 26. juni 2027 er en lørdag" in out
    assert "Række 3: 12. juli 2027 ligger i sommerferie" in out
    assert "Række 4: 28. december 2027: Rådhuset lukket mellem jul og nytår (lukkedag)" in out


@pytest.mark.parametrize(
    "written",
    ["24-06-2027", "24.6.2027", "24/06/2027", "2027-06-24", "24. juni 2027", "torsdag 24. juni 2027", "24. Juni 2027"],
)
def test_danish_date_forms(slagelse, written):
    (row,) = read_plan("plan.csv", f"Dato;Tid\n{written};kl. 18\n".encode(), slagelse, "byraadet")
    assert (row.day, row.time, row.place) == (dt.date(2027, 6, 24), dt.time(18, 0), "Rådhuset, byrådssalen")


def test_a_file_without_a_body_column_needs_organ(slagelse):
    with pytest.raises(PlanFileError) as raised:
        read_plan("plan.csv", b"Dato\n24-06-2027\n", slagelse)
    assert str(raised.value).startswith("Række 2: Organet mangler.")


def test_an_unsupported_file_is_refused(world, capsys):
    path = world / "plan.docx"
    path.write_bytes(b"PK")
    code, _, err = run(capsys, str(path), "--organ", "byraadet")
    assert code == 2 and "hverken .xlsx, .csv eller .ics" in err
