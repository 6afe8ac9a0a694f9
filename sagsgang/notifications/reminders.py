"""Reminders, escalations and the weekly digest: what is due, and into the outbox (sending.py sends it).

Rules per municipality profile, in an optional [reminders] table (defaults shown):

    [reminders]
    working_days_before = [5, 1]   # påmindelser N arbejdsdage før sagsfristen
    time = "08:00"                 # sendes kl. 08:00 på dagen
    escalate = true                # lederen får besked arbejdsdagen efter en overskredet frist
    digest = true                  # mandagsoversigt over de næste to ugers frister

Everything here is plain functions over the database; the daily flow and the case's lifecycle
flow call them. Each due mail becomes one outbox row under a unique key (consultation's natural
key, rule, deadline), so running twice, or again after a crash, never makes a second one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from calendars.danish import clock_time, long_date
from calendars.profiles import Profile
from models.outbox import MessageKind, MessageStatus, OutboxMessage
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from models.users import Role, User
from sagsgang.cases import routing
from sagsgang.cases.state import ConflictError, StepState
from sagsgang.inputs import UserError
from sagsgang.notifications import mail, sending
from sagsgang.notifications.due import (
    KEY_PREFIX,
    LOCAL,
    Due,
    current_plans,
    find_due,
    next_wakeup,
    obsolete_stale,
    open_treatments,
    rules_for,
    still_due,
)
from sagsgang.notifications.due import profile_of as _profile

# What is due lives in due.py; the daily check and the lifecycle reach it through this module.
__all__ = [
    "Due",
    "MessageKind",
    "Queued",
    "escalate",
    "find_due",
    "next_wakeup",
    "obsolete_stale",
    "queue",
    "queue_digests",
]

DIGEST_DAYS = 14


def _case_url(base_url: str, case: Case) -> str:
    from sagsgang.cases.caseview import page_path

    return base_url.rstrip("/") + page_path(case.municipality, case.journal_number)


# --- into the outbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    key: str
    kind: MessageKind
    recipient: str
    subject: str


def queue(session: Session, item: Due, now: dt.datetime, sender: str, base_url: str) -> Queued | None:
    """Render the reminder for `item` and store it in the outbox (None if another run got there
    first, or the plan changed since it was found: a reminder pairs a deadline with its own meeting).
    The mail links to the case's page under `base_url` (settings.base_url)."""
    if not still_due(session, item, now):
        return None
    case = session.get_one(Case, item.case_id)
    profile = _profile(case.municipality)
    context = _treatment_context(session, case, profile, item.stage, item.body_id, item.round, item.deadline)
    context["case_url"] = _case_url(base_url, case)
    context["working_days_left"] = profile.calendar.working_days_between(now.astimezone(LOCAL).date(), item.deadline)
    return _store(
        session,
        item,
        case,
        "mail_reminder.txt.j2",
        context,
        (case.owner_name, case.owner_email),
        [context["event"]],
        now,
        sender,
    )


def escalate(session: Session, item: Due, now: dt.datetime, sender: str, base_url: str) -> Queued | None:
    """A missed deadline: the case goes to the body's next possible meeting (ready from today),
    and the manager is told, with the new deadline attached. One transaction: both or neither.

    The mail names the meeting the missed deadline was for, also when an escalation of another
    body of the same stage re-planned it earlier in the run; reminders of the old plan still in
    the outbox are made obsolete."""
    case = session.get_one(Case, item.case_id)
    profile = _profile(case.municipality)
    context = _treatment_context(
        session, case, profile, item.stage, item.body_id, item.round, item.deadline, item.meeting_id
    )
    context["case_url"] = _case_url(base_url, case)
    today = now.astimezone(LOCAL).date()
    if case.ready_date < today:
        case.ready_date = today  # the material was not ready by the deadline; at best it is today
        session.add(case)
    try:
        routing.put_on_meetings(session, case, profile)
        context["new"] = _current(session, case, profile, item.stage, item.body_id)
    except ConflictError:
        raise
    except UserError:  # no meeting to move it to: the manager must decide
        context["new"] = None
    if context["new"] and context["new"]["deadline"] == item.deadline:
        context["new"] = None
    events = [context["new"]["event"]] if context["new"] else []
    obsolete_stale(session, item.case_id, now)
    return _store(
        session,
        item,
        case,
        "mail_escalation.txt.j2",
        context,
        (case.manager_name, case.manager_email),
        events,
        now,
        sender,
    )


def _store(
    session: Session,
    item: Due,
    case: Case,
    template: str,
    context: dict,
    to: tuple[str, str],
    events: list[mail.DeadlineEvent],
    now: dt.datetime,
    sender: str,
) -> Queued | None:
    row = OutboxMessage(
        key=item.key,
        kind=item.kind,
        case_id=case.id,
        stage=item.stage,
        body_id=item.body_id,
        round=item.round,
        rule=item.rule,
        deadline=item.deadline,
        due_at=item.due_at,
        recipient=to[1],
        subject="",
        message="",
    )

    def build() -> EmailMessage:
        return mail.compose(
            template, context, key=item.key, to_name=to[0], to_email=to[1], sender=sender, now=now, events=events
        )

    return _build_and_insert(session, row, build, now)


def _build_and_insert(
    session: Session, row: OutboxMessage, build: Callable[[], EmailMessage], now: dt.datetime
) -> Queued | None:
    """Render the mail into `row` and store it (None if another run got there first).

    A mail that cannot be built fails alone: its row is stored without a message, and the next
    run after the backoff (sending.after_failure) builds it again; after the last try it is
    'fejlet', for the secretariat to see."""
    existing = session.exec(select(OutboxMessage).where(OutboxMessage.key == row.key)).first()
    if existing is not None and (existing.message or (existing.next_attempt_at or now) > now):
        return None  # built already, or not time to try again yet
    target = existing or row
    try:
        message = build()
    except Exception as error:  # any error in one mail's template or data stops only that mail
        target.attempts += 1
        target.status, target.next_attempt_at = sending.after_failure(target.attempts, now)
        target.last_error = f"Kunne ikke dannes: {type(error).__name__}: {error}"[:500]
        if existing is None:
            _insert(session, target)
        else:
            session.add(target)
        return None
    target.subject, target.message = str(message["Subject"]), message.as_string()
    target.message_id, target.next_attempt_at, target.last_error = str(message["Message-ID"]), None, ""
    if existing is None:
        return _insert(session, target)
    target.status = MessageStatus.PENDING
    session.add(target)
    return Queued(target.key, target.kind, target.recipient, target.subject)


def _insert(session: Session, row: OutboxMessage) -> Queued | None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same key from a concurrent run: theirs counts
        return None
    return Queued(row.key, row.kind, row.recipient, row.subject)


def _treatment_context(
    session: Session,
    case: Case,
    profile: Profile,
    stage: int,
    body_id: int,
    round_: int,
    deadline: dt.date,
    meeting_id: int | None = None,
) -> dict:
    """The mail's facts about one consultation; `meeting_id` names the meeting the deadline was
    for when that is not the one the consultation is planned on now (an escalation)."""
    body = session.get_one(Body, body_id)
    row = session.exec(
        select(Consultation).where(
            Consultation.case_id == case.id,
            Consultation.stage == stage,
            Consultation.body_id == body_id,
            Consultation.round == round_,
        )
    ).first()
    meeting_id = meeting_id or (row.meeting_id if row else None)
    meeting = session.get(Meeting, meeting_id) if meeting_id else None
    rule = profile.bodies[body.key].deadline if body.key in profile.bodies else None
    time = rule.time if rule else None
    sequence = session.exec(
        select(sa.func.count(sa.distinct(col(OutboxMessage.deadline)))).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.stage == stage,
            OutboxMessage.body_id == body_id,
            OutboxMessage.round == round_,
            OutboxMessage.deadline != deadline,
        )
    ).one()
    event = mail.DeadlineEvent(
        key=f"{case.municipality}/sag/{case.journal_number}/trin-{stage}/{body.key}/runde-{round_}/sagsfrist",
        summary=f"Sagsfrist: {case.title} til {body.name}",
        day=deadline,
        time=time,
        description=(
            f"Sag {case.journal_number} «{case.title}» skal på mødet i {body.name}"
            + (f" {_meeting_text(meeting)}." if meeting else ".")
        ),
        location=meeting.place if meeting else "",
        sequence=sequence,
    )
    return {
        "case": case,
        "municipality": profile.name,
        "body": body.name,
        "deadline": deadline,
        "deadline_time": time,
        "meeting": meeting,
        "event": event,
        "latest_deadline": row.latest_deadline if row else None,
    }


def _current(session: Session, case: Case, profile: Profile, stage: int, body_id: int) -> dict | None:
    """The body's undecided treatment after re-planning, as mail context."""
    row = session.exec(
        select(Consultation)
        .where(Consultation.case_id == case.id, Consultation.stage == stage, Consultation.body_id == body_id)
        .order_by(col(Consultation.round).desc())
    ).first()
    if row is None or session.exec(select(Decision.id).where(Decision.consultation_id == row.id)).first():
        return None
    return _treatment_context(session, case, profile, stage, body_id, row.round, row.deadline)


def _meeting_text(meeting: Meeting) -> str:
    return f"{long_date(meeting.day)} {clock_time(meeting.local_time)}"


# --- the Monday digest ----------------------------------------------------------------------------


def queue_digests(session: Session, now: dt.datetime, sender: str) -> list[Queued]:
    """On each municipality's first working day of the week (from the rules' time): one mail per
    person with the deadlines of the next two weeks on the cases they own or manage."""
    today = now.astimezone(LOCAL).date()
    queued = []
    monday = today - dt.timedelta(days=today.weekday())
    for municipality in session.exec(select(Case.municipality).where(Case.status == CaseStatus.OPEN).distinct()).all():
        profile = _profile(municipality)
        rules, calendar = rules_for(profile), profile.calendar
        first = calendar.add_working_days(monday, 0)
        if not rules.digest or first != today or rules.at(today) > now:
            continue
        entries = defaultdict(list)
        people = {}
        query = open_treatments(until=today + dt.timedelta(days=DIGEST_DAYS - 1)).where(
            col(Case.municipality) == municipality
        )
        rows = session.execute(query).all()
        plans = current_plans(session, [row[0] for row in rows], today)
        for case_id, stage, body_id, round_, deadline, _ in rows:
            # A step behind a missed deadline shows up once its stage is planned again.
            planned = plans.get(case_id, {}).get((stage, body_id, round_))
            if planned is None or not planned.counts:
                continue
            step = planned.state
            if deadline < today and step is not StepState.DEADLINE_MISSED:
                continue
            case = session.get_one(Case, case_id)
            context = {
                **_treatment_context(session, case, profile, stage, body_id, round_, deadline),
                "state": str(step),
            }
            for name, email, role in (
                (case.owner_name, case.owner_email, "sagsbehandler"),
                (case.manager_name, case.manager_email, "leder"),
            ):
                people[email] = name
                entries[email].append({**context, "role": role})
        trouble = _failed_lately(session, municipality, monday)
        told = dict(secretariat(session)) if trouble else {}
        for email, name in told.items():  # they are told of the mails given up on
            people.setdefault(email, name)
            entries.setdefault(email, [])
        for email, items in entries.items():
            items.sort(key=lambda entry: (entry["deadline"], entry["case"].journal_number))
            key = f"{KEY_PREFIX[MessageKind.DIGEST]}/{municipality}/{email}/{monday.isoformat()}"
            context = {
                "name": people[email],
                "email": email,
                "entries": items,
                "municipality": profile.name,
                "first": today,
                "last": today + dt.timedelta(days=DIGEST_DAYS - 1),
                "failed": trouble if email in told else [],
            }
            row = OutboxMessage(
                key=key,
                kind=MessageKind.DIGEST,
                rule="ugeoversigt",
                due_at=rules.at(today),
                recipient=email,
                subject="",
                message="",
            )

            def build(key: str = key, context: dict = context, items: list = items) -> EmailMessage:
                return mail.compose(
                    "mail_digest.txt.j2",
                    context,
                    key=key,
                    to_name=context["name"],
                    to_email=context["email"],
                    sender=sender,
                    now=now,
                    events=_unique_events(entry["event"] for entry in items),
                )

            if (done := _build_and_insert(session, row, build, now)) is not None:
                queued.append(done)
    return queued


def secretariat(session: Session) -> list[tuple[str, str]]:
    """(e-mail, name) of the secretariat's active accounts that have an address."""
    query = select(User).where(User.role == Role.SECRETARIAT, col(User.active).is_(True), User.email != "")
    return [(user.email, user.name or user.username) for user in session.exec(query)]


def _failed_lately(session: Session, municipality: str, monday: dt.date) -> list[OutboxMessage]:
    """The municipality's mails given up on since the Monday two weeks before (digests' included)."""
    since = dt.datetime.combine(monday - dt.timedelta(days=DIGEST_DAYS), dt.time(), LOCAL)
    own = sa.or_(
        col(OutboxMessage.case_id).in_(select(Case.id).where(Case.municipality == municipality)),
        col(OutboxMessage.key).startswith(f"{KEY_PREFIX[MessageKind.DIGEST]}/{municipality}/"),
    )
    query = select(OutboxMessage).where(
        OutboxMessage.status == MessageStatus.FAILED, OutboxMessage.due_at >= since, own
    )
    return list(session.exec(query.order_by(col(OutboxMessage.due_at))))


def _unique_events(events: Iterable[mail.DeadlineEvent]) -> list[mail.DeadlineEvent]:
    return list({event.key: event for event in events}.values())
