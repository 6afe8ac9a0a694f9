"""Issue 12, item 3 for meeting-plan imports: a date outside the calendar's years (1990–2100) is
refused by its row number with the range named, and nothing is written."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import sqlalchemy as sa

from sagsgang.cli.main import main
from sagsgang.meetingplans import reading
from sagsgang.meetingplans.reading import PlanFileError, read_plan
from tests import configured


@pytest.mark.parametrize("written", ["01-01-1800", "2200-06-24", "24. juni 9999", "31.12.1989", "1.1.2101"])
def test_a_date_outside_the_calendar_years_is_refused_by_row_with_the_range(slagelse, written):
    with pytest.raises(PlanFileError) as raised:
        read_plan("plan.csv", f"Dato;Tid\n24-06-2027;18:00\n{written};18:00\n".encode(), slagelse, "byraadet")
    (problem,) = raised.value.problems
    assert problem.row == 3 and "1990–2100" in problem.message


def test_an_ics_event_in_1800_is_refused_by_its_number(slagelse):
    calendar = icalendar.Calendar()
    for number, year in enumerate((2027, 1800), start=1):
        event = icalendar.Event()
        event.add("uid", f"{number}@test")
        event.add("summary", "Byrådet")
        event.add("dtstart", dt.datetime(year, 6, 24, 18, 0))
        calendar.add_component(event)
    with pytest.raises(PlanFileError) as raised:
        read_plan("plan.ics", calendar.to_ical(), slagelse)
    assert [p.row for p in raised.value.problems] == [2]
    assert "1990–2100" in str(raised.value)


def test_a_file_with_more_meetings_than_the_limit_is_refused_before_they_are_read(slagelse, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    lines = "".join(f"{day:02d}-06-2027;18:00\n" for day in range(1, 5))
    with pytest.raises(PlanFileError) as raised:
        read_plan("plan.csv", f"Dato;Tid\n{lines}".encode(), slagelse, "byraadet")
    assert "højst 3" in str(raised.value)


def test_the_command_writes_nothing_for_a_date_in_1800(database, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    path = tmp_path / "plan.csv"
    path.write_text("Dato;Tid\n30-03-2027;18:00\n01-01-1800;18:00\n", encoding="utf-8")
    before = meetings()
    code = main(["mødeplan", "indlæs", str(path), "--kommune", "slagelse", "--organ", "byraadet", "--gem"])
    _, err = capsys.readouterr()
    assert code == 2 and "Række 3" in err and "1990–2100" in err and "intet er gemt" in err
    assert meetings() == before


def meetings() -> list[tuple]:
    with configured.engine().connect() as connection:
        return connection.execute(sa.text("SELECT * FROM meetings ORDER BY id")).all()
