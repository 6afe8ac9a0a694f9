"""How far ahead a plan needs meetings, and planning straight from a profile.

A plan needs the meetings from the earliest date it refers to (the ready date, a postponed or
late-added meeting) up to its final meeting, wherever that falls in the calendar's years
(1990–2100). `plan_for_profile` generates the meeting plan in growing spans until the route is
planned; `planning_period` gives that span to a caller that keeps meetings itself (the
database), so it can store exactly what the plan needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from calendars.danish import long_date
from calendars.meetings import Schedule
from calendars.planner import LateAddition, NoMeetingError, Plan, Target, plan
from calendars.profiles import Profile, Route

FIRST_SPAN = dt.timedelta(days=400)  # a year's cycle and a little: most plans fit at once


def plan_for_profile(
    profile: Profile,
    route: Route,
    ready: dt.date,
    target: Target | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
    late: Sequence[LateAddition] = (),
) -> Plan:
    """`calendars.planner.plan` against the profile's meetings, generated as far as needed."""
    return _plan_growing(profile, route, ready, target, gap, held_after, late)[1]


def planning_period(
    profile: Profile,
    route: Route,
    ready: dt.date,
    target: Target | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
    late: Sequence[LateAddition] = (),
) -> tuple[dt.date, dt.date]:
    """The first and last day whose meetings the plan needs (raises PlanningError like `plan`)."""
    return _plan_growing(profile, route, ready, target, gap, held_after, late)[0]


def _plan_growing(profile, route, ready, target, gap, held_after, late):
    calendar = profile.calendar
    start = min([ready, *(held_after or {}).values(), *(addition.day for addition in late)])
    end = max(ready, target.day if target else ready) + FIRST_SPAN
    while True:
        end = min(end, calendar.last_day)
        schedule = Schedule.for_period(profile, start, end)
        try:
            result = plan(route, schedule, ready, target, gap, held_after, late)
        except NoMeetingError as error:
            body = profile.bodies[error.body]
            if body.cadence is None:
                last = max((day for day, _ in body.meetings), default=None)
                if last is None:
                    message = f"{body.name} har ingen møder: organet har hverken en kadence eller en mødeplan."
                else:
                    message = (
                        f"{body.name} har intet møde {error.wanted}: organet har ingen kadence, og "
                        f"mødeplanen slutter {long_date(last)}."
                    )
                raise NoMeetingError(
                    message + " Tilføj møder til mødeplanen eller en kadence for organet.", error.body, error.wanted
                ) from None
            if end >= calendar.last_day:
                raise NoMeetingError(
                    f"{body.name} har intet møde {error.wanted} før kalenderens sidste dag, "
                    f"{long_date(calendar.last_day)}. Vælg en tidligere dato.",
                    error.body,
                    error.wanted,
                ) from None
            end = start + 2 * (end - start)
            continue
        return (start, max(step.latest_meeting.day for step in result.steps)), result
