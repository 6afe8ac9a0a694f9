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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from calendars.danish import TIMEZONE, clock_time, long_date
from calendars.profile_reader import resolve_profile_path
from calendars.profiles import Profile, ProfileError, ReminderRules
from models.outbox import MessageKind, MessageStatus, OutboxMessage, Submission
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from sagsgang.inputs import UserError, read_profile
from sagsgang.notifications import mail

LOCAL = ZoneInfo(TIMEZONE)
DIGEST_DAYS = 14
KEY_PREFIX = {MessageKind.REMINDER: "reminder", MessageKind.ESCALATION: "escalation", MessageKind.DIGEST: "digest"}


def rules_for(profile: Profile) -> ReminderRules:
    return profile.reminders


def _profile(municipality: str) -> Profile:
    """The municipality's profile, read again when its file changed (the worker runs for months)."""
    try:
        path = resolve_profile_path(municipality)
    except ProfileError as error:
        raise UserError(str(error)) from None
    return _read_profile(municipality, path.stat().st_mtime)


@lru_cache(maxsize=32)
def _read_profile(municipality: str, _mtime: float) -> Profile:
    return read_profile(municipality)


# --- what is due ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    kind: MessageKind
    case_id: int
    stage: int
    body_id: int
    round: int
    deadline: dt.date
    rule: str
    due_at: dt.datetime

    @property
    def key(self) -> str:
        place = f"{self.case_id}/{self.stage}/{self.body_id}/{self.round}/frist-{self.deadline.isoformat()}"
        return f"{KEY_PREFIX[self.kind]}/{place}" + (f"/regel-{self.rule}" if self.kind is MessageKind.REMINDER else "")


def _open_treatments(
    case_id: int | None = None, until: dt.date | None = None, since: dt.date | None = None
) -> sa.Select[tuple[int, int, int, int, dt.date, str]]:
    """Undecided consultations of open cases whose material is not in yet."""
    submitted = (
        select(Submission.id)
        .where(
            Submission.case_id == Consultation.case_id,
            Submission.stage == Consultation.stage,
            Submission.body_id == Consultation.body_id,
            Submission.round == Consultation.round,
        )
        .exists()
    )
    decided = select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()
    query = (
        sa.select(  # sqlmodel's select() and exec() are typed for up to four columns
            col(Consultation.case_id),
            col(Consultation.stage),
            col(Consultation.body_id),
            col(Consultation.round),
            col(Consultation.deadline),
            col(Case.municipality),
        )
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .where(col(Case.status) == CaseStatus.OPEN, ~decided, ~submitted)
    )
    if case_id is not None:
        query = query.where(col(Consultation.case_id) == case_id)
    if until is not None:
        query = query.where(col(Consultation.deadline) <= until)
    if since is not None:
        query = query.where(col(Consultation.deadline) >= since)
    return query


def find_due(session: Session, now: dt.datetime, case_id: int | None = None) -> list[Due]:
    """Reminders and escalations due at `now` that are not in the outbox yet.

    A reminder for rule N is due from N working days before the deadline at the rules' time
    until the deadline; when several rules are due at once (a case launched late), only the
    most urgent goes out. An escalation is due the working day after a missed deadline.
    """
    today = now.astimezone(LOCAL).date()
    municipalities = session.exec(select(Case.municipality).where(Case.status == CaseStatus.OPEN).distinct()).all()
    if case_id is not None:
        municipalities = [session.get_one(Case, case_id).municipality]
    horizon = today
    for municipality in municipalities:
        profile = _profile(municipality)
        rules = rules_for(profile)
        ahead = max(rules.working_days_before, default=0)
        horizon = max(horizon, profile.calendar.add_working_days(today, ahead))
    due = []
    for case, stage, body_id, round_, deadline, municipality in session.execute(
        _open_treatments(case_id, until=horizon)
    ):
        profile = _profile(municipality)
        rules, calendar = rules_for(profile), profile.calendar
        if deadline < today:
            at = rules.at(calendar.add_working_days(deadline, 1))
            if rules.escalate and at <= now:
                due.append(Due(MessageKind.ESCALATION, case, stage, body_id, round_, deadline, "eskalering", at))
            continue
        ready = [n for n in rules.working_days_before if rules.at(calendar.add_working_days(deadline, -n)) <= now]
        if ready:
            n = min(ready)
            due.append(
                Due(
                    MessageKind.REMINDER,
                    case,
                    stage,
                    body_id,
                    round_,
                    deadline,
                    str(n),
                    rules.at(calendar.add_working_days(deadline, -n)),
                )
            )
    known = _known_keys(session, [item.key for item in due])
    return [item for item in due if item.key not in known]


def _known_keys(session: Session, keys: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        known.update(
            session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(keys[start : start + 500])))
        )
    return known


def next_wakeup(session: Session, case_id: int, now: dt.datetime) -> dt.datetime | None:
    """When something is next due for the case (a reminder or an escalation), if anything."""
    times = []
    for _, _, _, _, deadline, municipality in session.execute(_open_treatments(case_id)):
        profile = _profile(municipality)
        rules, calendar = rules_for(profile), profile.calendar
        times += [rules.at(calendar.add_working_days(deadline, -n)) for n in rules.working_days_before]
        if rules.escalate:
            times.append(rules.at(calendar.add_working_days(deadline, 1)))
    later = [t for t in times if t > now]
    return min(later, default=None)


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
    """Render the reminder for `item` and store it in the outbox (None if another run got there first).
    The mail links to the case's page under `base_url` (settings.base_url)."""
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
    and the manager is told, with the new deadline attached. One transaction: both or neither."""
    from sagsgang.cases import routing, state  # cases know nothing of reminders; the dependency points here

    case = session.get_one(Case, item.case_id)
    profile = _profile(case.municipality)
    context = _treatment_context(session, case, profile, item.stage, item.body_id, item.round, item.deadline)
    context["case_url"] = _case_url(base_url, case)
    today = now.astimezone(LOCAL).date()
    if case.ready_date < today:
        case.ready_date = today  # the material was not ready by the deadline; at best it is today
        session.add(case)
    try:
        routing.put_on_meetings(session, case, profile)
        context["new"] = _current(session, case, profile, item.stage, item.body_id)
    except state.ConflictError:
        raise
    except UserError:  # no meeting to move it to: the manager must decide
        context["new"] = None
    if context["new"] and context["new"]["deadline"] == item.deadline:
        context["new"] = None
    events = [context["new"]["event"]] if context["new"] else []
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
    message = mail.compose(
        template,
        context,
        key=item.key,
        to_name=to[0],
        to_email=to[1],
        sender=sender,
        now=now,
        events=events,
    )
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
        subject=message["Subject"],
        message=message.as_string(),
    )
    return _insert(session, row)


def _insert(session: Session, row: OutboxMessage) -> Queued | None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same key from a concurrent run: theirs counts
        return None
    return Queued(row.key, row.kind, row.recipient, row.subject)


def _treatment_context(
    session: Session, case: Case, profile: Profile, stage: int, body_id: int, round_: int, deadline: dt.date
) -> dict:
    body = session.get_one(Body, body_id)
    row = session.exec(
        select(Consultation).where(
            Consultation.case_id == case.id,
            Consultation.stage == stage,
            Consultation.body_id == body_id,
            Consultation.round == round_,
        )
    ).first()
    meeting = session.get(Meeting, row.meeting_id) if row else None
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


def obsolete_stale(session: Session, case_id: int | None = None) -> int:
    """Pending reminders whose deadline moved, whose material came in, or whose treatment was
    decided, are not sent any more. Returns how many."""
    query = select(OutboxMessage).where(
        OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.kind == MessageKind.REMINDER
    )
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    pending = session.exec(query).all()
    if not pending:
        return 0
    current: set[tuple[int, int, int, int, dt.date]] = set()
    for case in {row.case_id for row in pending}:
        current.update((c, s, b, r, d) for c, s, b, r, d, _ in session.execute(_open_treatments(case)))
    stale = [row for row in pending if (row.case_id, row.stage, row.body_id, row.round, row.deadline) not in current]
    for row in stale:
        row.status = MessageStatus.OBSOLETE
        session.add(row)
    session.flush()
    return len(stale)


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
        query = _open_treatments(since=today, until=today + dt.timedelta(days=DIGEST_DAYS - 1)).where(
            col(Case.municipality) == municipality
        )
        for case_id, stage, body_id, round_, deadline, _ in session.execute(query):
            case = session.get_one(Case, case_id)
            context = _treatment_context(session, case, profile, stage, body_id, round_, deadline)
            for name, email, role in (
                (case.owner_name, case.owner_email, "sagsbehandler"),
                (case.manager_name, case.manager_email, "leder"),
            ):
                people[email] = name
                entries[email].append({**context, "role": role})
        for email, items in entries.items():
            items.sort(key=lambda entry: (entry["deadline"], entry["case"].journal_number))
            key = f"{KEY_PREFIX[MessageKind.DIGEST]}/{municipality}/{email}/{monday.isoformat()}"
            message = mail.compose(
                "mail_digest.txt.j2",
                {
                    "name": people[email],
                    "entries": items,
                    "municipality": profile.name,
                    "first": today,
                    "last": today + dt.timedelta(days=DIGEST_DAYS - 1),
                },
                key=key,
                to_name=people[email],
                to_email=email,
                sender=sender,
                now=now,
                events=_unique_events(entry["event"] for entry in items),
            )
            row = OutboxMessage(
                key=key,
                kind=MessageKind.DIGEST,
                rule="ugeoversigt",
                due_at=rules.at(today),
                recipient=email,
                subject=message["Subject"],
                message=message.as_string(),
            )
            if (done := _insert(session, row)) is not None:
                queued.append(done)
    return queued


def _unique_events(events: Iterable[mail.DeadlineEvent]) -> list[mail.DeadlineEvent]:
    return list({event.key: event for event in events}.values())
