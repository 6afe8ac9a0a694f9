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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bisect import bisect_left, bisect_right

from calendars.danish import long_date, short_date
from calendars.meetings import BodyMeetings, Meeting, Schedule
from calendars.profiles import Body, Route, agenda_calendar
from calendars.workdays import DayOff, Recess


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


@dataclass(frozen=True)
class LateAddition:
    """The case goes on `body`'s meeting on `day` although its deadline has passed."""

    body: str
    day: dt.date
    decided_by: str = ""  # e.g. "Kommunaldirektøren"


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
    coupled: tuple[bool, ...] = ()  # per stage: takes the previous stage's cases (see module doc)
    late: frozenset[str] = frozenset()  # bodies every case was added to late

    def deadline_positions(self, stage: int, body: str) -> tuple[list[int], list[int]]:
        """Each case's earliest and latest deadline for `body`, as plan() shows them (before a
        common deadline is applied)."""
        meetings = self.schedule.by_body[body]
        earliest, latest = self.earliest[stage][body], self.latest[stage][body]
        first = [meetings.deadline_pos[i] for i in earliest]
        last = [meetings.deadline_pos[i] for i in latest]
        if self.coupled and self.coupled[stage] and body not in self.late:
            agenda = meetings.agenda_pos
            for shown, chosen, previous in ((first, earliest, self.earliest), (last, latest, self.latest)):
                held = self._held(stage - 1, previous)
                shown[:] = [max(d, min(h, agenda[i])) for d, h, i in zip(shown, held, chosen)]
        return first, last

    def _held(self, stage: int, table: tuple[Mapping[str, list[int]], ...]) -> list[int]:
        columns = [[self.schedule.by_body[key].held_pos[i] for i in table[stage][key]] for key in table[stage]]
        return [max(values) for values in zip(*columns)]

    def slack(self, stage: int, body: str) -> list[int]:
        if stage + 1 in self.route.common_deadline:
            pairs = [self.deadline_positions(stage, key) for key in self.route.stages[stage]]
            first = [min(values) for values in zip(*(pair[0] for pair in pairs))]
            last = [min(values) for values in zip(*(pair[1] for pair in pairs))]
        else:
            first, last = self.deadline_positions(stage, body)
        return [b - a for a, b in zip(first, last)]


def plan_many(
    route: Route,
    schedule: Schedule,
    ready: Sequence[dt.date],
    target: Target | None = None,
    target_days: Sequence[dt.date] | None = None,
    gap: int | None = None,
    held_after: Mapping[str, dt.date] | None = None,
    late: Sequence[LateAddition] = (),
) -> PlanTable:
    """Plan every case of `route` whose material is ready on `ready[i]`.

    With a `target` (a body of the final stage) every case aims at that body's last meeting on
    or before `target_days[i]` (default: `target.day`). `held_after` names bodies whose next
    treatment must come after a date, with no new deadline (a postponed item, "udsat"); `late`
    puts every case on the named meetings past their deadline.
    """
    calendar = schedule.calendar
    gap = schedule.profile.gap_working_days if gap is None else gap
    after = {key: day.toordinal() for key, day in (held_after or {}).items()}
    after.update((addition.body, -addition.day.toordinal()) for addition in late)
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
    return PlanTable(route, schedule, ready_positions, earliest, latest, latest_ready, ok,
                     tuple(stage.coupled for stage in stages), frozenset(a.body for a in late))


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


class _Stage(list):
    """A stage's (body key, BodyMeetings) pairs; `coupled` when it takes the previous stage's cases."""

    coupled = False


def _stages(route: Route, schedule: Schedule) -> list[_Stage]:
    stages = []
    for index, keys in enumerate(route.stages):
        stage = _Stage((key, schedule.by_body[key]) for key in keys)
        previous = route.stages[index - 1] if index else ()
        bodies = schedule.profile.bodies
        stage.coupled = bool(previous) and all(
            set(previous) <= set(bodies[key].takes_cases_from) for key in keys)
        stages.append(stage)
    return stages


def _plan_positions(stages, gap, due, target_ordinal, after) -> _Positions:
    """One case, in working-day positions: earliest and latest meeting per stage and body.

    `after[key]` > 0: postponed, the next meeting after that ordinal; < 0: a late addition to
    the meeting on that (negated) ordinal.
    """
    reached, missing, blocked = True, None, None
    first = []
    previous_day = previous_deadline = None
    for stage in stages:
        chosen, done, day, deadline = [], None, None, None
        for key, meetings in stage:
            if key in after:
                if after[key] < 0:  # late addition: that meeting, deadline waived
                    index = bisect_left(meetings.ordinals, -after[key])
                else:  # postponed: the next meeting after that day, deadline already met
                    index = bisect_right(meetings.ordinals, after[key])
            else:
                index = bisect_left(meetings.deadline_pos, due)
                if stage.coupled:  # or the first meeting after the previous one, same cycle
                    coupled = max(bisect_right(meetings.ordinals, previous_day),
                                  bisect_left(meetings.agenda_pos, previous_deadline))
                    index = coupled if coupled < index else index
            if index >= len(meetings.meetings):
                reached, index = False, len(meetings.meetings) - 1
                missing = missing or ((key, after[key], True) if key in after else (key, due, False))
            if index < 0:
                nothing = [[0] * len(stage) for stage in stages]
                return _Positions(nothing, nothing, due, False, missing)
            chosen.append(index)
            held = meetings.held_pos[index]
            done = held if done is None or held > done else done
            ordinal, own = meetings.ordinals[index], meetings.deadline_pos[index]
            day = ordinal if day is None or ordinal > day else day
            deadline = own if deadline is None or own > deadline else deadline
        first.append(chosen)
        due = done + gap
        previous_day, previous_deadline = day, deadline

    last = [[] for _ in stages]
    final = len(stages) - 1
    bound = next_day = next_agenda = None
    for stage_index in range(final, -1, -1):
        next_bound = stage_day = stage_agenda = None
        coupled_next = stage_index < final and stages[stage_index + 1].coupled
        for (key, meetings), earliest in zip(stages[stage_index], first[stage_index]):
            if key in after and after[key] < 0:
                index = earliest  # a late addition is a fact, not a choice
            elif stage_index < final:
                index = bisect_right(meetings.held_pos, bound - gap) - 1
                if coupled_next:  # or the last meeting the next stage's takes cases from
                    coupled = min(bisect_left(meetings.ordinals, next_day),
                                  bisect_right(meetings.deadline_pos, next_agenda)) - 1
                    index = coupled if coupled > index else index
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
            if key in after and after[key] < 0:  # earlier stages need only be held by then
                deadline = meetings.held_pos[index] + gap
            next_bound = deadline if next_bound is None or deadline < next_bound else next_bound
            ordinal, agenda = meetings.ordinals[index], meetings.agenda_pos[index]
            stage_day = ordinal if stage_day is None or ordinal < stage_day else stage_day
            stage_agenda = agenda if stage_agenda is None or agenda < stage_agenda else stage_agenda
        bound, next_day, next_agenda = next_bound, stage_day, stage_agenda
    return _Positions(first, last, bound, reached, missing, blocked)


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
                f"ikke {_body_name(schedule, target.body)}."
            )
        if target.day < ready:
            raise PlanningError(
                f"Måldatoen {long_date(target.day)} ligger før datoen, sagen er klar "
                f"({long_date(ready)}). Vælg en senere måldato eller en tidligere klar-dato."
            )
    late_by_body = {addition.body: addition for addition in late}
    _check_late_meetings(route, schedule, late_by_body)
    calendar = schedule.calendar
    gap = schedule.profile.gap_working_days if gap is None else gap
    after = {key: day.toordinal() for key, day in (held_after or {}).items()}
    after.update((key, -addition.day.toordinal()) for key, addition in late_by_body.items())
    stages = _stages(route, schedule)
    # Plan forward alone first, so that a missed target can say what is reachable.
    forward = _plan_positions(stages, gap, calendar.position(ready), None, after)
    if forward.missing:
        _explain_missing_meeting(schedule, *forward.missing)
    _check_late_order(stages, forward, schedule, late_by_body)
    result = forward
    if target is not None:
        result = _plan_positions(stages, gap, calendar.position(ready), target.day.toordinal(), after)
        if not result.reached:
            _explain_missed_target(result, forward, schedule, route, ready, target)

    steps = _steps(route, schedule, stages, result, gap, late_by_body)
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


def _steps(route: Route, schedule: Schedule, stages: list[_Stage], result: _Positions, gap: int,
           late: Mapping[str, LateAddition]) -> list[Step]:
    calendar, profile = schedule.calendar, schedule.profile
    steps: list[Step] = []
    previous_held = previous_latest_held = None
    for stage_index, stage in enumerate(stages):
        chosen = list(zip(stage, result.first[stage_index], result.last[stage_index]))
        deadlines, coupled_flags = [], []
        for (key, meetings), first, last in chosen:
            earliest, latest = meetings.deadline_pos[first], meetings.deadline_pos[last]
            coupled = False
            if stage.coupled and key not in late:
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
            steps.append(Step(
                stage=stage_index + 1,
                body=body,
                meeting=meeting,
                deadline=calendar.day_at(earliest),
                latest_meeting=meetings.meetings[last],
                latest_deadline=calendar.day_at(latest),
                slack_working_days=latest - earliest,
                agenda_due=body.agenda and agenda_calendar(profile, body.agenda).add_working_days(
                    meeting.day, -body.agenda.working_days_before),
                common_deadline=common,
                coupled=coupled,
                late=late.get(key),
            ))
        previous_held = max(meetings.held_pos[first] for (_, meetings), first, _ in chosen)
        previous_latest_held = max(meetings.held_pos[last] for (_, meetings), _, last in chosen)
    return steps


def _check_late_meetings(route: Route, schedule: Schedule, late: Mapping[str, LateAddition]) -> None:
    on_route = {key for stage in route.stages for key in stage}
    for key, addition in late.items():
        if key not in on_route:
            raise PlanningError(f"Sagen kan ikke eftersendes til {_body_name(schedule, key)}: "
                                f"organet er ikke på ruten {route.name}.")
        if addition.day not in {m.day for m in schedule.by_body[key].meetings}:
            raise PlanningError(f"{_body_name(schedule, key)} holder ikke møde {long_date(addition.day)}, "
                                "så sagen kan ikke eftersendes dertil. Vælg et møde i mødeplanen.")


def _check_late_order(stages: list[_Stage], forward: _Positions, schedule: Schedule,
                      late: Mapping[str, LateAddition]) -> None:
    """A late addition still comes after the previous stage's treatment."""
    for stage_index, stage in enumerate(stages[1:], start=1):
        before = [(meetings.meetings[index], key) for (key, meetings), index
                  in zip(stages[stage_index - 1], forward.first[stage_index - 1])]
        previous, previous_key = max(before, key=lambda item: item[0].day)
        for key, _ in stage:
            if key in late and late[key].day < previous.day:
                raise PlanningError(
                    f"Sagen kan ikke eftersendes til {_body_name(schedule, key)} {long_date(late[key].day)}: "
                    f"den behandles først i {_body_name(schedule, previous_key)} {long_date(previous.day)}.")


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
    raise NoMeetingError(
        f"{_body_name(schedule, key)} har intet møde {wanted} i mødeplanen{reach}. "
        "Tilføj møder til mødeplanen eller en kadence for organet.",
        key, wanted,
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
