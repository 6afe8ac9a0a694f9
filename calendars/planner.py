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
    compiled = _compile(route, schedule, gap, held_after, {a.body: a for a in late})
    if target is not None and target_days is None:
        target_days = [target.day] * len(ready)
    ready_positions, results = [], []
    # A plan depends only on the ready position and the target; cases share them often.
    known: dict[tuple[int, int | None], _Positions] = {}
    position = calendar.position
    for case, day in enumerate(ready):
        due = position(day)
        ready_positions.append(due)
        target_ordinal = target_days[case].toordinal() if target is not None else None
        result = known.get((due, target_ordinal))
        if result is None:
            result = known[due, target_ordinal] = _plan_positions(compiled, due, target_ordinal)
        results.append(result)
    lanes = [(stage_index, lane.key) for stage_index, stage in enumerate(compiled.stages) for lane in stage]
    first_columns = list(zip(*[r.first for r in results])) or [()] * len(lanes)
    last_columns = list(zip(*[r.last for r in results])) or [()] * len(lanes)
    earliest = tuple({} for _ in route.stages)
    latest = tuple({} for _ in route.stages)
    for (stage_index, key), first, last in zip(lanes, first_columns, last_columns):
        earliest[stage_index][key] = list(first)
        latest[stage_index][key] = list(last)
    return PlanTable(route, schedule, ready_positions, earliest, latest,
                     [r.latest_ready for r in results], [r.reached for r in results],
                     compiled.coupled, frozenset(a.body for a in late))


class _Positions(NamedTuple):
    first: list[int]  # earliest meeting index per body, flat over the stages in route order
    last: list[int]  # latest meeting index per body, likewise
    latest_ready: int  # position of the first stage's latest deadline
    reached: bool
    # forward: the body that ran out of meetings, and the position or ordinal it needed one after
    missing: tuple[str, int, bool] | None = None
    # backward: the body with no meeting early enough, and the last day that would do, as a
    # working-day position (earlier stages) or an ordinal (the target day)
    blocked: tuple[str, int | None, int | None] | None = None


class _Lane(NamedTuple):
    """One body of a stage, as the inner loop reads it."""

    key: str
    deadline_pos: list[int]
    held_pos: list[int]
    ordinals: list[int]
    agenda_pos: list[int]
    size: int
    fixed: int  # the meeting when the treatment is a fact (postponed: the next one; late), else -1
    late: bool
    after: int  # a postponed body's meeting ordinal (its next treatment comes after it), else 0


class _Compiled(NamedTuple):
    """A route against a schedule with one case's facts, prepared for many ready dates."""

    stages: tuple[tuple[_Lane, ...], ...]
    coupled: tuple[bool, ...]  # stage takes the cases the previous stage treated (see module doc)
    offsets: tuple[int, ...]  # index of each stage's first lane in the flat lists
    gap: int
    track: tuple[bool, ...]  # the next stage is coupled: keep this stage's day and deadline


def _compile(route: Route, schedule: Schedule, gap: int | None, held_after: Mapping[str, dt.date] | None,
             late: Mapping[str, LateAddition]) -> _Compiled:
    bodies, held_after = schedule.profile.bodies, held_after or {}
    stages, coupled, offsets, offset = [], [], [], 0
    for index, keys in enumerate(route.stages):
        lanes = []
        for key in keys:
            meetings = schedule.by_body[key]
            fixed, after = -1, 0
            if key in late:
                fixed = bisect_left(meetings.ordinals, late[key].day.toordinal())
            elif key in held_after:
                after = held_after[key].toordinal()
                fixed = bisect_right(meetings.ordinals, after)
            lanes.append(_Lane(key, meetings.deadline_pos, meetings.held_pos, meetings.ordinals,
                               meetings.agenda_pos, len(meetings.meetings), fixed, key in late, after))
        previous = route.stages[index - 1] if index else ()
        coupled.append(bool(previous) and all(set(previous) <= set(bodies[key].takes_cases_from) for key in keys))
        stages.append(tuple(lanes))
        offsets.append(offset)
        offset += len(lanes)
    gap = schedule.profile.gap_working_days if gap is None else gap
    return _Compiled(tuple(stages), tuple(coupled), tuple(offsets), gap, tuple(coupled[1:]) + (False,))


def _stages(route: Route, schedule: Schedule) -> list[list[tuple[str, BodyMeetings]]]:
    return [[(key, schedule.by_body[key]) for key in stage] for stage in route.stages]


def _grouped(compiled: _Compiled, flat: list[int]) -> list[list[int]]:
    return [flat[offset:offset + len(stage)] for offset, stage in zip(compiled.offsets, compiled.stages)]


def _plan_positions(compiled: _Compiled, due: int, target_ordinal: int | None) -> _Positions:
    """One case, in working-day positions: earliest and latest meeting per body (flat lists).

    The hot loop of plan_many: lanes unpacked into locals, bisects, no allocation beyond the
    two lists.
    """
    gap, stages, coupled_stages = compiled.gap, compiled.stages, compiled.coupled
    reached, missing, blocked = True, None, None
    first: list[int] = []
    previous_day = previous_deadline = 0
    for stage, coupled, track in zip(stages, coupled_stages, compiled.track):
        done = day = deadline = _LOW
        for key, deadline_pos, held_pos, ordinals, agenda_pos, size, index, _late, after in stage:
            if index < 0:
                index = bisect_left(deadline_pos, due)
                if coupled:  # or the first meeting after the previous one, same cycle
                    later = bisect_right(ordinals, previous_day)
                    joins = bisect_left(agenda_pos, previous_deadline)
                    if joins > later:
                        later = joins
                    if later < index:
                        index = later
            if index >= size:
                reached, index = False, size - 1
                if missing is None:
                    missing = (key, after, True) if after else (key, due, False)
                if index < 0:
                    nothing = [0] * sum(len(stage) for stage in stages)
                    return _Positions(nothing, nothing, due, False, missing)
            first.append(index)
            held = held_pos[index]
            if held > done:
                done = held
            if track:  # the next stage takes this one's cases: it needs the day and deadline
                if ordinals[index] > day:
                    day = ordinals[index]
                if deadline_pos[index] > deadline:
                    deadline = deadline_pos[index]
        due = done + gap
        previous_day, previous_deadline = day, deadline

    last = first[:]
    final = len(stages) - 1
    bound = next_day = next_agenda = 0
    for stage_index in range(final, -1, -1):
        offset = compiled.offsets[stage_index]
        coupled_next = stage_index < final and coupled_stages[stage_index + 1]
        coupled = coupled_stages[stage_index]
        next_bound = stage_day = stage_agenda = _HIGH
        position = offset
        for key, deadline_pos, held_pos, ordinals, agenda_pos, _size, _fixed, late, _after in stages[stage_index]:
            earliest = first[position]
            if late:
                index = earliest  # a late addition is a fact, not a choice
            elif stage_index < final:
                index = bisect_right(held_pos, bound - gap) - 1
                if coupled_next:  # or the last meeting whose cases the next stage takes
                    joins = bisect_left(ordinals, next_day)
                    by_agenda = bisect_right(deadline_pos, next_agenda)
                    joins = (joins if joins < by_agenda else by_agenda) - 1
                    if joins > index:
                        index = joins
            elif target_ordinal is not None:
                index = bisect_right(ordinals, target_ordinal) - 1
            else:
                index = earliest
            if index < 0 and blocked is None:
                blocked = (key, None, target_ordinal) if stage_index == final else (key, bound - gap, None)
            if index < earliest:
                reached, index = False, max(index, 0)
            last[position] = index
            position += 1
            # earlier stages need only be held by a late-added meeting
            deadline = held_pos[index] + gap if late else deadline_pos[index]
            if deadline < next_bound:
                next_bound = deadline
            if coupled:
                if ordinals[index] < stage_day:
                    stage_day = ordinals[index]
                if agenda_pos[index] < stage_agenda:
                    stage_agenda = agenda_pos[index]
        bound, next_day, next_agenda = next_bound, stage_day, stage_agenda
    return _Positions(first, last, bound, reached, missing, blocked)


_LOW, _HIGH = -(1 << 62), 1 << 62  # below and above every position and ordinal


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
    compiled = _compile(route, schedule, gap, held_after, late_by_body)
    stages = _stages(route, schedule)
    # Plan forward alone first, so that a missed target can say what is reachable.
    forward = _plan_positions(compiled, calendar.position(ready), None)
    if forward.missing:
        _explain_missing_meeting(schedule, *forward.missing)
    forward_first = _grouped(compiled, forward.first)
    _check_late_order(stages, forward_first, schedule, late_by_body)
    result = forward
    if target is not None:
        result = _plan_positions(compiled, calendar.position(ready), target.day.toordinal())
        if not result.reached:
            _explain_missed_target(result, forward_first, schedule, route, ready, target)

    steps = _steps(route, schedule, stages, compiled.coupled, _grouped(compiled, result.first),
                   _grouped(compiled, result.last), compiled.gap, late_by_body)
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


def _steps(route: Route, schedule: Schedule, stages: list[list[tuple[str, BodyMeetings]]],
           coupled_stages: Sequence[bool], first_indices: list[list[int]], last_indices: list[list[int]],
           gap: int, late: Mapping[str, LateAddition]) -> list[Step]:
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


def _check_late_order(stages: list[list[tuple[str, BodyMeetings]]], forward_first: list[list[int]],
                      schedule: Schedule, late: Mapping[str, LateAddition]) -> None:
    """A late addition still comes after the previous stage's treatment."""
    for stage_index, stage in enumerate(stages[1:], start=1):
        before = [(meetings.meetings[index], key) for (key, meetings), index
                  in zip(stages[stage_index - 1], forward_first[stage_index - 1])]
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


def _explain_missed_target(result: _Positions, forward_first: list[list[int]], schedule: Schedule, route: Route,
                           ready: dt.date, target: Target) -> None:
    final = route.stages[-1]
    reachable = schedule.by_body[target.body].meetings[forward_first[-1][final.index(target.body)]]
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
