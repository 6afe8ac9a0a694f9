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

Everything runs on working-day positions (see MunicipalCalendar.position) over numpy arrays, so
`plan_many` plans thousands of cases at once; `plan` is the same code for one case, turned into
readable values. Re-planning after "udsat", "tilbagesendt" or a moved or cancelled meeting is
planning again with new facts: a later ready date, `held_after`, or a new Schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from calendars.danish import long_date, short_date
from calendars.meetings import Meeting, Schedule
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
    """Plans for many cases of one route, as arrays: index [stage][body] -> meeting index."""

    route: Route
    schedule: Schedule
    ready_pos: np.ndarray
    earliest: tuple[Mapping[str, np.ndarray], ...]  # unclipped: == len(meetings) when none
    latest: tuple[Mapping[str, np.ndarray], ...]  # -1 when none
    latest_ready_pos: np.ndarray
    ok: np.ndarray  # the case could be planned, and reaches its target

    def slack(self, stage: int, body: str) -> np.ndarray:
        meetings = self.schedule.by_body[body]
        return meetings.deadline_pos[self.latest[stage][body]] - meetings.deadline_pos[self.earliest[stage][body]]


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

    With a `target` (body of the final stage) every case aims at that body's last meeting on or
    before `target_days[i]` (default: `target.day`). `held_after` names bodies whose next
    treatment must come after a date with no new deadline (a postponed item, "udsat").
    """
    calendar = schedule.calendar
    gap = schedule.profile.gap_working_days if gap is None else gap
    held_after = held_after or {}
    ready_pos = np.fromiter((calendar.position(day) for day in ready), dtype=np.int64, count=len(ready))
    ok = np.ones(len(ready_pos), dtype=bool)

    earliest: list[dict[str, np.ndarray]] = []
    due = ready_pos
    for stage in route.stages:
        chosen, done = {}, np.full_like(ready_pos, np.iinfo(np.int64).min)
        for key in stage:
            meetings = schedule.by_body[key]
            if key in held_after:
                index = np.searchsorted(meetings.ordinals, held_after[key].toordinal(), "right")
                index = np.full_like(ready_pos, index)
            else:
                index = np.searchsorted(meetings.deadline_pos, due, "left")
            ok &= index < len(meetings.meetings)
            chosen[key] = index
            done = np.maximum(done, _take(meetings.held_pos, index))
        earliest.append(chosen)
        due = done + gap

    latest: list[dict[str, np.ndarray]] = [{} for _ in route.stages]
    final = len(route.stages) - 1
    if target is not None:
        days = target_days if target_days is not None else [target.day] * len(ready_pos)
        target_ordinals = np.fromiter((day.toordinal() for day in days), dtype=np.int64, count=len(days))
    bound = np.full_like(ready_pos, np.iinfo(np.int64).max)
    for stage_index in range(final, -1, -1):
        next_bound = np.full_like(ready_pos, np.iinfo(np.int64).max)
        for key in route.stages[stage_index]:
            meetings = schedule.by_body[key]
            if stage_index < final:
                index = np.searchsorted(meetings.held_pos, bound - gap, "right") - 1
            elif target is not None:
                index = np.searchsorted(meetings.ordinals, target_ordinals, "right") - 1
            else:
                index = np.minimum(earliest[stage_index][key], len(meetings.meetings) - 1)
            ok &= (index >= 0) & (index >= earliest[stage_index][key])
            latest[stage_index][key] = index
            next_bound = np.minimum(next_bound, _take(meetings.deadline_pos, index))
        bound = next_bound

    # Failed cases keep in-range indices so that the arrays can be read without checks.
    for stage_index, stage in enumerate(route.stages):
        for key in stage:
            size = len(schedule.by_body[key].meetings)
            earliest[stage_index][key] = np.clip(earliest[stage_index][key], 0, max(size - 1, 0))
            latest[stage_index][key] = np.clip(latest[stage_index][key], 0, max(size - 1, 0))
    return PlanTable(route, schedule, ready_pos, tuple(earliest), tuple(latest), bound, ok)


def _take(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return np.zeros_like(index)
    return values[np.clip(index, 0, len(values) - 1)]


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
    # Plan forward alone first, so that a missed target can say what is reachable.
    forward = plan_many(route, schedule, [ready], gap=gap, held_after=held_after)
    _explain_missing_meeting(forward, schedule, route, ready, held_after or {})
    table = forward
    if target is not None:
        table = plan_many(route, schedule, [ready], target, gap=gap, held_after=held_after)
        if not table.ok[0]:
            _explain_missed_target(table, forward, schedule, route, ready, target)

    steps = []
    for stage_index, stage in enumerate(route.stages):
        for key in stage:
            meetings = schedule.by_body[key]
            first = int(table.earliest[stage_index][key][0])
            last = int(table.latest[stage_index][key][0])
            body = schedule.profile.bodies[key]
            meeting = meetings.meetings[first]
            steps.append(Step(
                stage=stage_index + 1,
                body=body,
                meeting=meeting,
                deadline=schedule.calendar.day_at(int(meetings.deadline_pos[first])),
                latest_meeting=meetings.meetings[last],
                latest_deadline=schedule.calendar.day_at(int(meetings.deadline_pos[last])),
                slack_working_days=int(meetings.deadline_pos[last] - meetings.deadline_pos[first]),
                agenda_due=body.agenda and agenda_calendar(schedule.profile, body.agenda).add_working_days(
                    meeting.day, -body.agenda.working_days_before),
            ))
    latest_ready = schedule.calendar.day_at(int(table.latest_ready_pos[0]))
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


def _explain_missing_meeting(table: PlanTable, schedule: Schedule, route: Route, ready: dt.date,
                             held_after: Mapping[str, dt.date]) -> None:
    if table.ok[0]:
        return
    # Re-walk the forward pass to name the first body that ran out of meetings.
    calendar, gap = schedule.calendar, schedule.profile.gap_working_days
    due = calendar.position(ready)
    for stage in route.stages:
        done = None
        for key in stage:
            meetings = schedule.by_body[key]
            if key in held_after:
                index = int(np.searchsorted(meetings.ordinals, held_after[key].toordinal(), "right"))
            else:
                index = int(np.searchsorted(meetings.deadline_pos, due, "left"))
            if index >= len(meetings.meetings):
                last = max((m.day for m in schedule.all_meetings), default=ready)
                raise PlanningError(
                    f"{_body_name(schedule, key)} har intet møde med sagsfrist på eller efter "
                    f"{long_date(calendar.day_at(due))} i mødeplanen, der rækker til {long_date(last)}. "
                    "Tilføj møder til mødeplanen eller en kadence for organet."
                )
            held = int(meetings.held_pos[index])
            done = held if done is None else max(done, held)
        due = done + gap


def _explain_missed_target(table: PlanTable, forward: PlanTable, schedule: Schedule, route: Route,
                           ready: dt.date, target: Target) -> None:
    final_stage = len(route.stages) - 1
    reachable = schedule.by_body[target.body].meetings[int(forward.earliest[final_stage][target.body][0])]
    name = _body_name(schedule, target.body)
    earliest_text = f"Tidligst mulige møde i {name}: {long_date(reachable.day)}."
    if int(np.searchsorted(schedule.by_body[target.body].ordinals, target.day.toordinal(), "right")) == 0:
        raise PlanningError(f"{name} har intet møde på eller før {long_date(target.day)} i mødeplanen. "
                            + earliest_text, reachable)
    latest_ready = schedule.calendar.day_at(int(table.latest_ready_pos[0]))
    raise PlanningError(
        f"{name} {short_date(target.day)} kan ikke nås: sagen skulle være klar senest "
        f"{long_date(latest_ready)}, men er først klar {long_date(ready)}. " + earliest_text,
        reachable,
    )
