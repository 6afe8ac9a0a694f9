"""The steps of a case's lifecycle, as plain functions: each one short transaction of its own,
taking the run's settings (sagsgang.settings: database, mail, feeds, clock; read once by the
orchestration's entry point) and plain values (ids, dates), and returning plain values, so the
orchestration can run it as it likes: inline (sagsgang.cases.inline) or as a Prefect task
(flows/). No Prefect here.

Each step is idempotent: it reads the facts again and does what they allow.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pendulum
import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.clock import Clock, FixedClock
from calendars.danish import TIMEZONE
from models import db
from models.tables import Case, Consultation, Decision, Meeting
from sagsgang.cases import decisions, launch, routing, scheduling, state
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.description import describe
from sagsgang.cases.launch import LaunchRequest
from sagsgang.cases.state import ConflictError, StageStatus, id_of
from sagsgang.notifications import case_mails, heartbeat, mail, reminders, sending
from sagsgang.orchestration import CaseSummary
from sagsgang.settings import Settings


def clock_at(settings: Settings, now: dt.datetime | None) -> Clock:
    """A run's clock: a pinned time (tests, demo, a re-run for a given day) or the setting."""
    if now is None:
        return settings.clock()
    at = pendulum.instance(now, tz=TIMEZONE) if now.tzinfo is None else pendulum.instance(now)
    return FixedClock(at.in_timezone(TIMEZONE))


def session_scope(settings: Settings) -> AbstractContextManager[Session]:
    """One transaction in the settings' database (models.db.session_scope)."""
    return db.session_scope(settings.engine())


def reading(settings: Settings) -> AbstractContextManager[Session]:
    """One transaction that only reads: on SQLite it takes no write lock, so a step that looks at
    a case (its stage, its state, the mails due, its summary) never holds up the web app's and the
    other workers' writes. Under the service's load such a step's transaction held the lock for
    0.5-0.9 s (a fresh flow-run process on a busy machine), and the other flow runs queued behind
    it, for seconds at times."""
    return db.session_scope(settings.engine(), read_only=True)


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:  # ids come from an earlier step of the same run
        raise LookupError(f"Sag nr. {case_id} findes ikke.")
    return case


def store_case(settings: Settings, request: LaunchRequest, now: dt.datetime | None) -> int:
    with session_scope(settings) as session:
        return id_of(launch.launch(session, request, clock_at(settings, now)))


def record_decision(
    settings: Settings, journal_number: str, decision: DecisionForm, municipality: str | None, now: dt.datetime | None
) -> int:
    with session_scope(settings) as session:
        recorded = decisions.record_decision(
            session,
            journal_number,
            decision.body,
            decision.outcome,
            decision.text,
            clock_at(settings, now),
            decision.new_ready,
            municipality,
        )
        return id_of(recorded.case)


def find_case(settings: Settings, journal_number: str, municipality: str | None) -> int:
    with reading(settings) as session:
        return id_of(state.find_case(session, journal_number, municipality))


def municipality_of(settings: Settings, case_id: int) -> str:
    with reading(settings) as session:
        return _case(session, case_id).municipality


def current_stage(settings: Settings, case_id: int) -> int | None:
    with reading(settings) as session:
        return state.load_state(session, _case(session, case_id)).current_stage


def put_on_meetings(settings: Settings, case_id: int) -> bool:
    with session_scope(settings) as session:
        return routing.put_on_meetings(session, _case(session, case_id))


def remind(settings: Settings, case_id: int, now: dt.datetime | None) -> sending.SendReport:
    """Due reminders and escalations for this case into the outbox, then out by mail."""
    at, mail_settings = clock_at(settings, now).now(), mail.MailSettings.from_settings(settings)
    with session_scope(settings) as session:
        reminders.obsolete_stale(session, case_id, at)
    with reading(settings) as session:
        due = reminders.find_due(session, at, case_id)
    for item in due:
        with session_scope(settings) as session:
            if item.kind is reminders.MessageKind.ESCALATION:
                reminders.escalate(session, item, at, mail_settings.sender, settings.base_url)
            else:
                reminders.queue(session, item, at, mail_settings.sender, settings.base_url)
    return sending.send_due(settings, at, case_id=case_id)


# What a mail left for the service is about, as the command that left it says so.
def reminders_left(settings: Settings, case_id: int, now: dt.datetime | None) -> list[str]:
    """The reminders and escalations due for this case, left in the database for the service's
    wake-up to send (an action without the service, which answers without building mails): what
    each is about, in Danish. The caller sets the case's wake-up time to now."""
    at = clock_at(settings, now).now()
    with reading(settings) as session:
        due = reminders.find_due(session, at, case_id)
    return [case_mails.what(item.kind, item.deadline) for item in due]


def decision_on(settings: Settings, case_id: int, stage: int) -> StageStatus:
    with reading(settings) as session:
        return state.load_state(session, _case(session, case_id)).status(stage)


@dataclass(frozen=True)
class FollowUp:
    """When to look at a case again (the next reminder or deadline), and which case it is."""

    at: dt.datetime
    journal_number: str
    municipality: str


def wait_for_decision(
    settings: Settings, case_id: int, now: dt.datetime | None, due_now: bool = False
) -> FollowUp | None:
    """Until a decision is recorded (which advances the case), or the next reminder or deadline:
    then the service's wake-up flow advances it (its `wake_at`, set here). `due_now`: a reminder
    is due and was left for the service (reminders_left), so the case wakes now."""
    at = clock_at(settings, now).now()
    with session_scope(settings) as session:
        wake = at if due_now else reminders.next_wakeup(session, case_id, at)
        case = _case(session, case_id)
        _set_wake_at(session, case_id, wake)
        return None if wake is None else FollowUp(wake, case.journal_number, case.municipality)


def _set_wake_at(session: Session, case_id: int, wake: dt.datetime | None) -> None:
    """A plain UPDATE: the wake-up time is bookkeeping, so neither the optimistic lock (`version`)
    nor `updated_at` moves, and a decision being recorded meanwhile never conflicts with it."""
    cases = Case.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its hints do not declare it
    session.execute(sa.update(cases).where(cases.c.id == case_id).values(wake_at=wake, updated_at=cases.c.updated_at))


@dataclass(frozen=True)
class Due:
    """A case whose wake-up time has come: the service advances it once for that time."""

    journal_number: str
    municipality: str
    wake_at: dt.datetime

    @property
    def idempotency_key(self) -> str:
        """One run per case and wake-up time (in UTC: the same instant always gives the same key)."""
        return f"{self.municipality}/{self.journal_number}@{self.wake_at.astimezone(dt.UTC).isoformat()}"


def due_cases(settings: Settings, now: dt.datetime | None) -> list[Due]:
    """Every case whose wake-up time is now or past (by the index on cases.wake_at), oldest first.
    A service that was down catches up: what fell due meanwhile is simply due."""
    at = clock_at(settings, now).now()
    with reading(settings) as session:
        rows = session.exec(
            select(Case.journal_number, Case.municipality, Case.wake_at)
            .where(col(Case.wake_at).is_not(None), col(Case.wake_at) <= at)
            .order_by(col(Case.wake_at), col(Case.id))
        ).all()
    return [Due(journal, municipality, wake) for journal, municipality, wake in rows if wake is not None]


def route_on(settings: Settings, case_id: int, stage: int) -> int | None:
    with session_scope(settings) as session:
        return routing.route_on(session, _case(session, case_id), stage)


def close_if_ended(settings: Settings, case_id: int) -> bool:
    """Close the case if its route is done or a body rejected it; either way nothing wakes it any more."""
    with session_scope(settings) as session:
        closed = routing.close_if_ended(session, _case(session, case_id))
    with session_scope(settings) as session:
        _set_wake_at(session, case_id, None)
    return closed


def publish_feeds(settings: Settings) -> bool:
    """Republish the static calendar feeds (when settings.feeds_dir is set) after a plan changed.
    False when there is nowhere to publish them."""
    if settings.feeds_dir is None:
        return False
    from sagsgang.publishing import feed_files  # the feeds' renderers load only when there are feeds to write

    return feed_files.regenerate_for(settings) is not None


def cases_on_meeting(settings: Settings, municipality: str, meeting_key: str) -> dict[str, str]:
    """The undecided cases planned on the meeting: journal number → status, in journal-number order."""
    with reading(settings) as session:
        return {
            journal: str(status) for journal, (_id, status) in _on_meeting(session, municipality, meeting_key).items()
        }


def _cases_on_meeting(session: Session, municipality: str, meeting_key: str) -> dict[str, int]:
    """Journal number → case id of the undecided cases planned on the meeting."""
    return {journal: case_id for journal, (case_id, _status) in _on_meeting(session, municipality, meeting_key).items()}


def _on_meeting(session: Session, municipality: str, meeting_key: str) -> dict[str, tuple[int, str]]:
    """Journal number → (case id, status) of the undecided cases planned on the meeting (or whose
    latest possible meeting it is), in journal-number order."""
    meeting = session.exec(
        select(Meeting.id).where(Meeting.municipality == municipality, Meeting.key == meeting_key)
    ).one()
    undecided = select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()
    rows = session.exec(
        select(Case.journal_number, Case.id, Case.status)
        .join(Consultation, col(Consultation.case_id) == col(Case.id))
        .where((Consultation.meeting_id == meeting) | (Consultation.latest_meeting_id == meeting), ~undecided)
        .distinct()
    ).all()
    return {journal: (case_id, status) for journal, case_id, status in sorted(rows) if case_id is not None}


@dataclass(frozen=True)
class Replanned:
    """The cases on a moved or cancelled meeting, re-planned."""

    cases: dict[str, int]  # journal number → case id, in journal-number order
    wake: dict[int, dt.datetime | None]  # each case's wake-up time, as stored
    due_now: list[int]  # the cases with a reminder or escalation due already: to be followed now
    changed: bool  # a case's plan was stored anew: the feeds must be published (once)


CONFLICT_ATTEMPTS = 3  # a decision recorded on a case meanwhile: read the facts again
BATCH = 50  # cases re-planned per transaction: the meetings are loaded once per batch


def replan_meeting(settings: Settings, municipality: str, meeting_key: str, now: dt.datetime | None) -> Replanned:
    """Every undecided case planned on the meeting, re-planned in bulk, BATCH cases per
    transaction (each case: its plan, the old plan's pending reminders made obsolete, its wake-up
    time), without following its route step by step. A case with a reminder due already wakes now
    (`due_now`); the others at their next reminder, when the service's wake-up advances them."""
    at = clock_at(settings, now).now()
    with session_scope(settings) as session:
        found = _cases_on_meeting(session, municipality, meeting_key)
    ids = list(found.values())
    wake: dict[int, dt.datetime | None] = {}
    due_now: list[int] = []
    changed = False
    for start in range(0, len(ids), BATCH):
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                batch = _replan_batch(settings, ids[start : start + BATCH], at)
            except ConflictError:  # the batch was rolled back: all of it again, on the new facts
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                continue
            break
        for case_id, (stored, due, wakes) in batch.items():
            changed |= stored
            wake[case_id] = wakes
            if due:
                due_now.append(case_id)
    return Replanned(found, wake, due_now, changed)


def _replan_batch(
    settings: Settings, case_ids: list[int], at: dt.datetime
) -> dict[int, tuple[bool, bool, dt.datetime | None]]:
    """Each case: (its plan stored anew, a reminder due now, its wake-up time), in one transaction."""
    done = {}
    with session_scope(settings) as session:
        scheduling.keep_schedules(session)
        for case_id in case_ids:
            stored = routing.put_on_meetings(session, _case(session, case_id))
            reminders.obsolete_stale(session, case_id, at)
            due = bool(reminders.find_due(session, at, case_id))
            wake = at if due else reminders.next_wakeup(session, case_id, at)
            _set_wake_at(session, case_id, wake)
            done[case_id] = (stored, due, wake)
    return done


def summary_now(settings: Settings, journal_number: str, municipality: str | None) -> CaseSummary:
    """The case as it stands, with its stored wake-up time (after a run elsewhere: the service's)."""
    case_id = find_case(settings, journal_number, municipality)
    with reading(settings) as session:
        wake = _case(session, case_id).wake_at
    return summary(settings, case_id, [], wake)


def summary(
    settings: Settings, case_id: int, sent: list[str], wake: dt.datetime | None, left: list[str] | None = None
) -> CaseSummary:
    """The case after a run, as the CLI prints it and the flows return it; `left`: the mails due
    that were left for the service (reminders_left)."""
    with reading(settings) as session:
        made = _summary(session, settings, _case(session, case_id), sent, wake)
    if left:
        made["venter"] = left
    return made


def summaries(
    settings: Settings, cases: dict[str, int], sent: dict[int, list[str]], wake: dict[int, dt.datetime | None]
) -> dict[str, CaseSummary]:
    """`summary` of many cases (journal number → id), in one transaction."""
    with reading(settings) as session:
        return {
            journal: _summary(session, settings, _case(session, case_id), sent.get(case_id, []), wake.get(case_id))
            for journal, case_id in cases.items()
        }


def _summary(
    session: Session, settings: Settings, case: Case, sent: list[str], wake: dt.datetime | None
) -> CaseSummary:
    return {
        "sag": case.journal_number,
        "status": str(case.status),
        "sendt": sent,
        "naeste_koersel": wake.isoformat() if wake else None,
        "beskrivelse": describe(session, case, settings.clock().today()),
    }


def send_outbox(settings: Settings, now: dt.datetime | None) -> int:
    """Whatever the outbox holds that is due, retries whose backoff has passed included (the
    wake-up's share of sending: no mail waits for the next daily check). How many went out."""
    return len(sending.send_due(settings, clock_at(settings, now).now()).sent)


def warn_if_daily_check_missing(settings: Settings, now: dt.datetime | None) -> int:
    """The heartbeat (sagsgang.notifications.heartbeat): by 09:00 on a working day without a
    daily check, one mail to each secretariat account. How many warnings were queued now."""
    return heartbeat.warn_if_missing(settings, clock_at(settings, now).now())
