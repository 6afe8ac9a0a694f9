"""The meetings a case is planned on: the profile's meeting plan kept in the database for the
planner's horizon, bodies' meetings moved or cancelled, and planning a route on them with a Danish
reason when it cannot be done (docs/architecture.md § 1).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, func, select

from calendars.danish import long_date
from calendars.meetings import Schedule, meeting_plan
from calendars.planner import Plan, PlanningError, Target, plan
from calendars.profiles import Profile, Route
from calendars.workdays import CalendarRangeError
from models.store import cancel_meeting, move_meeting, sync_profile
from models.tables import Body, Meeting
from sagsgang.inputs import UserError

# How far ahead meetings are kept in the database for planning (the planner's horizon).
HORIZON = dt.timedelta(days=3 * 365)
LOOKBACK = dt.timedelta(days=62)


def plan_route(
    route: Route,
    schedule: Schedule,
    ready: dt.date,
    target: Target | None,
    held_after: dict[str, dt.date] | None = None,
    keep_going: bool = False,
) -> Plan:
    """Plan, or a UserError saying why not. With keep_going, a target that can no longer be
    reached (after 'udsat', a missed deadline) gives the earliest plan instead."""
    try:
        return plan(route, schedule, ready, target, held_after=held_after)
    except PlanningError as error:
        if target is not None and keep_going:
            return plan_route(route, schedule, ready, None, held_after)
        raise UserError(str(error), "target_date" if target is not None else "ready") from None
    except CalendarRangeError as error:
        raise UserError(str(error), "ready") from None


def ensure_meetings(session: Session, profile: Profile, start: dt.date, end: dt.date) -> None:
    """The profile's meetings in [start, end] are in the database (only missing ends are added,
    so moves and cancellations made here are kept)."""
    first, last = session.exec(
        select(func.min(Meeting.day), func.max(Meeting.day)).where(Meeting.municipality == profile.key)
    ).one()
    spans = (
        [(start, end)] if first is None else [(start, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), end)]
    )
    for span_start, span_end in spans:
        if span_start <= span_end:
            sync_profile(session, profile, meeting_plan(profile, span_start, span_end))


def change_meeting(
    session: Session,
    profile: Profile,
    body: str,
    day: dt.date,
    new_day: dt.date | None = None,
    new_time: dt.time | None = None,
) -> Meeting:
    """Move (new_day) or cancel the body's meeting on `day`; the cases on it are re-planned by
    put_on_meetings (the lifecycle flow). Raises UserError (Danish) when there is no such meeting."""
    if body not in profile.bodies:
        raise UserError(f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.")
    ensure_meetings(session, profile, day - LOOKBACK, max(day, new_day or day) + HORIZON)
    row = session.exec(
        select(Meeting)
        .join(Body, col(Body.id) == col(Meeting.body_id))
        .where(Meeting.municipality == profile.key, Body.key == body, Meeting.day == day)
    ).first()
    if row is None or row.cancelled:
        state = "er allerede aflyst" if row is not None else "findes ikke"
        raise UserError(
            f"Mødet i {profile.bodies[body].name} {long_date(day)} {state}. "
            f"Se mødeplanen med: sagsgang møder --kommune {profile.key} --organ {body} --fra … --til …"
        )
    try:
        if new_day is None:
            return cancel_meeting(session, profile.key, row.key)
        return move_meeting(session, profile.key, row.key, new_day, new_time)
    except (ValueError, LookupError) as error:
        raise UserError(str(error)) from None
