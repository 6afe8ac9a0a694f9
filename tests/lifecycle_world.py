"""Helpers for the lifecycle tests: a Slagelse case launched, decided, submitted and checked
daily through the plain functions (no Prefect), as flows.lifecycle and flows.daily run them."""

from __future__ import annotations

from datetime import date

from calendars.clock import FixedClock
from sagsgang.cases import advance as route
from sagsgang.cases import decisions, state, steps
from sagsgang.cases import launch as launching
from sagsgang.notifications import mail, reminders, sending
from tests import configured

J = "27.00.00-G01-1-27"


def at(day: date, hour: int = 8) -> FixedClock:
    return FixedClock.on(day, hour)


def launch(
    journal_number: str = J,
    route: str = "politisk",
    ready: date = date(2027, 3, 1),
    owner: str = "meha@slagelse.dk",
    **fields,
) -> None:
    request = launching.LaunchRequest(
        municipality="slagelse",
        title=fields.pop("title", "Erhvervsstrategi 2027"),
        journal_number=journal_number,
        owner_name="Mette Hansen",
        owner_email=owner,
        manager_name="Lars Berg",
        manager_email="labe@slagelse.dk",
        department="Erhverv",
        route=route,
        ready=ready,
        **fields,
    )
    with configured.session_scope() as session:
        launching.launch(session, request, at(ready))


def plan_of(journal_number: str = J) -> list[tuple[str, date, date]]:
    """(body, deadline, meeting day) of every undecided step, in route order."""
    with configured.session_scope() as session:
        case_state = state.load_state(session, state.find_case(session, journal_number))
        return [(t.body, t.consultation.deadline, t.meeting.day) for t in case_state.pending()]


def decide(body: str, outcome: str, day: date, journal_number: str = J, **options) -> None:
    with configured.session_scope() as session:
        decisions.record_decision(session, journal_number, body, outcome, "", at(day, 18), **options)
    advance(journal_number, day)


def submit(day: date, journal_number: str = J, body: str | None = None) -> None:
    with configured.session_scope() as session:
        decisions.record_submission(session, journal_number, at(day), body)


def advance(journal_number: str, day: date) -> None:
    """What the lifecycle flow does, without Prefect: plan, and route on until it must wait (the
    same loop and steps, without mails, feeds or a next run)."""
    settings = configured.settings()
    route.follow_route(settings, steps.find_case(settings, journal_number, None), None, _quietly)


def _quietly(step, /, *args):
    if step is steps.remind:
        return sending.SendReport()
    if step is steps.publish_feeds:
        return False
    if step is steps.wait_for_decision:
        return None
    return step(*args)


def daily(day: date, hour: int = 8) -> sending.SendReport:
    """The daily check's steps, as flows.daily runs them."""
    now = at(day, hour).now()
    with configured.session_scope() as session:
        reminders.obsolete_stale(session, now=now)
    with configured.session_scope() as session:
        items = reminders.find_due(session, now)
    for item in items:
        with configured.session_scope() as session:
            (reminders.escalate if item.kind is reminders.MessageKind.ESCALATION else reminders.queue)(
                session, item, now, configured.mail_settings().sender, configured.settings().base_url
            )
    with configured.session_scope() as session:
        reminders.queue_digests(session, now, configured.mail_settings().sender)
    return sending.send_pending(configured.engine(), mail.transport(configured.mail_settings()), now)


def text(message) -> str:
    return message.get_body(("plain",)).get_content()
