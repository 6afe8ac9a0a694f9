"""Why a route cannot be planned as asked, in Danish: the planner's errors and their messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from calendars.danish import long_date, short_date
from calendars.meetings import BodyMeetings, Meeting, Schedule
from calendars.plan_core import LateAddition, Positions, Target
from calendars.profiles import Route


class PlanningError(ValueError):
    """The route cannot be planned as asked; says why and, where known, what can be reached."""

    def __init__(self, message: str, earliest_reachable: Meeting | None = None) -> None:
        super().__init__(message)
        self.earliest_reachable = earliest_reachable


class NoMeetingError(PlanningError):
    """A body on the route has no meeting the case can reach in the meetings planned against."""

    def __init__(self, message: str, body: str, wanted: str) -> None:
        super().__init__(message)
        self.body, self.wanted = body, wanted  # wanted: e.g. "med sagsfrist på eller efter …"


def check_late_meetings(route: Route, schedule: Schedule, late: Mapping[str, LateAddition]) -> None:
    on_route = {key for stage in route.stages for key in stage}
    for key, addition in late.items():
        if key not in on_route:
            raise PlanningError(
                f"Sagen kan ikke eftersendes til {body_name(schedule, key)}: organet er ikke på ruten {route.name}."
            )
        if addition.day not in {m.day for m in schedule.by_body[key].meetings}:
            raise PlanningError(
                f"{body_name(schedule, key)} holder ikke møde {long_date(addition.day)}, "
                "så sagen kan ikke eftersendes dertil. Vælg et møde i mødeplanen."
            )


def check_late_order(
    stages: list[list[tuple[str, BodyMeetings]]],
    forward_first: list[list[int]],
    schedule: Schedule,
    late: Mapping[str, LateAddition],
) -> None:
    """A late addition still comes after the previous stage's treatment."""
    if not late:
        return
    for stage_index, stage in enumerate(stages[1:], start=1):
        before = [
            (meetings.meetings[index], key)
            for (key, meetings), index in zip(stages[stage_index - 1], forward_first[stage_index - 1])
        ]
        previous, previous_key = max(before, key=lambda item: item[0].day)
        for key, _ in stage:
            if key in late and late[key].day < previous.day:
                raise PlanningError(
                    f"Sagen kan ikke eftersendes til {body_name(schedule, key)} {long_date(late[key].day)}: "
                    f"den behandles først i {body_name(schedule, previous_key)} {long_date(previous.day)}."
                )


def body_name(schedule: Schedule, key: str) -> str:
    body = schedule.profile.bodies.get(key)
    return body.name if body else f"'{key}'"


def explain_missing_meeting(schedule: Schedule, key: str, needed: int, postponed: bool) -> None:
    last = max((m.day for m in schedule.all_meetings), default=None)
    reach = f", der rækker til {long_date(last)}" if last else ""
    if postponed:
        wanted = f"efter {long_date(dt.date.fromordinal(needed))}"
    else:
        wanted = f"med sagsfrist på eller efter {long_date(schedule.calendar.day_at(needed))}"
    raise NoMeetingError(
        f"{body_name(schedule, key)} har intet møde {wanted} i mødeplanen{reach}. "
        "Tilføj møder til mødeplanen eller en kadence for organet.",
        key,
        wanted,
    )


def explain_missed_target(
    result: Positions, forward_first: list[list[int]], schedule: Schedule, route: Route, ready: dt.date, target: Target
) -> None:
    final = route.stages[-1]
    reachable = schedule.by_body[target.body].meetings[forward_first[-1][final.index(target.body)]]
    name = body_name(schedule, target.body)
    earliest_text = f"Tidligst mulige møde i {name}: {long_date(reachable.day)}."
    if result.blocked:
        key, position, ordinal = result.blocked
        limit = dt.date.fromordinal(ordinal) if ordinal is not None else schedule.calendar.day_at(position)
        because = "" if key == target.body else f"{name} {short_date(target.day)} kan ikke nås: "
        raise PlanningError(
            f"{because}{body_name(schedule, key)} har intet møde på eller før "
            f"{long_date(limit)} i mødeplanen. " + earliest_text,
            reachable,
        )
    latest_ready = schedule.calendar.day_at(result.latest_ready)
    raise PlanningError(
        f"{name} {short_date(target.day)} kan ikke nås: sagen skulle være klar senest "
        f"{long_date(latest_ready)}, men er først klar {long_date(ready)}. " + earliest_text,
        reachable,
    )
