"""The planner's engine: a route compiled against a schedule, planned in working-day positions.

`plan_many` plans many cases of one route and returns a PlanTable of meeting indices;
calendars.planner.plan is the same engine for one case, turned into readable values. The hot
loop (`plan_positions`) works on plain lists and bisects (see calendars.planner for the rules).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from calendars.meetings import BodyMeetings, Schedule
from calendars.profiles import Route


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
    compiled = compile_route(route, schedule, gap, held_after, {a.body: a for a in late})
    if target is not None and target_days is None:
        target_days = [target.day] * len(ready)
    ready_positions, results = [], []
    # A plan depends only on the ready position and the target; cases share them often.
    known: dict[object, Positions] = {}
    position = calendar.position
    if target is None:
        for day in ready:
            due = position(day)
            ready_positions.append(due)
            result = known.get(due)
            if result is None:
                result = known[due] = plan_positions(compiled, due, None)
            results.append(result)
    for case, day in enumerate(ready if target is not None else ()):
        due = position(day)
        ready_positions.append(due)
        target_ordinal = target_days[case].toordinal()
        result = known.get((due, target_ordinal))
        if result is None:
            result = known[due, target_ordinal] = plan_positions(compiled, due, target_ordinal)
        results.append(result)
    lanes = [(stage_index, lane.key) for stage_index, stage in enumerate(compiled.stages) for lane in stage]
    first_columns = list(zip(*[r.first for r in results])) or [()] * len(lanes)
    last_columns = list(zip(*[r.last for r in results])) or [()] * len(lanes)
    earliest = tuple({} for _ in route.stages)
    latest = tuple({} for _ in route.stages)
    for (stage_index, key), first, last in zip(lanes, first_columns, last_columns):
        earliest[stage_index][key] = list(first)
        latest[stage_index][key] = list(last)
    return PlanTable(
        route,
        schedule,
        ready_positions,
        earliest,
        latest,
        [r.latest_ready for r in results],
        [r.reached for r in results],
        compiled.coupled,
        frozenset(a.body for a in late),
    )


class Positions(NamedTuple):
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
    # the backward pass's view, last stage first: (lanes, offset, is_final, coupled, next coupled)
    backward: tuple[tuple[tuple[_Lane, ...], int, bool, bool, bool], ...]


def compile_route(
    route: Route,
    schedule: Schedule,
    gap: int | None,
    held_after: Mapping[str, dt.date] | None,
    late: Mapping[str, LateAddition],
) -> _Compiled:
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
            lanes.append(
                _Lane(
                    key,
                    meetings.deadline_pos,
                    meetings.held_pos,
                    meetings.ordinals,
                    meetings.agenda_pos,
                    len(meetings.meetings),
                    fixed,
                    key in late,
                    after,
                )
            )
        previous = route.stages[index - 1] if index else ()
        coupled.append(bool(previous) and all(set(previous) <= set(bodies[key].takes_cases_from) for key in keys))
        stages.append(tuple(lanes))
        offsets.append(offset)
        offset += len(lanes)
    gap = schedule.profile.gap_working_days if gap is None else gap
    track = tuple(coupled[1:]) + (False,)
    final = len(stages) - 1
    backward = tuple(
        (stages[index], offsets[index], index == final, coupled[index], track[index]) for index in range(final, -1, -1)
    )
    return _Compiled(tuple(stages), tuple(coupled), tuple(offsets), gap, track, backward)


def route_stages(route: Route, schedule: Schedule) -> list[list[tuple[str, BodyMeetings]]]:
    return [[(key, schedule.by_body[key]) for key in stage] for stage in route.stages]


def grouped(compiled: _Compiled, flat: list[int]) -> list[list[int]]:
    return [flat[offset : offset + len(stage)] for offset, stage in zip(compiled.offsets, compiled.stages)]


def plan_positions(compiled: _Compiled, due: int, target_ordinal: int | None) -> Positions:
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
                    return Positions(nothing, nothing, due, False, missing)
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
    bound = next_day = next_agenda = 0
    for lanes, position, is_final, coupled, coupled_next in compiled.backward:
        next_bound = stage_day = stage_agenda = _HIGH
        for key, deadline_pos, held_pos, ordinals, agenda_pos, _size, _fixed, late, _after in lanes:
            earliest = first[position]
            if late:
                index = earliest  # a late addition is a fact, not a choice
            elif not is_final:
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
                blocked = (key, None, target_ordinal) if is_final else (key, bound - gap, None)
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
    # tuple.__new__: a NamedTuple without its Python-level constructor (the loop's last cost)
    return tuple.__new__(Positions, (first, last, bound, reached, missing, blocked))


_LOW, _HIGH = -(1 << 62), 1 << 62  # below and above every position and ordinal
