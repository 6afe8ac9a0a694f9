"""Late additions ("eftersendt punkt") recorded on a case and planned by the lifecycle.

Seed 003 (Albertslund 2024): a case ready Thursday 14 March goes to Direktørforum on Tuesday 19
March (deadline 3 working days before: 14 March). Chefforum's deadline for Wednesday 20 March is 5
working days before, 13 March, so by its own rule the case waits until 10 April (no meetings 27
March and 3 April in the adopted plan). Direktørforum decided on 19 March that it goes on Chefforum
the next day: "… indstillingen skal inkluderes på Chefforum 20. marts 2024 som orienteringspunkt".
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import icalendar
import pytest
from sqlmodel import Session, select

from models.agenda_items import find_meeting, load_agenda
from models.tables import LateAddition
from sagsgang.cases import decisions, routing
from sagsgang.cases import launch as launching
from sagsgang.cases.description import describe
from sagsgang.cases.state import find_case
from sagsgang.inputs import UserError
from sagsgang.publishing import feed_render, feeds
from sagsgang.publishing.agenda import compose
from sagsgang.publishing.agenda_render import render_html, render_markdown
from tests import configured
from tests.lifecycle_world import advance, at, plan_of

LATE = "00.01.00-A00-7-24"
OTHER = "00.01.00-A00-8-24"


def launch_orientation(journal_number: str) -> None:
    request = launching.LaunchRequest(
        municipality="albertslund",
        title="Tidsregistrering for ledere",
        journal_number=journal_number,
        owner_name="Lise Holm",
        owner_email="lise.holm@albertslund.dk",
        manager_name="Per Berg",
        manager_email="per.berg@albertslund.dk",
        route="orientering",
        ready=date(2024, 3, 14),
    )
    with configured.session_scope() as session:
        launching.launch(session, request, at(date(2024, 3, 14)))
    advance(journal_number, date(2024, 3, 14))


def approve_at_direktoerforum(journal_number: str) -> None:
    with configured.session_scope() as session:
        decisions.record_decision(
            session, journal_number, "direktoerforum", "godkendt", "Godkendt.", at(date(2024, 3, 19), 12)
        )
    advance(journal_number, date(2024, 3, 19))


def send_late(journal_number: str = LATE, day: date = date(2024, 3, 20), **change) -> None:
    fields = dict(body="chefforum", decided_by="Direktørforum", reason="Skal med som orienteringspunkt")
    fields.update(change)
    with configured.session_scope() as session:
        routing.add_late(
            session,
            journal_number,
            fields["body"],
            day,
            fields["decided_by"],
            fields["reason"],
            at(date(2024, 3, 19), 12),
        )
    advance(journal_number, date(2024, 3, 19))


@pytest.fixture
def two_cases(database):
    for journal_number in (LATE, OTHER):
        launch_orientation(journal_number)
        approve_at_direktoerforum(journal_number)
    return database


def test_without_a_late_addition_chefforum_takes_the_case_on_10_april(two_cases):
    assert plan_of(LATE) == [("chefforum", date(2024, 4, 3), date(2024, 4, 10))]


def test_late_addition_puts_the_case_on_chefforum_20_march_and_leaves_other_cases(two_cases):
    send_late()
    assert plan_of(LATE) == [("chefforum", date(2024, 3, 13), date(2024, 3, 20))]
    assert plan_of(OTHER) == [("chefforum", date(2024, 4, 3), date(2024, 4, 10))]
    with Session(configured.engine()) as session:
        (row,) = session.exec(select(LateAddition)).all()
        assert (row.decided_by, row.reason) == ("Direktørforum", "Skal med som orienteringspunkt")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": date(2024, 3, 27)}, "Mødet i Chefforum onsdag 27. marts 2024 findes ikke"),
        ({"day": date(2024, 3, 13)}, "allerede holdt"),
        ({"decided_by": "  "}, "Angiv hvem der besluttede"),
        ({"body": "direktoerforum"}, "skal ikke behandle sagen"),
        ({"body": "byraadet"}, "Organet 'byraadet' findes ikke i Albertslund"),
    ],
)
def test_bad_late_addition_is_refused_in_danish_and_nothing_is_written(two_cases, change, message):
    with pytest.raises(UserError, match=message):
        send_late(**change)
    with Session(configured.engine()) as session:
        assert session.exec(select(LateAddition)).all() == []
    assert plan_of(LATE) == [("chefforum", date(2024, 4, 3), date(2024, 4, 10))]


# --- the agenda -----------------------------------------------------------------------------------


def chefforum_agenda(albertslund, fmt: str) -> str:
    with configured.session_scope() as session:
        stored = load_agenda(session, find_meeting(session, "chefforum", date(2024, 3, 20), "albertslund"))
    document = compose(stored, albertslund, minutes=False, public=False, today=date(2024, 3, 19))
    return render_markdown(document) if fmt == "md" else render_html(document)


def test_the_agenda_lists_the_case_as_eftersendt_punkt_with_who_decided(two_cases, albertslund):
    send_late()
    text = chefforum_agenda(albertslund, "md")
    assert "## Punkt 2: Tidsregistrering for ledere" in text
    assert (
        "**Eftersendt punkt.** Optaget på dagsordenen efter sagsfristen. Besluttet af: Direktørforum. "
        "Begrundelse: Skal med som orienteringspunkt" in text
    )
    assert "Eftersendt punkt" in chefforum_agenda(albertslund, "html")
    assert text.count("Punkt 2:") == 1  # only the late case is on 20 March; the other waits for 10 April
    assert "Punkt 3: Eventuelt" in text


def test_sag_vis_tells_the_late_addition_and_marks_the_step(two_cases):
    send_late()
    with configured.session_scope() as session:
        lines = describe(session, find_case(session, LATE), date(2024, 3, 19))
    assert (
        "  Eftersendt til Chefforum onsdag 20. marts 2024 efter fristen; besluttet af Direktørforum: "
        "Skal med som orienteringspunkt" in lines
    )
    assert lines[-1].startswith("  Sagsfrist onsdag 13. marts 2024 kl. 12:00 → møde i Chefforum onsdag 20. marts 2024")
    assert lines[-1].endswith("– eftersendt punkt")


# --- the commands -----------------------------------------------------------------------------------


def cli(*args: str, today: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAGSGANG_TODAY": today, "SAGSGANG_ORCHESTRATION": "inline"}
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_sag_eftersend_records_it_and_replans_or_refuses_in_danish_with_exit_2(two_cases):
    late = ("sag", "eftersend", LATE, "chefforum")
    refused = cli(*late, "27-03-2024", "--besluttet-af", "Direktørforum", today="2024-03-19")
    assert refused.returncode == 2
    assert "Mødet i Chefforum onsdag 27. marts 2024 findes ikke" in refused.stderr
    assert cli(*late, "20-03-2024", today="2024-03-19").returncode == 2  # --besluttet-af is required
    with Session(configured.engine()) as session:
        assert session.exec(select(LateAddition)).all() == []
    done = cli(
        *late, "20-03-2024", "--besluttet-af", "Direktørforum", "--begrundelse", "Orientering", today="2024-03-19"
    )
    assert done.returncode == 0, done.stderr
    assert "Sagen 00.01.00-A00-7-24 er eftersendt til Chefforum onsdag 20. marts 2024" in done.stdout
    assert "→ møde i Chefforum onsdag 20. marts 2024 kl. 09:00 – eftersendt punkt" in done.stdout
    assert plan_of(OTHER) == [("chefforum", date(2024, 4, 3), date(2024, 4, 10))]


def test_sagsgang_plan_marks_the_late_step_and_its_waived_deadline():
    result = cli(
        "plan", "--kommune", "albertslund", "--rute", "orientering", "--klar", "14-03-2024",
        "--eftersendt", "chefforum:20-03-2024", "--besluttet-af", "Direktørforum",
        today="2024-03-14",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line.split("|")[:2] for line in result.stdout.splitlines() if "|" in line]
    rows = [(day.strip(), activity.strip()) for day, activity in lines]
    assert ("onsdag 20. marts 2024", "Sag på møde i Chefforum kl. 09:00 – eftersendt punkt") in rows
    # The waived deadline is shown on the day Direktørforum decided (its meeting), not before the case was ready.
    waived = (
        "tirsdag 19. marts 2024",
        "Sagen eftersendes til Chefforum efter beslutning i Direktørforum "
        "(sagsfristen onsdag 13. marts 2024 kl. 12:00 er fraveget)",
    )
    assert rows.index(("torsdag 14. marts 2024", "Sagen er klar")) < rows.index(waived)
    plain = cli("plan", "--kommune", "albertslund", "--rute", "orientering", "--klar", "14-03-2024", today="2024-03-14")
    assert "Sag på møde i Chefforum kl. 09:00" in plain.stdout and "eftersendt" not in plain.stdout
    assert "onsdag 10. april 2024" in plain.stdout


def test_the_case_feed_says_the_step_was_eftersendt(two_cases):
    send_late()
    context = feeds.FeedContext(base_url="https://sagsgang.example", clock=at(date(2024, 3, 19)))
    with configured.session_scope() as session:
        body = feed_render.render_feed(session, feeds.FeedSpec("sag", "albertslund", LATE), context).body
        other = feed_render.render_feed(session, feeds.FeedSpec("sag", "albertslund", OTHER), context).body
    events = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    meeting = events["Sag på møde i Chefforum: Tidsregistrering for ledere"]
    assert "Eftersendt punkt: optaget efter sagsfristen, besluttet af Direktørforum.\nSagsfrist:" in meeting
    assert "Møde: onsdag 20. marts 2024" in meeting
    assert b"Eftersendt" not in other
