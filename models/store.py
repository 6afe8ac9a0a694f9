"""Between the pure core (calendars/) and the tables: store profiles, meetings and plans, and read
meetings back as the frozen values the planner works on.

Every function works inside the caller's session and leaves committing to it (see
models.db.session_scope), so a function that refuses its input half-way writes nothing.
Error messages are Danish: they reach the secretariat through the CLI and web pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.meetings import Meeting as MeetingValue
from calendars.meetings import MeetingStatus
from calendars.planner import Plan
from calendars.profiles import Profile
from models.errors import Invalid, NotFound
from models.tables import Body, Case, Consultation, Decision, Meeting, Outcome, local_start, saved_id
from models.types import utcnow


@dataclass(frozen=True)
class SyncReport:
    """What sync_profile did, for the CLI to tell the user."""

    bodies_added: int = 0
    bodies_updated: int = 0
    meetings_added: int = 0
    meetings_updated: int = 0
    meetings_kept: tuple[str, ...] = ()  # moved/cancelled here, so the profile did not overwrite them
    meetings_withdrawn: tuple[str, ...] = ()  # no longer in the profile's plan: marked cancelled


def sync_profile(
    session: Session, profile: Profile, meetings: Iterable[MeetingValue], period: tuple[dt.date, dt.date] | None = None
) -> SyncReport:
    """Store the profile's bodies and `meetings` (e.g. from calendars.meetings.meeting_plan).

    Bodies are matched by (municipality, key) and meetings by their key, so running this again
    updates rows instead of adding new ones; the key survives moves. A meeting moved or cancelled
    in the database (move_meeting, cancel_meeting) is a later decision than the profile and is
    kept as it is. With `period`, meetings stored for that period that the profile no longer
    plans (e.g. a provisional meeting replaced by the adopted plan) are marked cancelled, not
    deleted, as cases may already point at them.
    """
    municipality = profile.key
    bodies = _bodies(session, municipality)
    added = updated = 0
    for body in profile.bodies.values():
        row = bodies.get(body.key)
        if row is None:
            row = bodies[body.key] = Body(municipality=municipality, key=body.key, name=body.name, kind=body.kind)
            session.add(row)
            added += 1
        elif (row.name, row.kind) != (body.name, body.kind):
            row.name, row.kind = body.name, body.kind
            updated += 1
    session.flush()  # body ids for the meetings

    stored = {row.key: row for row in session.exec(select(Meeting).where(Meeting.municipality == municipality))}
    seen: set[str] = set()
    kept: list[str] = []
    meetings_added = meetings_updated = 0
    for value in meetings:
        if value.body not in profile.bodies:
            raise Invalid(
                f"Mødet {value.key} hører til organet '{value.body}', som ikke findes i profilen {municipality}.",
                "body",
            )
        seen.add(value.key)
        meeting = stored.get(value.key)
        if meeting is None:
            meeting = stored[value.key] = Meeting(
                municipality=municipality,
                key=value.key,
                body_id=saved_id(bodies[value.body]),
                day=value.day,
                starts_at=local_start(value.day, value.time),
            )
            _copy(value, meeting)
            session.add(meeting)
            meetings_added += 1
        elif meeting.overridden:
            kept.append(value.key)
        elif _copy(value, meeting):
            meeting.sequence += 1
            meetings_updated += 1

    withdrawn = []
    if period is not None:
        for meeting in stored.values():
            if (
                meeting.key not in seen
                and not meeting.overridden
                and not meeting.cancelled
                and period[0] <= meeting.day <= period[1]
            ):
                meeting.status = MeetingStatus.CANCELLED
                meeting.sequence += 1
                withdrawn.append(meeting.key)
    session.flush()
    return SyncReport(added, updated, meetings_added, meetings_updated, tuple(kept), tuple(withdrawn))


def _bodies(session: Session, municipality: str) -> dict[str, Body]:
    return {row.key: row for row in session.exec(select(Body).where(Body.municipality == municipality))}


def _copy(value: MeetingValue, row: Meeting) -> bool:
    """Make `row` say what `value` says; True when something people would notice changed."""
    before = (row.day, row.starts_at, row.place, row.status, row.duration_minutes, row.moved_from)
    row.set_start(value.day, value.time)
    row.place, row.status = value.place, value.status
    row.duration_minutes, row.moved_from = value.duration_minutes, value.moved_from
    return before != (row.day, row.starts_at, row.place, row.status, row.duration_minutes, row.moved_from)


def load_meetings(
    session: Session, municipality: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[MeetingValue]:
    """The municipality's meetings as planner values, cancelled ones included, ordered like
    calendars.meetings.meeting_plan; optionally only those in [start, end]."""
    query = (
        select(Meeting, Body.key)
        .join(Body, col(Meeting.body_id) == col(Body.id))
        .where(Meeting.municipality == municipality)
    )
    if start is not None:
        query = query.where(Meeting.day >= start)
    if end is not None:
        query = query.where(Meeting.day <= end)
    values = [to_value(row, body_key) for row, body_key in session.exec(query)]
    return sorted(values, key=lambda m: (m.day, m.time, m.body))


def to_value(row: Meeting, body_key: str) -> MeetingValue:
    return MeetingValue(
        body=body_key,
        day=row.day,
        time=row.local_time,
        place=row.place,
        status=row.status,
        duration_minutes=row.duration_minutes,
        moved_from=row.moved_from,
    )


def _meeting(session: Session, municipality: str, key: str) -> Meeting:
    row = session.exec(select(Meeting).where(Meeting.municipality == municipality, Meeting.key == key)).first()
    if row is None:
        raise NotFound(f"Mødet '{key}' findes ikke for {municipality}. Synkronisér mødeplanen først.", "meeting", key)
    return row


def move_meeting(
    session: Session, municipality: str, key: str, new_day: dt.date, new_time: dt.time | None = None
) -> Meeting:
    """Move a meeting to `new_day` (and `new_time`; default: the same time of day).

    The key stays, so cases, reminders and calendar subscribers keep following the same meeting.
    Refused when the body already has another meeting that day.
    """
    row = _meeting(session, municipality, key)
    clash = session.exec(
        select(Meeting.key).where(
            Meeting.body_id == row.body_id,
            Meeting.day == new_day,
            Meeting.id != row.id,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    ).first()
    if clash is not None:
        raise Invalid(
            f"Organet har allerede mødet '{clash}' den {new_day.isoformat()}; flyt eller aflys det først.", "new_day"
        )
    original = row.moved_from or row.day
    row.set_start(new_day, new_time or row.local_time)
    row.moved_from = None if new_day == original else original
    row.overridden = True
    row.sequence += 1
    session.flush()
    return row


def cancel_meeting(session: Session, municipality: str, key: str) -> Meeting:
    """Cancel a meeting (aflyst). The row stays, so subscribers see the cancellation."""
    row = _meeting(session, municipality, key)
    if not row.cancelled:
        row.status = MeetingStatus.CANCELLED
        row.overridden = True
        row.sequence += 1
        session.flush()
    return row


def save_plan(session: Session, case: Case, plan: Plan, redo_from_stage: int | None = None) -> list[Consultation]:
    """Store `plan` as the case's consultations, one per step; returns the new rows.

    The case's undecided consultations are the old plan: they are deleted. Decided ones are
    history and stay. A step whose body already passed the case on in that stage (godkendt,
    anbefalet, taget til efterretning, drøftet) is not stored again, unless its stage is at or
    after `redo_from_stage` (the case was sent back and goes through those stages again). A step
    for a body that postponed the case ('udsat') becomes that body's next round.

    Saving bumps the case's version, so two planners saving the same case cannot both win.
    """
    if plan.route.key != case.route_key:
        raise Invalid(
            f"Planen følger ruten '{plan.route.key}', men sagen {case.journal_number} følger '{case.route_key}'.",
            "route",
        )
    if case.id is None:
        session.add(case)
        session.flush()
    bodies = _bodies(session, case.municipality)
    if missing := sorted({step.body.key for step in plan.steps} - bodies.keys()):
        raise NotFound(
            f"Organerne {', '.join(missing)} findes ikke for {case.municipality}. Synkronisér profilen først.",
            "body",
            ", ".join(missing),
        )
    meetings = _meetings_by_key(
        session, case.municipality, {m.key for step in plan.steps for m in (step.meeting, step.latest_meeting)}
    )

    decided = session.exec(
        select(Consultation.stage, Consultation.body_id, Consultation.round, Decision.outcome)
        .join(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(Consultation.case_id == case.id)
    ).all()
    last_round: dict[tuple[int, int], int] = {}
    passed: set[tuple[int, int]] = set()
    for stage, body_id, round_, outcome in decided:
        last_round[stage, body_id] = max(round_, last_round.get((stage, body_id), 0))
        if Outcome(outcome).advances:
            passed.add((stage, body_id))

    undecided = (
        select(Consultation.id)
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(Consultation.case_id == case.id, col(Decision.id).is_(None))
    )
    # A Core DELETE runs now; the ORM would order it after the INSERTs below.
    session.exec(sa.delete(Consultation).where(col(Consultation.id).in_(undecided.scalar_subquery())))

    rows = []
    for step in plan.steps:
        body_id = saved_id(bodies[step.body.key])
        place = (step.stage, body_id)
        if place in passed and (redo_from_stage is None or step.stage < redo_from_stage):
            continue
        row = Consultation(
            case_id=saved_id(case),
            stage=step.stage,
            body_id=body_id,
            round=last_round.get(place, 0) + 1,
            meeting_id=saved_id(meetings[step.meeting.key]),
            deadline=step.deadline,
            latest_meeting_id=saved_id(meetings[step.latest_meeting.key]),
            latest_deadline=step.latest_deadline,
            slack_working_days=step.slack_working_days,
            agenda_due=step.agenda_due,
        )
        session.add(row)
        rows.append(row)
    case.updated_at = utcnow()  # an UPDATE of the case row, which checks and bumps its version
    session.flush()
    return rows


def _meetings_by_key(session: Session, municipality: str, keys: set[str]) -> dict[str, Meeting]:
    found = {
        row.key: row
        for row in session.exec(select(Meeting).where(Meeting.municipality == municipality, col(Meeting.key).in_(keys)))
    }
    if missing := sorted(keys - found.keys()):
        raise NotFound(
            f"Planen bruger møder, der ikke findes i databasen for {municipality}: "
            f"{', '.join(missing)}. Synkronisér mødeplanen først.",
            "meeting",
            ", ".join(missing),
        )
    return found


def consultations(session: Session, case: Case) -> Sequence[Consultation]:
    """The case's consultations in route order, earlier rounds first."""
    return session.exec(
        select(Consultation)
        .where(Consultation.case_id == case.id)
        .order_by(col(Consultation.stage), col(Consultation.body_id), col(Consultation.round))
    ).all()
