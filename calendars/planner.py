"""The route planner: earliest and latest meeting for every stage of a case's route.

A pure function of (route, schedule, ready date, target): no I/O, no clock, no Prefect.

Forward (earliest): from the ready date, each body of a stage takes its first meeting whose
submission deadline is on or after the date the case is ready for it. A stage is done when its
last parallel meeting is held; the next stage's deadline must then lie at least `gap` working
days later.

Backward (latest): from the target meeting (by default the forward plan's final meeting), each
earlier body takes its last meeting that still leaves `gap` working days before the next
stage's earliest deadline. The first stage's deadline is the latest date the case can be ready.

Slack is the number of working days between a step's earliest and latest deadline.

Everything runs on integer working-day positions (see MunicipalCalendar.position) and binary
search over each body's meetings, so a case costs a few microseconds; `plan_many` plans many
cases of one route, and `plan` is the same code for one case, turned into readable values. Re-planning after "udsat", "tilbagesendt" or a moved or cancelled meeting is
planning again with new facts: a later ready date, `held_after`, or a new Schedule.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from calendars.danish import long_date, short_date
from calendars.meetings import BodyMeetings, Meeting, Schedule
from calendars.profiles import Body, Route, agenda_calendar
from calendars.workdays import DayOff, Recess


class PlanningError(ValueError):
    """The route cannot be planned as asked; says why and, where known, what can be reached."""

    def __init__(self, message: str, earliest_reachable: Meeting | None = None) -> None:
        super().__init__(message)
        self.earliest_reachable = earliest_reachable


@dataclass(frozen=True)
class Target:
    """Reach this body's meeting on `day` at the latest (its last meeting on or before `day`)."""

    body: str
    day: dt.date


@dataclass(frozen=True, slots=True)
class Step:
    stage: int  # 1-based
    body: Body
    meeting: Meeting  # earliest
    deadline: dt.date
    latest_meeting: Meeting
    latest_deadline: dt.date
    slack_working_days: int
    agenda_due: dt.date | None  # when the agenda must go out, for bodies with such a rule


@dataclass(frozen=True)
class Plan:
    route: Route
    ready: dt.date
    latest_ready: dt.date  # the latest the case can be ready and still make the final meeting
    steps: tuple[Step, ...]
    days_off: tuple[DayOff, ...]  # holidays and closing days inside the plan
    recesses: tuple[tuple[Recess, dt.date, dt.date], ...]  # recess spans inside the plan
    note: str = ""  # e.g. that the target date was not itself a meeting day

    @property
    def final(self) -> Step:
        return self.steps[-1]


@dataclass(frozen=True)
class PlanTable:
    """Plans for many cases of one route: index [stage][body][case] -> meeting index.

    Meeting indices point into `schedule.by_body[body].meetings`. A case that could not be
    planned (`ok[case]` false) still has in-range indices, so the table reads without checks.
    """

    route: Route
    schedule: Schedule
    ready_pos: list[int]
    earliest: tuple[Mapping[str, list[int]], ...]
    latest: tuple[Mapping[str, list[int]], ...]
    latest_ready_pos: list[int]
    ok: list[bool]

    def slack(self, stage: int, body: str) -> list[int]:
        deadline = self.schedule.by_body[body].deadline_pos
        return [deadline[last] - deadline[first]
                for first, last in zip(self.earliest[stage][body], self.latest[stage][body])]


def plan_many(
    route: Route,
    schedule: Schedule,
    ready: Sequence[dt.date],
    target: Target | None = None,
    target_days: Sequence[dt.date] | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
) -> PlanTable:
    """Plan every case of `route` whose material is ready on `ready[i]`.

    With a `target` (a body of the final stage) every case aims at that body's last meeting on
    or before `target_days[i]` (default: `target.day`). `held_after` names bodies whose next
    treatment must come after a date, with no new deadline (a postponed item, "udsat").
    """
    calendar = schedule.calendar
    gap = schedule.profile.gap_working_days if gap is None else gap
    after = {key: day.toordinal() for key, day in (held_after or {}).items()}
    stages = _stages(route, schedule)
    if target is not None and target_days is None:
        target_days = [target.day] * len(ready)
    earliest = tuple({key: [] for key in stage} for stage in route.stages)
    latest = tuple({key: [] for key in stage} for stage in route.stages)
    ready_positions, latest_ready, ok = [], [], []
    # A plan depends only on the ready position and the target; cases share them often.
    known: dict[tuple[int, int | None], _Positions] = {}
    for case, day in enumerate(ready):
        due = calendar.position(day)
        ready_positions.append(due)
        target_ordinal = target_days[case].toordinal() if target is not None else None
        result = known.get((due, target_ordinal))
        if result is None:
            result = known[due, target_ordinal] = _plan_positions(stages, gap, due, target_ordinal, after)
        for stage_index, stage in enumerate(stages):
            for (key, _), index in zip(stage, result.first[stage_index]):
                earliest[stage_index][key].append(index)
            for (key, _), index in zip(stage, result.last[stage_index]):
                latest[stage_index][key].append(index)
        latest_ready.append(result.latest_ready)
        ok.append(result.reached)
    return PlanTable(route, schedule, ready_positions, earliest, latest, latest_ready, ok)


class _Positions(NamedTuple):
    first: list[list[int]]  # earliest meeting index per stage and body
    last: list[list[int]]  # latest meeting index per stage and body
    latest_ready: int  # position of the first stage's latest deadline
    reached: bool
    # forward: the body that ran out of meetings, and the position or ordinal it needed one after
    missing: tuple[str, int, bool] | None = None
    # backward: the body with no meeting early enough, and the last day that would do, as a
    # working-day position (earlier stages) or an ordinal (the target day)
    blocked: tuple[str, int | None, int | None] | None = None


def _stages(route: Route, schedule: Schedule) -> list[list[tuple[str, BodyMeetings]]]:
    return [[(key, schedule.by_body[key]) for key in stage] for stage in route.stages]


def _plan_positions(stages, gap, due, target_ordinal, after) -> _Positions:
    """One case, in working-day positions: earliest and latest meeting per stage and body."""
    reached, missing, blocked = True, None, None
    first = []
    for stage in stages:
        chosen, done = [], None
        for key, meetings in stage:
            if key in after:  # postponed: the next meeting after that day, deadline already met
                index = bisect_right(meetings.ordinals, after[key])
            else:
                index = bisect_left(meetings.deadline_pos, due)
            if index >= len(meetings.meetings):
                reached, index = False, len(meetings.meetings) - 1
                missing = missing or ((key, after[key], True) if key in after else (key, due, False))
            if index < 0:
                nothing = [[0] * len(stage) for stage in stages]
                return _Positions(nothing, nothing, due, False, missing)
            chosen.append(index)
            held = meetings.held_pos[index]
            done = held if done is None or held > done else done
        first.append(chosen)
        due = done + gap

    last = [[] for _ in stages]
    final = len(stages) - 1
    bound = None
    for stage_index in range(final, -1, -1):
        next_bound = None
        for (key, meetings), earliest in zip(stages[stage_index], first[stage_index]):
            if stage_index < final:
                index = bisect_right(meetings.held_pos, bound - gap) - 1
            elif target_ordinal is not None:
                index = bisect_right(meetings.ordinals, target_ordinal) - 1
            else:
                index = earliest
            if index < 0 and blocked is None:
                blocked = (key, None, target_ordinal) if stage_index == final else (key, bound - gap, None)
            if index < earliest:
                reached, index = False, max(index, 0)
            last[stage_index].append(index)
            deadline = meetings.deadline_pos[index]
            next_bound = deadline if next_bound is None or deadline < next_bound else next_bound
        bound = next_bound
    return _Positions(first, last, bound, reached, missing, blocked)


def plan(
    route: Route,
    schedule: Schedule,
    ready: dt.date,
    target: Target | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
) -> Plan:
    """Plan one case; raises PlanningError saying why it cannot, and what can be reached."""
    if target is not None:
        if target.body not in route.stages[-1]:
            raise PlanningError(
                f"Målet skal være et møde i rutens sidste trin "
                f"({', '.join(schedule.profile.bodies[k].name for k in route.stages[-1])}), "
                f"ikke {_body_name(schedule, target.body)}."
            )
        if target.day < ready:
            raise PlanningError(
                f"Måldatoen {long_date(target.day)} ligger før datoen, sagen er klar "
                f"({long_date(ready)}). Vælg en senere måldato eller en tidligere klar-dato."
            )
    calendar = schedule.calendar
    gap = schedule.profile.gap_working_days if gap is None else gap
    after = {key: day.toordinal() for key, day in (held_after or {}).items()}
    stages = _stages(route, schedule)
    # Plan forward alone first, so that a missed target can say what is reachable.
    forward = _plan_positions(stages, gap, calendar.position(ready), None, after)
    if forward.missing:
        _explain_missing_meeting(schedule, *forward.missing)
    result = forward
    if target is not None:
        result = _plan_positions(stages, gap, calendar.position(ready), target.day.toordinal(), after)
        if not result.reached:
            _explain_missed_target(result, forward, schedule, route, ready, target)

    steps = []
    for stage_index, stage in enumerate(stages):
        for (key, meetings), first, last in zip(stage, result.first[stage_index], result.last[stage_index]):
            body = schedule.profile.bodies[key]
            meeting = meetings.meetings[first]
            steps.append(Step(
                stage=stage_index + 1,
                body=body,
                meeting=meeting,
                deadline=calendar.day_at(meetings.deadline_pos[first]),
                latest_meeting=meetings.meetings[last],
                latest_deadline=calendar.day_at(meetings.deadline_pos[last]),
                slack_working_days=meetings.deadline_pos[last] - meetings.deadline_pos[first],
                agenda_due=body.agenda and agenda_calendar(schedule.profile, body.agenda).add_working_days(
                    meeting.day, -body.agenda.working_days_before),
            ))
    latest_ready = calendar.day_at(result.latest_ready)
    end = max(step.latest_meeting.day for step in steps)
    start = min(ready, latest_ready)
    note = ""
    final = next(step for step in steps if target is None or step.body.key == target.body)
    if target is not None and final.latest_meeting.day != target.day:
        note = (f"{final.body.name} holder ikke møde {short_date(target.day)}; planen sigter mod det "
                f"seneste møde før: {long_date(final.latest_meeting.day)}.")
    return Plan(
        route=route,
        ready=ready,
        latest_ready=latest_ready,
        steps=tuple(steps),
        days_off=tuple(schedule.calendar.days_off_between(start, end)),
        recesses=tuple(schedule.calendar.recesses_between(start, end)),
        note=note,
    )


def _body_name(schedule: Schedule, key: str) -> str:
    body = schedule.profile.bodies.get(key)
    return body.name if body else f"'{key}'"


def _explain_missing_meeting(schedule: Schedule, key: str, needed: int, postponed: bool) -> None:
    last = max((m.day for m in schedule.all_meetings), default=None)
    reach = f", der rækker til {long_date(last)}" if last else ""
    if postponed:
        wanted = f"efter {long_date(dt.date.fromordinal(needed))}"
    else:
        wanted = f"med sagsfrist på eller efter {long_date(schedule.calendar.day_at(needed))}"
    raise PlanningError(
        f"{_body_name(schedule, key)} har intet møde {wanted} i mødeplanen{reach}. "
        "Tilføj møder til mødeplanen eller en kadence for organet."
    )


def _explain_missed_target(result: _Positions, forward: _Positions, schedule: Schedule, route: Route,
                           ready: dt.date, target: Target) -> None:
    final = route.stages[-1]
    reachable = schedule.by_body[target.body].meetings[forward.first[-1][final.index(target.body)]]
    name = _body_name(schedule, target.body)
    earliest_text = f"Tidligst mulige møde i {name}: {long_date(reachable.day)}."
    if result.blocked:
        key, position, ordinal = result.blocked
        limit = dt.date.fromordinal(ordinal) if ordinal is not None else schedule.calendar.day_at(position)
        because = "" if key == target.body else f"{name} {short_date(target.day)} kan ikke nås: "
        raise PlanningError(f"{because}{_body_name(schedule, key)} har intet møde på eller før "
                            f"{long_date(limit)} i mødeplanen. " + earliest_text, reachable)
    latest_ready = schedule.calendar.day_at(result.latest_ready)
    raise PlanningError(
        f"{name} {short_date(target.day)} kan ikke nås: sagen skulle være klar senest "
        f"{long_date(latest_ready)}, men er først klar {long_date(ready)}. " + earliest_text,
        reachable,
    )
