"""Benchmark: how fast does the route planner plan cases, and does it plan them right?

What is measured
    Slagelse's route `politisk_oekonomi` (direktion → strategisk chefforum → four fagudvalg in
    parallel → økonomiudvalget → byrådet) against a three-year meeting plan (2026–2028), for
    10,000 cases whose ready dates are spread (seeded, so every run is the same) over 2026–2027.

    * ours, bulk:        calendars.planner.plan_many(route, schedule, ready_dates)
    * ours, per case:    calendars.planner.plan(route, schedule, ready) for a subset
    * baseline:          the same algorithm written straightforwardly in plain Python over dates,
                         one case at a time, where every working-day computation is done by
                         python-holidays' own helpers (`get_nth_working_day`,
                         `get_working_days_count`, `is_working_day`) on `holidays.DK(language="da")`
                         updated with the municipality's closing days.

    Timings are the best of several repeats (time.perf_counter). Preparing the meeting plan is not
    timed for either side: ours builds a Schedule (deadline positions per meeting) once, the
    baseline caches each meeting's submission deadline (a date, computed with
    get_nth_working_day) once per meeting per body. Everything that depends on the case is timed.
    The baseline finds meetings by bisect over those cached dates (not a linear scan), so the
    ratio measures working-day arithmetic and per-case overhead, not a weaker search. It also
    caches each meeting's agenda day (§ 8, stk. 4), and follows the profile's planning rules as
    the planner does: Byrådet takes the cases Økonomiudvalget treated in the same cycle (coupled
    stage) and the four fagudvalg share the earliest of their deadlines (common deadline).

    "Each case on its own" (issue 13: ≥ 20×) is plan_many on the cases with distinct ready days,
    so no two share a plan, against the baseline on the same cases, both best of
    REPEATS_DISTINCT runs with the garbage collector off.

Why
    The issue asks for ≥ 20,000 cases/s and ≥ 20× the obvious python-holidays implementation for
    the bulk path. The baseline doubles as an independent oracle: for every case its earliest and
    latest meeting per body, the slack per body and the latest ready date must equal plan_many's.
    Any mismatch is printed and makes the script exit non-zero. This is a plain script: it prints
    figures and never fails on timings.

Run:  .venv/bin/python bench/planner.py
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import platform
import random
import sys
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays

from calendars.meetings import Schedule
from calendars.planner import PlanTable, plan, plan_many
from calendars.profile_reader import load_profile
from calendars.profiles import DeadlineRule, Profile, Route
from calendars.workdays import MunicipalCalendar

PROFILE, ROUTE = "slagelse", "politisk_oekonomi"
PLAN_START, PLAN_END = dt.date(2026, 1, 1), dt.date(2028, 12, 31)
READY_START, READY_DAYS = dt.date(2026, 1, 1), 730  # the first two years of the plan
HOLIDAY_YEARS = range(2025, 2030)  # deadlines of early-2026 meetings fall in December 2025
CASES = 10_000
SINGLE_CASES = 1_000  # plan() is timed over the first 1,000 cases
REPEATS_BULK, REPEATS_SINGLE, REPEATS_BASELINE = 15, 5, 5  # best-of damps noise on a shared machine
REPEATS_DISTINCT = 30  # both sides, on the cases with distinct ready days (short runs: more repeats)
SEED = 20260101
TARGET_RATE, TARGET_RATIO = 20_000, 20


# --- inputs ---------------------------------------------------------------------------------


def ready_dates(count: int, seed: int = SEED) -> list[dt.date]:
    """`count` ready dates, uniformly (seeded) over the first two years; weekends included."""
    rng = random.Random(seed)
    return [READY_START + dt.timedelta(days=rng.randrange(READY_DAYS)) for _ in range(count)]


def holidays_calendar(profile: Profile) -> holidays.HolidayBase:
    """python-holidays' Denmark with the profile's closing days added, so both count the same days off."""
    calendar = profile.calendar
    days_off = holidays.DK(years=HOLIDAY_YEARS, language="da")
    first, last = dt.date(HOLIDAY_YEARS[0], 1, 1), dt.date(HOLIDAY_YEARS[-1], 12, 31)
    days_off.update({off.day: off.name for off in calendar.days_off_between(first, last)})
    return days_off


def code_fingerprint() -> str:
    """A short hash of the calendars package sources, so figures can be tied to a code version."""
    package = Path(__file__).resolve().parent.parent / "calendars"
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of `repeats` runs in seconds, and the last run's result. The garbage
    collector is off while timing (as timeit does), for both sides alike."""
    best, result = float("inf"), None
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return best, result


# --- do both sides count working days alike? ------------------------------------------------


def check_day_arithmetic(calendar: MunicipalCalendar, days_off: holidays.HolidayBase) -> list[str]:
    """Compare our working-day helpers with python-holidays' over 2026–2028, day by day."""
    problems = []
    day = PLAN_START
    while day <= PLAN_END:
        if calendar.is_working_day(day) != days_off.is_working_day(day):
            problems.append(f"is_working_day({day})")
        for n in range(1, 11):
            for signed in (-n, n):
                ours, theirs = calendar.add_working_days(day, signed), days_off.get_nth_working_day(day, signed)
                if ours != theirs:
                    problems.append(f"add_working_days({day}, {signed}) = {ours}, holidays: {theirs}")
        end = day + dt.timedelta(days=17)
        # ours counts [start, end); holidays' get_working_days_count counts [start, end] inclusive.
        theirs = days_off.get_working_days_count(day, end) - days_off.is_working_day(end)
        if calendar.working_days_between(day, end) != theirs:
            problems.append(f"working_days_between({day}, {end})")
        day += dt.timedelta(days=1)
    return problems


# --- the baseline: plain Python over dates, python-holidays for every working-day step --------


class BodyDates(NamedTuple):
    days: list[dt.date]  # the body's usable meetings (same order as schedule.by_body[key].meetings)
    deadlines: list[dt.date]  # cached once: each meeting's submission deadline
    agenda: list[dt.date]  # cached once: the day its agenda goes out (§ 8, stk. 4), else the deadline


class BaselinePlan(NamedTuple):
    earliest: list[dict[str, int]]  # [stage][body] -> meeting index
    latest: list[dict[str, int]]
    slack: list[dict[str, int]]  # working days between earliest and latest deadline
    latest_ready: dt.date


def early_closings(profile: Profile, days_off: holidays.HolidayBase) -> dict[dt.date, dt.time]:
    """Working days the town hall closes early (KL: Grundlovsdag and 1 May at 12:00), by name."""
    early = profile.calendar.closing_days.early
    named = holidays.DK(years=HOLIDAY_YEARS, language="da", categories=("public", "optional"))
    return {day: early[name] for day, name in named.items() if name in early and days_off.is_working_day(day)}


def baseline_deadline(
    rule: DeadlineRule, day: dt.date, days_off: holidays.HolidayBase, early: dict[dt.date, dt.time] | None = None
) -> dt.date:
    """A meeting's submission deadline, computed with python-holidays."""
    if rule.working_days_before:
        deadline = days_off.get_nth_working_day(day, -rule.working_days_before)
    else:
        # N calendar days before (or on the day itself), rolled back to a working day.
        deadline = day - dt.timedelta(days=rule.days_before or 0)
        while not days_off.is_working_day(deadline):
            deadline -= dt.timedelta(days=1)
    # A timed deadline at or after an early closing hour is due the working day before.
    if early and rule.time is not None and deadline in early and rule.time >= early[deadline]:
        deadline = days_off.get_nth_working_day(deadline, -1)
    return deadline


def baseline_bodies(
    profile: Profile, route: Route, schedule: Schedule, days_off: holidays.HolidayBase
) -> dict[str, BodyDates]:
    """The per-meeting cache the baseline may keep: meeting days and their deadlines."""
    bodies = {}
    early = early_closings(profile, days_off)
    for stage in route.stages:
        for key in stage:
            days = [meeting.day for meeting in schedule.by_body[key].meetings]
            body = profile.bodies[key]
            deadlines = [baseline_deadline(body.deadline, day, days_off, early) for day in days]
            agenda = (
                deadlines
                if body.agenda is None
                else [days_off.get_nth_working_day(day, -body.agenda.working_days_before) for day in days]
            )
            bodies[key] = BodyDates(days, deadlines, agenda)
    return bodies


def coupled_stages(profile: Profile, route: Route) -> list[bool]:
    """Stages whose bodies take the cases the previous stage treated in the same cycle."""
    return [
        index > 0 and all(set(route.stages[index - 1]) <= set(profile.bodies[key].takes_cases_from) for key in stage)
        for index, stage in enumerate(route.stages)
    ]


def held_day(days_off: holidays.HolidayBase, day: dt.date) -> dt.date:
    """The last working day on or before a meeting."""
    while not days_off.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_days_from(days_off: holidays.HolidayBase, start: dt.date, end: dt.date) -> int:
    """Working days in [start, end): get_working_days_count includes both ends."""
    return days_off.get_working_days_count(start, end) - days_off.is_working_day(end)


def baseline_plan(
    stages: Sequence[Sequence[str]],
    bodies: dict[str, BodyDates],
    days_off: holidays.HolidayBase,
    gap: int,
    ready: dt.date,
    coupled: Sequence[bool] = (),
    common: frozenset[int] = frozenset(),
) -> BaselinePlan | None:
    """Plan one case: forward for the earliest meetings, backward from the final one for the latest.

    `coupled[s]`: stage s takes the cases stage s-1 treated in the same cycle (its first meeting
    after that one, if the case went to stage s-1 by its agenda day); `common`: 0-based stages
    whose bodies share the earliest of their deadlines."""
    coupled = list(coupled) or [False] * len(stages)
    earliest: list[dict[str, int]] = []
    due = ready  # the first day the case is ready for the stage
    previous_day = previous_deadline = None
    for s, stage in enumerate(stages):
        chosen, last_held = {}, None
        for key in stage:
            days, deadlines, agenda = bodies[key]
            index = bisect_left(deadlines, due)  # first meeting whose deadline is on/after `due`
            if coupled[s]:
                index = min(index, max(bisect_right(days, previous_day), bisect_left(agenda, previous_deadline)))
            if index == len(days):
                return None
            chosen[key] = index
            last_held = days[index] if last_held is None else max(last_held, days[index])
        earliest.append(chosen)
        due = days_off.get_nth_working_day(last_held, gap)
        previous_day = last_held
        previous_deadline = max(bodies[key].deadlines[index] for key, index in chosen.items())

    latest: list[dict[str, int]] = [{} for _ in stages]
    latest[-1] = dict(earliest[-1])  # no target: aim at the forward plan's final meeting
    bound = min(bodies[key].deadlines[index] for key, index in latest[-1].items())
    for stage_index in range(len(stages) - 2, -1, -1):
        following = latest[stage_index + 1]
        next_day = min(bodies[key].days[index] for key, index in following.items())
        next_agenda = min(bodies[key].agenda[index] for key, index in following.items())
        for key in stages[stage_index]:
            days, deadlines, _ = bodies[key]
            index = bisect_left(days, bound + dt.timedelta(days=1)) - 1  # the last meeting held by the bound...
            while index >= 0 and days_off.get_nth_working_day(days[index], gap) > bound:
                index -= 1  # ...that still leaves `gap` working days before it
            if coupled[stage_index + 1]:  # or the last one the next stage takes its cases from
                index = max(index, min(bisect_left(days, next_day), bisect_right(deadlines, next_agenda)) - 1)
            if index < earliest[stage_index][key]:
                return None
            latest[stage_index][key] = index
        bound = min(bodies[key].deadlines[index] for key, index in latest[stage_index].items())

    slack = []
    for s, chosen in enumerate(earliest):
        shown = {}
        for key, first in chosen.items():
            pair = []
            for table, index in ((earliest, first), (latest, latest[s][key])):
                deadline = bodies[key].deadlines[index]
                if coupled[s]:  # the previous stage's meeting, bounded by this one's agenda day
                    held = held_day(days_off, max(bodies[k].days[i] for k, i in table[s - 1].items()))
                    deadline = max(deadline, min(held, bodies[key].agenda[index]))
                pair.append(deadline)
            shown[key] = pair
        if s in common:
            shared = [min(pair[0] for pair in shown.values()), min(pair[1] for pair in shown.values())]
            shown = {key: shared for key in shown}
        slack.append({key: working_days_from(days_off, first, last) for key, (first, last) in shown.items()})
    return BaselinePlan(earliest, latest, slack, bound)


def run_baseline(
    stages, bodies, days_off, gap, ready: Sequence[dt.date], coupled=(), common=frozenset()
) -> list[BaselinePlan | None]:
    return [baseline_plan(stages, bodies, days_off, gap, day, coupled, common) for day in ready]


# --- cross-checks ---------------------------------------------------------------------------


def as_list(values: Any) -> list:
    return list(values)


def check_timed_deadlines(profile: Profile, days_off: holidays.HolidayBase) -> list[str]:
    """Timed deadlines (12:00, 1..5 working days before) for every day 2026–2028 as a meeting day:
    DeadlineRule.position vs. the baseline, early closings (1 May, Grundlovsdag) included."""
    calendar, early, problems = profile.calendar, early_closings(profile, days_off), []
    rules = [DeadlineRule(working_days_before=n, time=dt.time(12, 0)) for n in range(1, 6)]
    day = PLAN_START
    while day <= PLAN_END:
        for rule in rules:
            ours, theirs = calendar.day_at(rule.position(calendar, day)), baseline_deadline(rule, day, days_off, early)
            if ours != theirs:
                problems.append(f"{rule.working_days_before} wd before {day} at 12:00: ours {ours}, baseline {theirs}")
        day += dt.timedelta(days=1)
    return problems


def check_deadlines(schedule: Schedule, bodies: dict[str, BodyDates]) -> list[str]:
    """Each meeting's deadline: DeadlineRule.position (ours) vs. the baseline's cached date."""
    problems = []
    for key, dates in bodies.items():
        positions = as_list(schedule.by_body[key].deadline_pos)
        for day, position, theirs in zip(dates.days, positions, dates.deadlines):
            if (ours := schedule.calendar.day_at(position)) != theirs:
                problems.append(f"{key} {day}: deadline ours {ours}, holidays {theirs}")
    return problems


def compare_with_baseline(
    table: PlanTable, expected: Sequence[BaselinePlan | None], ready: Sequence[dt.date]
) -> list[str]:
    """Every case: earliest and latest meeting per body, slack per body, latest ready date."""
    stages, calendar = table.route.stages, table.schedule.calendar
    ok = as_list(table.ok)
    earliest = [{key: as_list(values) for key, values in stage.items()} for stage in table.earliest]
    latest = [{key: as_list(values) for key, values in stage.items()} for stage in table.latest]
    slack = [{key: as_list(table.slack(s, key)) for key in stage} for s, stage in enumerate(stages)]
    latest_ready = [calendar.day_at(int(pos)) for pos in as_list(table.latest_ready_pos)]
    problems = []
    for case, base in enumerate(expected):
        if base is None or not ok[case]:
            if (base is None) != (not ok[case]):
                problems.append(
                    f"case {case} (klar {ready[case]}): plannable? ours {ok[case]}, baseline {base is not None}"
                )
            continue
        for s, stage in enumerate(stages):
            for key in stage:
                ours = (earliest[s][key][case], latest[s][key][case], slack[s][key][case])
                theirs = (base.earliest[s][key], base.latest[s][key], base.slack[s][key])
                if ours != theirs:
                    problems.append(
                        f"case {case} (klar {ready[case]}), {key}: "
                        f"ours (earliest, latest, slack) = {ours}, baseline {theirs}"
                    )
        if latest_ready[case] != base.latest_ready:
            problems.append(
                f"case {case} (klar {ready[case]}): latest ready ours {latest_ready[case]}, "
                f"baseline {base.latest_ready}"
            )
    return problems


def compare_single_with_bulk(plans: Sequence[Any], table: PlanTable) -> list[str]:
    """plan() must choose the same meetings and slack as plan_many for the same case."""
    problems = []
    by_body = table.schedule.by_body
    stages = table.route.stages
    earliest = [{key: as_list(table.earliest[s][key]) for key in stage} for s, stage in enumerate(stages)]
    latest = [{key: as_list(table.latest[s][key]) for key in stage} for s, stage in enumerate(stages)]
    slack = [{key: as_list(table.slack(s, key)) for key in stage} for s, stage in enumerate(stages)]
    for case, one in enumerate(plans):
        steps = iter(one.steps)
        for s, stage in enumerate(stages):
            for key in stage:
                step = next(steps)
                meetings = by_body[key].meetings
                ours = (step.meeting, step.latest_meeting, step.slack_working_days)
                bulk = (meetings[earliest[s][key][case]], meetings[latest[s][key][case]], slack[s][key][case])
                if step.body.key != key or ours != bulk:
                    problems.append(
                        f"case {case}, {key}: plan() {ours[0].day}/{ours[1].day}/{ours[2]}, "
                        f"plan_many {bulk[0].day}/{bulk[1].day}/{bulk[2]}"
                    )
    return problems


# --- report ---------------------------------------------------------------------------------


def show_problems(title: str, problems: list[str], examples: int = 5) -> None:
    print(f"{title}: {len(problems)} mismatches")
    for problem in problems[:examples]:
        print(f"    {problem}")
    if len(problems) > examples:
        print(f"    … and {len(problems) - examples} more")


def print_header(
    profile: Profile,
    route: Route,
    schedule: Schedule,
    ready: Sequence[dt.date],
    preparation: dict[str, float],
    route_meetings: int,
) -> None:
    stages = route.stages
    print("Planner benchmark: Sagsgang plan_many / plan vs. a python-holidays baseline")
    print(
        f"  machine          {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"holidays {holidays.__version__}"
    )
    print(f"  code             calendars/*.py sha256 {code_fingerprint()}")
    if hasattr(os, "getloadavg"):
        print(
            f"  load average     {' '.join(f'{load:.1f}' for load in os.getloadavg())} (1, 5, 15 min; "
            "a busy machine makes every figure noisier)"
        )
    print(
        f"  profile, route   {profile.key} / {route.key}: {len(stages)} stages, "
        f"{sum(len(stage) for stage in stages)} bodies ({' → '.join('+'.join(stage) for stage in stages)})"
    )
    print(
        f"  meeting plan     {PLAN_START} .. {PLAN_END}: {len(schedule.all_meetings)} meetings in all, "
        f"{route_meetings} usable (not cancelled) on the route's bodies"
    )
    print(
        f"  cases            {len(ready):,}, ready dates {min(ready)} .. {max(ready)} (seed {SEED}), "
        f"gap {profile.gap_working_days} working day(s)"
    )
    print(
        f"  preparation      ours Schedule.for_period {preparation['ours'] * 1000:.1f} ms; baseline deadline "
        f"cache {preparation['baseline'] * 1000:.1f} ms ({route_meetings} × get_nth_working_day); not timed below"
    )
    print()


def one_day_per_position(profile: Profile, ready: Sequence[dt.date]) -> list[dt.date]:
    """The ready dates thinned to one per working-day position (no shared plans)."""
    seen: dict[int, dt.date] = {}
    for day in ready:
        seen.setdefault(profile.calendar.position(day), day)
    return list(seen.values())


def print_timings(timings: dict[str, float]) -> None:
    bulk_rate = CASES / timings["bulk"]
    distinct_cases = timings["distinct_cases"]
    distinct_rate = distinct_cases / timings["distinct"]
    single_rate = SINGLE_CASES / timings["single"]
    baseline_rate = CASES / timings["baseline"]
    baseline_distinct_rate = distinct_cases / timings["baseline_distinct"]
    rows = [
        ("ours, plan_many (bulk)", CASES, timings["bulk"], REPEATS_BULK),
        ("ours, plan_many, no sharing", int(distinct_cases), timings["distinct"], REPEATS_DISTINCT),
        ("ours, plan() (per case)", SINGLE_CASES, timings["single"], REPEATS_SINGLE),
        ("baseline, python-holidays", CASES, timings["baseline"], REPEATS_BASELINE),
        ("baseline, same distinct", int(distinct_cases), timings["baseline_distinct"], REPEATS_DISTINCT),
    ]
    print("Timings (best of repeats, time.perf_counter)")
    print(
        f"    plan_many plans each distinct ready day once: the {CASES:,} cases have "
        f"{distinct_cases:,} distinct ready positions"
    )
    for name, cases, seconds, repeats in rows:
        print(
            f"  {name:<26} {cases:>6,} cases  {seconds * 1000:9.2f} ms  {cases / seconds:>12,.0f} cases/s  "
            f"(best of {repeats})"
        )
    print("    the baseline caches only each meeting's deadline date (once per meeting per body, untimed);")
    print("    per case it calls get_nth_working_day for every 'gap working days after a meeting' and")
    print("    get_working_days_count for every slack, and finds meetings by bisect over the cached dates.")
    print()
    ratio = bulk_rate / baseline_rate
    print("Ratios")
    print(
        f"  bulk / baseline            {ratio:8.1f}×   (target ≥ {TARGET_RATIO}×: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    own = distinct_rate / baseline_distinct_rate
    print(
        f"  no-sharing / baseline      {own:8.1f}×   (each case planned on its own, both sides on the same "
        f"{int(distinct_cases)} cases; target ≥ {TARGET_RATIO}×: {'met' if own >= TARGET_RATIO else 'NOT met'})"
    )
    print(
        f"  no-sharing / baseline 10k  {distinct_rate / baseline_rate:8.1f}×   (against the 10,000-case baseline run)"
    )
    print(f"  per-case / baseline        {single_rate / baseline_rate:8.1f}×")
    print(
        f"  bulk rate                  {bulk_rate:,.0f} cases/s (target ≥ {TARGET_RATE:,}: "
        f"{'met' if bulk_rate >= TARGET_RATE else 'NOT met'})"
    )


def main() -> int:
    started = time.perf_counter()
    profile = load_profile(PROFILE)
    route = profile.routes[ROUTE]
    gap = profile.gap_working_days
    ready = ready_dates(CASES)

    preparation = {}
    preparation["ours"], schedule = best_of(1, lambda: Schedule.for_period(profile, PLAN_START, PLAN_END))
    days_off = holidays_calendar(profile)
    preparation["baseline"], bodies = best_of(1, lambda: baseline_bodies(profile, route, schedule, days_off))
    route_meetings = sum(len(dates.days) for dates in bodies.values())
    print_header(profile, route, schedule, ready, preparation, route_meetings)

    arithmetic = check_day_arithmetic(profile.calendar, days_off)
    show_problems(
        "Working-day arithmetic, ours vs. python-holidays, every day 2026–2028 "
        "(is_working_day, ±1..10 working days, counts)",
        arithmetic,
    )
    timed = check_timed_deadlines(profile, days_off)
    show_problems(
        "Timed deadlines 12:00, 1–5 working days before every day 2026–2028 "
        "(early closings at 12 on 1 May and Grundlovsdag)",
        timed,
    )
    deadlines = check_deadlines(schedule, bodies) + timed
    show_problems(
        f"Meeting deadlines, DeadlineRule.position vs. get_nth_working_day ({route_meetings} meetings)", deadlines
    )

    timings = {}
    timings["bulk"], table = best_of(REPEATS_BULK, lambda: plan_many(route, schedule, ready))
    # plan_many plans each distinct (ready position, target) once; this row shows the cost when
    # no two cases share a ready day.
    distinct = one_day_per_position(profile, ready)
    timings["distinct"], _ = best_of(REPEATS_DISTINCT, lambda: plan_many(route, schedule, distinct))
    timings["distinct_cases"] = len(distinct)
    coupled, common = coupled_stages(profile, route), frozenset(n - 1 for n in route.common_deadline)
    timings["baseline_distinct"], _ = best_of(
        REPEATS_DISTINCT, lambda: run_baseline(route.stages, bodies, days_off, gap, distinct, coupled, common)
    )
    timings["single"], plans = best_of(
        REPEATS_SINGLE, lambda: [plan(route, schedule, day) for day in ready[:SINGLE_CASES]]
    )
    timings["baseline"], expected = best_of(
        REPEATS_BASELINE, lambda: run_baseline(route.stages, bodies, days_off, gap, ready, coupled, common)
    )

    mismatches = compare_with_baseline(table, expected, ready)
    show_problems(
        f"Cross-check plan_many vs. baseline, {CASES:,} cases "
        "(earliest + latest meeting and slack per body, latest ready date)",
        mismatches,
    )
    single_mismatches = compare_single_with_bulk(plans, table)
    show_problems(f"Cross-check plan() vs. plan_many, {SINGLE_CASES:,} cases", single_mismatches)
    print(
        f"  planned cases: {sum(as_list(table.ok)):,} of {CASES:,} (plan_many ok); "
        f"{sum(e is not None for e in expected):,} (baseline)"
    )
    print()

    print_timings(timings)
    print(f"\nTotal run time {time.perf_counter() - started:.1f} s")
    return 1 if arithmetic or deadlines or mismatches or single_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
