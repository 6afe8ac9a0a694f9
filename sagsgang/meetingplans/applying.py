"""Store an imported meeting plan: the changes a Preview lists, in the caller's transaction.

Imported meetings are marked `overridden`: the adopted plan is a later decision than the
profile's cadence, so a later profile sync keeps them (models.store.sync_profile).
"""

from __future__ import annotations

from sqlmodel import Session, select

from calendars.meetings import MeetingStatus
from calendars.profiles import Profile
from models.store import cancel_meeting, move_meeting
from models.tables import Body, Meeting, local_start, saved_id
from sagsgang.meetingplans.comparison import Change, ChangeKind, Preview
from sagsgang.meetingplans.reading import PlanFileError, RowProblem


def apply_plan(session: Session, profile: Profile, preview: Preview) -> list[str]:
    """Make the database say what the preview says; returns the keys of the moved and cancelled
    meetings with cases on them, for the orchestrator to re-plan (meeting_changed) after the commit.

    Cancellations go first and new meetings last, so a move onto a day the plan frees is no clash.
    """
    order = (ChangeKind.CANCELLED, ChangeKind.MOVED, ChangeKind.CHANGED, ChangeKind.NEW)
    bodies = {b.key: b for b in session.exec(select(Body).where(Body.municipality == profile.key))}
    problems: list[RowProblem] = []
    for kind in order:
        for change in preview.of_kind(kind):
            try:
                _apply(session, profile, bodies, change)
            except (ValueError, LookupError) as error:
                problems.append(RowProblem(change.row or 0, str(error)))
    if problems:
        raise PlanFileError(problems)
    session.flush()
    return [c.key for c in preview.changes if c.replans and c.key]


def _apply(session: Session, profile: Profile, bodies: dict[str, Body], change: Change) -> None:
    if change.kind is ChangeKind.CANCELLED:
        cancel_meeting(session, profile.key, _key(change))
        return
    if change.kind is ChangeKind.NEW:
        session.add(
            Meeting(
                municipality=profile.key,
                key=f"{change.body}/{change.day.isoformat()}",
                body_id=saved_id(bodies[change.body]),
                day=change.day,
                starts_at=local_start(change.day, change.time),
                duration_minutes=profile.bodies[change.body].duration_minutes,
                place=change.place,
                status=MeetingStatus.PLANNED,
                overridden=True,
            )
        )
        return
    if change.kind is ChangeKind.MOVED:
        row = move_meeting(session, profile.key, _key(change), change.day, change.time)
    else:
        row = session.exec(
            select(Meeting).where(Meeting.municipality == profile.key, Meeting.key == _key(change))
        ).one()
        row.set_start(change.day, change.time)
        row.sequence += 1
    row.place, row.status, row.overridden = change.place, MeetingStatus.PLANNED, True


def _key(change: Change) -> str:
    if change.key is None:
        raise ValueError("A change of a stored meeting has its key")
    return change.key
