"""A case's wake-up time (cases.wake_at) and the wake-up flow's choice of cases, inline (no
Prefect): the service's `vaekning` runs the same function every five minutes.

Dates (tests/cases/test_lifecycle.py): Slagelse, route 'politisk', ready Monday 1 March 2027;
Direktionen's deadline Thursday 4 March 12:00, so the 1-day reminder is due Wednesday 3 March at
08:00 and the escalation of a missed deadline Friday 5 March at 08:00 (Copenhagen time).
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import select

from models.tables import Case
from sagsgang.cases import steps
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.cases.launch import LaunchRequest
from tests import configured

CPH = ZoneInfo("Europe/Copenhagen")
J1, J2 = "27.00.00-G01-1-27", "27.00.00-G01-2-27"


def local(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CPH)


def request(journal_number: str, ready: date = date(2027, 3, 1)) -> LaunchRequest:
    return LaunchRequest(
        municipality="slagelse",
        title="Erhvervsstrategi 2027",
        journal_number=journal_number,
        owner_name="Mette Hansen",
        owner_email="meha@slagelse.dk",
        manager_name="Lars Berg",
        manager_email="labe@slagelse.dk",
        route="politisk",
        ready=ready,
    )


def case_row(journal_number: str) -> Case:
    with configured.session_scope() as session:
        case = session.exec(select(Case).where(Case.journal_number == journal_number)).one()
        session.expunge(case)
        return case


def test_a_waiting_case_wakes_at_its_next_reminder_without_touching_its_version(database):
    inline = InlineOrchestrator(configured.settings())
    inline.launch(request(J1), local(date(2027, 3, 1), 9))
    launched = case_row(J1)
    assert launched.wake_at == local(date(2027, 3, 3), 8)

    inline.advance(J1, now=local(date(2027, 3, 1), 15))  # nothing new: the same wake-up time
    again = case_row(J1)
    assert again.wake_at == local(date(2027, 3, 3), 8)
    assert (again.version, again.updated_at) == (launched.version, launched.updated_at)


def test_the_wake_up_chooses_only_the_cases_whose_time_has_come(database):
    inline = InlineOrchestrator(configured.settings())
    inline.launch(request(J1), local(date(2027, 3, 1), 9))
    # Ready a week later: Direktionen 16 March, deadline Thursday 11 March; first reminder 4 March.
    inline.launch(request(J2, ready=date(2027, 3, 8)), local(date(2027, 3, 1), 9))
    settings = configured.settings()
    wakes = {j: case_row(j).wake_at for j in (J1, J2)}
    assert wakes[J1] < wakes[J2]

    assert steps.due_cases(settings, local(date(2027, 3, 3), 7, 55)) == []
    [due] = steps.due_cases(settings, local(date(2027, 3, 3), 8, 5))
    assert (due.journal_number, due.municipality, due.wake_at) == (J1, "slagelse", local(date(2027, 3, 3), 8))
    assert due.idempotency_key == f"slagelse/{J1}@2027-03-03T07:00:00+00:00"  # 08:00 Copenhagen, in UTC

    woken = inline.wake_up(local(date(2027, 3, 3), 8, 5))
    assert woken == {"sager": [J1]}
    # Advanced at its time: the 1-day reminder is out, and next it wakes for the escalation.
    assert case_row(J1).wake_at == local(date(2027, 3, 5), 8)
    assert case_row(J2).wake_at == wakes[J2]


def test_a_service_that_was_down_catches_up_on_every_case_that_fell_due(database):
    inline = InlineOrchestrator(configured.settings())
    inline.launch(request(J1), local(date(2027, 3, 1), 9))
    inline.launch(request(J2, ready=date(2027, 3, 8)), local(date(2027, 3, 1), 9))

    woken = inline.wake_up(local(date(2027, 3, 20), 9))  # three quiet weeks later
    assert sorted(woken["sager"]) == [J1, J2]
    assert steps.due_cases(configured.settings(), local(date(2027, 3, 20), 9)) == []


def test_a_case_whose_route_has_ended_never_wakes_again(database):
    inline = InlineOrchestrator(configured.settings())
    inline.launch(request(J1), local(date(2027, 3, 1), 9))
    inline.advance(
        J1,
        decision=DecisionForm(body="direktion", outcome="ikke godkendt", text="Afvist."),
        now=local(date(2027, 3, 9), 19),
    )
    assert case_row(J1).wake_at is None
    assert steps.due_cases(configured.settings(), local(date(2027, 12, 31), 9)) == []
