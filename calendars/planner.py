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

Coupled stages: a body that takes the cases the previous stage treated in the same cycle (the
council after økonomiudvalget the week before, Body.takes_cases_from) takes a case on its first
meeting after the previous stage's meeting, whatever its own deadline, as long as the case was
submitted to the previous stage (that stage's deadline) by the day this body's agenda goes out
(Kommunestyrelseslovens § 8, stk. 4: 4 hverdage before). The step's deadline is then the previous
stage's meeting, bounded by that agenda day.

Common deadline: a parallel stage listed in Route.common_deadline shows one deadline for all its
bodies, the earliest of theirs.

Late additions: a case put on a meeting after its deadline (seed 003: Direktørforum on 19 March
2024 sent a case to Chefforum on 20 March) is a fact about that case and meeting, given as a
LateAddition; the planner takes that meeting for that body and plans the rest around it.

Everything runs on integer working-day positions (see MunicipalCalendar.position) and binary
search over each body's meetings, so a case costs a few microseconds; `plan_many` plans many
cases of one route, and `plan` is the same code for one case, turned into readable values. Re-planning after "udsat", "tilbagesendt" or a moved or cancelled meeting is
planning again with new facts: a later ready date, `held_after`, or a new Schedule.
The engine lives in calendars.plan_core, the Danish explanations in calendars.plan_errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from calendars.danish import long_date, short_date
from calendars.meetings import BodyMeetings, Meeting, Schedule
from calendars.plan_core import (
    LateAddition,
    PlanTable,
    Target,
    compile_route,
    grouped,
    plan_many,
    plan_positions,
    route_stages,
)
from calendars.plan_errors import (
    NoMeetingError,
    PlanningError,
    body_name,
    check_late_meetings,
    check_late_order,
    explain_missed_target,
    explain_missing_meeting,
)
from calendars.profiles import Body, Route, agenda_calendar
from calendars.workdays import DayOff, Recess

__all__ = [
    "LateAddition",
    "NoMeetingError",
    "Plan",
    "PlanTable",
    "PlanningError",
    "Step",
    "Target",
    "plan",
    "plan_many",
]


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
    common_deadline: bool = False  # the deadline is the stage's, shared by its parallel bodies
    coupled: bool = False  # taken on from the previous stage's meeting in the same cycle
    late: LateAddition | None = None  # put on the meeting after its deadline


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


def plan(
    route: Route,
    schedule: Schedule,
    ready: dt.date,
    target: Target | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
    late: Sequence[LateAddition] = (),
) -> Plan:
    """Plan one case; raises PlanningError saying why it cannot, and what can be reached."""
    if target is not None:
        if target.body not in route.stages[-1]:
            raise PlanningError(
                f"Målet skal være et møde i rutens sidste trin "
                f"({', '.join(schedule.profile.bodies[k].name for k in route.stages[-1])}), "
                f"ikke {body_name(schedule, target.body)}."
            )
        if target.day < ready:
            raise PlanningError(
                f"Måldatoen {long_date(target.day)} ligger før datoen, sagen er klar "
                f"({long_date(ready)}). Vælg en senere måldato eller en tidligere klar-dato."
            )
    late_by_body = {addition.body: addition for addition in late}
    check_late_meetings(route, schedule, late_by_body)
    calendar = schedule.calendar
    compiled = compile_route(route, schedule, gap, held_after, late_by_body)
    stages = route_stages(route, schedule)
    # Plan forward alone first, so that a missed target can say what is reachable.
    forward = plan_positions(compiled, calendar.position(ready), None)
    if forward.missing:
        explain_missing_meeting(schedule, *forward.missing)
    forward_first = grouped(compiled, forward.first)
    check_late_order(stages, forward_first, schedule, late_by_body)
    result = forward
    if target is not None:
        result = plan_positions(compiled, calendar.position(ready), target.day.toordinal())
        if not result.reached:
            explain_missed_target(result, forward_first, schedule, route, ready, target)

    steps = _steps(
        route,
        schedule,
        stages,
        compiled.coupled,
        grouped(compiled, result.first),
        grouped(compiled, result.last),
        compiled.gap,
        late_by_body,
    )
    latest_ready = calendar.day_at(result.latest_ready)
    end = max(step.latest_meeting.day for step in steps)
    start = min(ready, latest_ready)
    note = ""
    final = next(step for step in steps if target is None or step.body.key == target.body)
    if target is not None and final.latest_meeting.day != target.day:
        note = (
            f"{final.body.name} holder ikke møde {short_date(target.day)}; planen sigter mod det "
            f"seneste møde før: {long_date(final.latest_meeting.day)}."
        )
    return Plan(
        route=route,
        ready=ready,
        latest_ready=latest_ready,
        steps=tuple(steps),
        days_off=tuple(schedule.calendar.days_off_between(start, end)),
        recesses=tuple(schedule.calendar.recesses_between(start, end)),
        note=note,
    )


def _steps(
    route: Route,
    schedule: Schedule,
    stages: list[list[tuple[str, BodyMeetings]]],
    coupled_stages: Sequence[bool],
    first_indices: list[list[int]],
    last_indices: list[list[int]],
    gap: int,
    late: Mapping[str, LateAddition],
) -> list[Step]:
    calendar, profile = schedule.calendar, schedule.profile
    steps: list[Step] = []
    previous_held = previous_latest_held = None
    for stage_index, stage in enumerate(stages):
        chosen = list(zip(stage, first_indices[stage_index], last_indices[stage_index]))
        deadlines, coupled_flags = [], []
        for (key, meetings), first, last in chosen:
            earliest, latest = meetings.deadline_pos[first], meetings.deadline_pos[last]
            coupled = False
            if coupled_stages[stage_index] and key not in late:
                # The case comes from the previous stage's meeting in the same cycle: its deadline
                # here is that meeting, but no later than this meeting's agenda day.
                coupled = earliest < previous_held + gap
                earliest = max(earliest, min(previous_held, meetings.agenda_pos[first]))
                latest = max(latest, min(previous_latest_held, meetings.agenda_pos[last]))
            deadlines.append((earliest, latest))
            coupled_flags.append(coupled)
        common = stage_index + 1 in route.common_deadline
        if common:
            shared = (min(d for d, _ in deadlines), min(d for _, d in deadlines))
            deadlines = [shared] * len(deadlines)
        for ((key, meetings), first, last), (earliest, latest), coupled in zip(chosen, deadlines, coupled_flags):
            body = profile.bodies[key]
            meeting = meetings.meetings[first]
            steps.append(
                Step(
                    stage=stage_index + 1,
                    body=body,
                    meeting=meeting,
                    deadline=calendar.day_at(earliest),
                    latest_meeting=meetings.meetings[last],
                    latest_deadline=calendar.day_at(latest),
                    slack_working_days=latest - earliest,
                    agenda_due=body.agenda
                    and agenda_calendar(profile, body.agenda).add_working_days(
                        meeting.day, -body.agenda.working_days_before
                    ),
                    common_deadline=common,
                    coupled=coupled,
                    late=late.get(key),
                )
            )
        previous_held = max(meetings.held_pos[first] for (_, meetings), first, _ in chosen)
        previous_latest_held = max(meetings.held_pos[last] for (_, meetings), _, last in chosen)
    return steps
