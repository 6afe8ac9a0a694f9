"""The case lifecycle as Prefect flows. They read like the route; the work is in plain functions
(sagsgang.cases.lifecycle, sagsgang.notifications.reminders), each task a thin call in a transaction of its own.

Each run is short and idempotent: it advances what the facts in our database allow, then waits.
It waits for a decision (recorded with `sagsgang sag beslut` or the Prefect UI, which runs this
flow again) or for the next reminder or deadline: when running from a deployment it schedules
its own next run then (idempotency key per case and time, so runs never pile up). The daily
deployment (flows.daily) is the backstop for both.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment
from sqlmodel import select

from calendars.clock import Clock, FixedClock
from calendars.danish import TIMEZONE
from flows.settings import mail_transport, read_settings, regenerate_feeds, sender, session_scope
from models.tables import Case, Consultation, Decision, Meeting
from sagsgang.cases import advance, lifecycle
from sagsgang.cases.lifecycle import ConflictError, DecisionForm, LaunchRequest, StageStatus
from sagsgang.notifications import reminders

DEPLOYMENT = "sagsgang"


def clock_at(now: dt.datetime | None) -> Clock:
    """The flow's clock: a pinned time (tests, demo, a re-run for a given day) or the setting."""
    if now is None:
        return read_settings().clock()
    at = pendulum.instance(now, tz=TIMEZONE) if now.tzinfo is None else pendulum.instance(now)
    return FixedClock(at.in_timezone(TIMEZONE))


def _retry_on_conflict(_task, _task_run, state) -> bool:
    """Someone changed the case meanwhile: read the facts again and redo the step."""
    try:
        state.result()
    except ConflictError:
        return True
    except Exception:
        return False
    return False


step = task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=1, retry_condition_fn=_retry_on_conflict)


# --- the steps ------------------------------------------------------------------------------


@step(name="opret sagen")
def store_case(request: LaunchRequest, now: dt.datetime | None) -> int:
    with session_scope() as session:
        return lifecycle.launch(session, request, clock_at(now)).id


@step(name="registrér beslutningen")
def record_decision(
    journal_number: str, decision: DecisionForm, municipality: str | None, now: dt.datetime | None
) -> int:
    with session_scope() as session:
        return lifecycle.record_decision(
            session,
            journal_number,
            decision.body,
            decision.outcome,
            decision.text,
            clock_at(now),
            decision.new_ready,
            municipality,
        ).case.id


@step(name="find sagen")
def find_case(journal_number: str, municipality: str | None) -> int:
    with session_scope() as session:
        return lifecycle.find_case(session, journal_number, municipality).id


@step(name="aktuelt trin")
def current_stage(case_id: int) -> int | None:
    with session_scope() as session:
        return lifecycle.load_state(session, session.get(Case, case_id)).current_stage


@step(name="sæt på møde")
def put_on_meetings(case_id: int) -> bool:
    with session_scope() as session:
        return lifecycle.put_on_meetings(session, session.get(Case, case_id))


@step(name="påmind")
def remind(case_id: int, now: dt.datetime | None) -> list[str]:
    """Due reminders and escalations for this case into the outbox, then out by mail."""
    at = clock_at(now).now()
    with session_scope() as session:
        reminders.obsolete_stale(session, case_id)
    for item in _due(case_id, at):
        with session_scope() as session:
            if item.kind is reminders.MessageKind.ESCALATION:
                reminders.escalate(session, item, at, sender())
            else:
                reminders.queue(session, item, at, sender())
    report = reminders.send_pending(read_settings().engine(), mail_transport(), at, case_id=case_id)
    if report.failed:
        get_run_logger().warning("Ikke sendt (prøves igen): %s", report.failed)
    return list(report.sent)


def _due(case_id: int, at: dt.datetime) -> list[reminders.Due]:
    with session_scope() as session:
        return reminders.find_due(session, at, case_id)


@step(name="beslutning")
def decision_on(case_id: int, stage: int) -> StageStatus:
    with session_scope() as session:
        return lifecycle.load_state(session, session.get(Case, case_id)).status(stage)


@step(name="videre")
def route_on(case_id: int, stage: int) -> int | None:
    with session_scope() as session:
        return lifecycle.route_on(session, session.get(Case, case_id), stage)


@step(name="afslut sagen")
def close_if_ended(case_id: int) -> bool:
    with session_scope() as session:
        return lifecycle.close_if_ended(session, session.get(Case, case_id))


@step(name="vent på beslutning")
def wait_for_decision(case_id: int, now: dt.datetime | None) -> dt.datetime | None:
    """Until a decision is recorded (which runs this flow), or the next reminder or deadline."""
    at = clock_at(now).now()
    with session_scope() as session:
        wake = reminders.next_wakeup(session, case_id, at)
        case = session.get(Case, case_id)
        journal_number, municipality = case.journal_number, case.municipality
    if wake is not None and deployment.get_id():
        from prefect.deployments import run_deployment

        run_deployment(
            f"{advance_case.name}/{DEPLOYMENT}",
            timeout=0,
            as_subflow=False,
            parameters={"journal_number": journal_number, "municipality": municipality},
            scheduled_time=wake,
            idempotency_key=f"{municipality}/{journal_number}@{wake.isoformat()}",
        )
    return wake


@step(name="offentliggør kalendere")
def publish_feeds() -> bool:
    """The feeds hook: sagsgang.publishing.feeds.regenerate() republishes the static calendar feeds (when
    SAGSGANG_FEEDS_DIR is set) after a plan changed. False when there is nothing to call."""
    try:
        from sagsgang.publishing import feeds
    except ImportError:
        return False
    regenerate = getattr(feeds, "regenerate", None)
    if regenerate is None:
        return False
    return regenerate_feeds()


# --- the flows ------------------------------------------------------------------------------


@flow(name="opret-sag", log_prints=True)
def launch_case(request: LaunchRequest, now: dt.datetime | None = None) -> dict:
    """Opret en sag: gem den, planlæg hele ruten, offentliggør kalendere og start sagsforløbet.

    Args:
        request: Sagens oplysninger
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
    """
    case_id = store_case(request, now)
    publish_feeds()
    return follow_route(case_id, now)


@flow(name="sagsforloeb", log_prints=True)
def advance_case(
    journal_number: str,
    decision: DecisionForm | None = None,
    municipality: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Før sagen videre: for hvert trin sæt den på næste møde, påmind, vent på beslutningen, gå videre.

    Args:
        journal_number: Sagens journalnummer, fx 27.00.00-G01-1-24
        decision: Et organs beslutning efter mødet (tom: før blot sagen videre)
        municipality: Kommunen – kun hvis journalnummeret findes i flere
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
    """
    if decision is not None:
        record_decision(journal_number, decision, municipality, now)
    return follow_route(find_case(journal_number, municipality), now)


@flow(name="moedeaendring", log_prints=True)
def meeting_changed(municipality: str, meeting_key: str, now: dt.datetime | None = None) -> dict:
    """Et møde er flyttet eller aflyst: planlæg hver sag på mødet igen.

    Args:
        municipality: Kommunen, fx slagelse
        meeting_key: Mødets nøgle, fx direktion/2027-03-09 (organ/oprindelig dato)
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
    """
    return {
        "sager": {
            journal_number: follow_route(find_case(journal_number, municipality), now)
            for journal_number in cases_on_meeting(municipality, meeting_key)
        }
    }


def follow_route(case_id: int, now: dt.datetime | None) -> dict:
    """For each stage: put it on the next meeting, remind the owner, wait for the decision, move on
    (sagsgang.cases.advance.follow_route with this module's steps). The steps run as tasks of the calling
    flow run, not a subflow: a subflow run costs a second or more of Prefect bookkeeping."""
    followed = advance.follow_route(
        case_id,
        now,
        advance.Steps(
            current_stage=current_stage,
            put_on_meetings=put_on_meetings,
            remind=remind,
            decision_on=decision_on,
            wait_for_decision=wait_for_decision,
            route_on=route_on,
            close_if_ended=close_if_ended,
            publish_feeds=publish_feeds,
        ),
    )
    return _summary(case_id, followed.sent, followed.wake)


@step(name="sager på mødet")
def cases_on_meeting(municipality: str, meeting_key: str) -> list[str]:
    with session_scope() as session:
        meeting = session.exec(
            select(Meeting.id).where(Meeting.municipality == municipality, Meeting.key == meeting_key)
        ).one()
        undecided = select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()
        rows = session.exec(
            select(Case.journal_number)
            .join(Consultation, Consultation.case_id == Case.id)
            .where((Consultation.meeting_id == meeting) | (Consultation.latest_meeting_id == meeting), ~undecided)
            .distinct()
        ).all()
    return sorted(rows)


def _summary(case_id: int, sent: list[str], wake: dt.datetime | None) -> dict:
    with session_scope() as session:
        case = session.get(Case, case_id)
        return {
            "sag": case.journal_number,
            "status": str(case.status),
            "sendt": sent,
            "naeste_koersel": wake.isoformat() if wake else None,
            "beskrivelse": lifecycle.describe(session, case),
        }
