"""What is due: reminders before a deadline, escalations of a missed one, and which queued
reminders no longer are (sagsgang.notifications.reminders renders them into the outbox).

Catch-up follows the current plan only (issue 11): a step's state comes from the facts and the
clock (sagsgang.cases.state), so after weeks without a daily check a case that waits at a stage
after a missed deadline gets one escalation for that deadline, and nothing for the later stages,
whose plan moves when that stage is re-planned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.danish import TIMEZONE
from calendars.profile_reader import resolve_profile_path
from calendars.profiles import Profile, ProfileError, ReminderRules
from models.outbox import MessageKind, MessageStatus, OutboxMessage, Submission
from models.tables import Case, CaseStatus, Consultation, Decision, LateAddition, Meeting
from sagsgang.cases.state import Step, StepState, step_states
from sagsgang.inputs import UserError, read_profile

LOCAL = ZoneInfo(TIMEZONE)
KEY_PREFIX = {MessageKind.REMINDER: "reminder", MessageKind.ESCALATION: "escalation", MessageKind.DIGEST: "digest"}

Place = tuple[int, int, int]  # (stage, body id, round) of a consultation within its case


def rules_for(profile: Profile) -> ReminderRules:
    return profile.reminders


def profile_of(municipality: str) -> Profile:
    """The municipality's profile, read again when its file changed (the worker runs for months)."""
    try:
        path = resolve_profile_path(municipality)
    except ProfileError as error:
        raise UserError(str(error)) from None
    return _read_profile(municipality, path.stat().st_mtime)


@lru_cache(maxsize=32)
def _read_profile(municipality: str, _mtime: float) -> Profile:
    return read_profile(municipality)


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
    meeting_id: int | None = None  # the meeting the deadline was for, when it was found

    @property
    def key(self) -> str:
        place = f"{self.case_id}/{self.stage}/{self.body_id}/{self.round}/frist-{self.deadline.isoformat()}"
        return f"{KEY_PREFIX[self.kind]}/{place}" + (f"/regel-{self.rule}" if self.kind is MessageKind.REMINDER else "")


def _submitted() -> sa.Exists:
    """The consultation's material is in (correlated with Consultation)."""
    return (
        select(Submission.id)
        .where(
            Submission.case_id == Consultation.case_id,
            Submission.stage == Consultation.stage,
            Submission.body_id == Consultation.body_id,
            Submission.round == Consultation.round,
        )
        .exists()
    )


def open_treatments(
    case_id: int | None = None, until: dt.date | None = None, since: dt.date | None = None
) -> sa.Select[tuple[int, int, int, int, dt.date, str]]:
    """Undecided consultations of open cases whose material is not in yet."""
    submitted = _submitted()
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


@dataclass(frozen=True, slots=True)
class Planned:
    """One undecided step of a case's current plan, and its state on the day."""

    place: Place
    step: Step
    meeting_id: int
    state: StepState
    held_back: bool  # an earlier stage waits after a missed deadline

    @property
    def counts(self) -> bool:
        """Whether reminders and escalations may be about it: its material is due (not in, not a
        late addition), and its plan is the one it will keep (not held back)."""
        return not (self.step.submitted or self.step.late or self.held_back)


def current_plans(session: Session, case_ids: Iterable[int], today: dt.date) -> dict[int, dict[Place, Planned]]:
    """The undecided steps of open cases, by case and place, each with its state on `today`
    (sagsgang.cases.state.step_states: the same rule as every page), in one query per 500 cases.
    The current stage is the first stage with an undecided step, as CaseState has it for an open case."""
    facts: dict[int, list[tuple[Place, Step, int]]] = defaultdict(list)
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), 500):
        for row in session.execute(_pending_steps(ids[start : start + 500])):
            case, stage, body_id, round_, deadline, day, meeting_id, submitted, late = row
            facts[case].append(((stage, body_id, round_), Step(stage, deadline, day, submitted, late), meeting_id))
    plans: dict[int, dict[Place, Planned]] = {}
    for case, found in facts.items():
        steps = [step for _, step, _ in found]
        states = step_states(steps, min(step.stage for step in steps), today)
        blocked = {step.stage for step, state in zip(steps, states, strict=True) if state.blocks_later_stages}
        plans[case] = {
            place: Planned(place, step, meeting_id, state, any(s < step.stage for s in blocked))
            for (place, step, meeting_id), state in zip(found, states, strict=True)
        }
    return plans


def _pending_steps(case_ids: list[int]) -> sa.Select:
    submitted = _submitted()
    late = (
        select(LateAddition.id)
        .where(
            LateAddition.case_id == Consultation.case_id,
            LateAddition.stage == Consultation.stage,
            LateAddition.body_id == Consultation.body_id,
            LateAddition.meeting_id == Consultation.meeting_id,
        )
        .exists()
    )
    decided = select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()
    return (
        sa.select(
            col(Consultation.case_id),
            col(Consultation.stage),
            col(Consultation.body_id),
            col(Consultation.round),
            col(Consultation.deadline),
            col(Meeting.day),
            col(Meeting.id),
            submitted,
            late,
        )
        .join(Meeting, col(Meeting.id) == col(Consultation.meeting_id))
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .where(col(Case.status) == CaseStatus.OPEN, ~decided, col(Consultation.case_id).in_(case_ids))
    )


def find_due(session: Session, now: dt.datetime, case_id: int | None = None) -> list[Due]:
    """Reminders and escalations due at `now` that are not in the outbox yet.

    A reminder for rule N is due from N working days before the deadline at the rules' time
    until the deadline; when several rules are due at once (a case launched late), only the
    most urgent goes out. An escalation is due the working day after a missed deadline.
    Only steps of the current plan that count (see `counts`) are considered.
    """
    today = now.astimezone(LOCAL).date()
    municipalities = session.exec(select(Case.municipality).where(Case.status == CaseStatus.OPEN).distinct()).all()
    if case_id is not None:
        municipalities = [session.get_one(Case, case_id).municipality]
    horizon = today
    for municipality in municipalities:
        profile = profile_of(municipality)
        ahead = max(rules_for(profile).working_days_before, default=0)
        horizon = max(horizon, profile.calendar.add_working_days(today, ahead))
    candidates: dict[int, list[tuple[Place, dt.date, str]]] = defaultdict(list)
    for case, stage, body_id, round_, deadline, municipality in session.execute(
        open_treatments(case_id, until=horizon)
    ):
        candidates[case].append(((stage, body_id, round_), deadline, municipality))
    due = []
    plans = current_plans(session, candidates, today)
    for case, found in candidates.items():
        for place, deadline, municipality in found:
            planned = plans.get(case, {}).get(place)
            if planned is None or not planned.counts:
                continue
            profile = profile_of(municipality)
            rules, calendar = rules_for(profile), profile.calendar
            if planned.state is StepState.DEADLINE_MISSED:
                at = rules.at(calendar.add_working_days(deadline, 1))
                if rules.escalate and at <= now:
                    due.append(
                        Due(MessageKind.ESCALATION, case, *place, deadline, "eskalering", at, planned.meeting_id)
                    )
                continue
            if deadline < today:  # a later stage whose meeting came first: not reached, nothing to say
                continue
            ready = [n for n in rules.working_days_before if rules.at(calendar.add_working_days(deadline, -n)) <= now]
            if ready:
                n = min(ready)
                at = rules.at(calendar.add_working_days(deadline, -n))
                due.append(Due(MessageKind.REMINDER, case, *place, deadline, str(n), at, planned.meeting_id))
    known = known_keys(session, [item.key for item in due])
    return [item for item in due if item.key not in known]


def still_due(session: Session, item: Due, now: dt.datetime) -> bool:
    """A reminder found earlier in the run is still about the current plan (an escalation of the
    same case in between may have re-planned it): the same deadline, and still counting."""
    today = now.astimezone(LOCAL).date()
    planned = (
        current_plans(session, [item.case_id], today).get(item.case_id, {}).get((item.stage, item.body_id, item.round))
    )
    return planned is not None and planned.step.deadline == item.deadline and planned.counts


def known_keys(session: Session, keys: list[str]) -> set[str]:
    """Keys in the outbox, except mails still to be built again (reminders._build_and_insert)."""
    unbuilt = sa.and_(col(OutboxMessage.message) == "", col(OutboxMessage.status) == MessageStatus.PENDING)
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        known.update(session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(chunk), ~unbuilt)))
    return known


def next_wakeup(session: Session, case_id: int, now: dt.datetime) -> dt.datetime | None:
    """When something is next due for the case (a reminder or an escalation), if anything."""
    times = []
    for _, _, _, _, deadline, municipality in session.execute(open_treatments(case_id)):
        profile = profile_of(municipality)
        rules, calendar = rules_for(profile), profile.calendar
        times += [rules.at(calendar.add_working_days(deadline, -n)) for n in rules.working_days_before]
        if rules.escalate:
            times.append(rules.at(calendar.add_working_days(deadline, 1)))
    later = [t for t in times if t > now]
    return min(later, default=None)


def obsolete_stale(session: Session, case_id: int | None = None, now: dt.datetime | None = None) -> int:
    """Pending reminders that are not about the current plan any more: their deadline moved, the
    material came in, the treatment was decided or the case ended; and with `now`, also those
    whose deadline has passed or whose stage waits behind a missed deadline, and the digests of
    an earlier week (after quiet weeks, last month's overview would mislead). Returns how many."""
    kinds = [MessageKind.REMINDER] + ([MessageKind.DIGEST] if now is not None and case_id is None else [])
    query = select(OutboxMessage).where(
        OutboxMessage.status == MessageStatus.PENDING, col(OutboxMessage.kind).in_(kinds)
    )
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    pending = session.exec(query).all()
    if not pending:
        return 0
    today = now.astimezone(LOCAL).date() if now is not None else None
    cases = {row.case_id for row in pending if row.kind is MessageKind.REMINDER and row.case_id is not None}
    current: set[tuple[int | None, Place, dt.date | None]] = set()
    for case, plan in current_plans(session, cases, today or dt.date.min).items():
        for place, planned in plan.items():
            if planned.step.submitted or (today is not None and (planned.step.deadline < today or not planned.counts)):
                continue
            current.add((case, place, planned.step.deadline))
    stale = [
        row
        for row in pending
        if (
            row.kind is MessageKind.REMINDER
            and (row.case_id, (row.stage, row.body_id, row.round), row.deadline) not in current
        )
        or (
            row.kind is MessageKind.DIGEST
            and today is not None
            and _week(row.due_at.astimezone(LOCAL).date()) < _week(today)
        )
    ]
    for row in stale:
        row.status = MessageStatus.OBSOLETE
        session.add(row)
    session.flush()
    return len(stale)


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
