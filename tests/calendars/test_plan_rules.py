"""The planning rules of issue 13 on a small fixture (tests/fixtures/plan_rules.toml), plus
properties of the rules on the shipped Slagelse profile.

Hand derivations use the real calendar: 3 March 2025 is a Monday; Grundlovsdag 2025 is Thursday
5 June and 1 May 2025 a Thursday; Langfredag 2027 is 26 March, Anden påskedag 29 March,
Kristi himmelfartsdag 6 May 2027.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.horizon import FIRST_SPAN, plan_for_profile, planning_period
from calendars.meetings import Schedule, meeting_plan
from calendars.planner import LateAddition, NoMeetingError, plan
from calendars.profile_reader import load_profile
from calendars.profiles import DeadlineRule, ProfileError
from calendars.workdays import ClosingDays, MunicipalCalendar

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plan_rules.toml"
D = dt.date
ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def rules():
    return load_profile(FIXTURE)


@functools.cache
def rules_schedule():
    return Schedule.for_period(rules(), D(2025, 1, 1), D(2027, 12, 31))


def meeting_days(route, ready, gap):
    result = plan(rules().routes[route], rules_schedule(), ready, gap=gap)
    return [step.meeting.day for step in result.steps]


# --- gap 0 and 1 -------------------------------------------------------------------------------


def test_gap_zero_lets_the_next_deadline_fall_on_the_meeting_day():
    # Tirsdagsforum Tue 4 March 2025 (deadline Mon 3 March). Torsdagsudvalget's deadline is 2
    # working days before its Thursday meeting: Tuesday 4 March, the day of the first meeting.
    assert meeting_days("samme_dag", D(2025, 3, 3), 0) == [D(2025, 3, 4), D(2025, 3, 6)]
    # With a gap of 1 the deadline must be the day after, Wed 5 March: the next Thursday, 13 March.
    assert meeting_days("samme_dag", D(2025, 3, 3), 1) == [D(2025, 3, 4), D(2025, 3, 13)]


def test_gap_one_is_the_next_day_and_gap_two_misses_it():
    # Torsdagsrådet's deadline is Wednesday 5 March, the day after Tirsdagsforum's meeting.
    assert meeting_days("dagen_efter", D(2025, 3, 3), 0) == [D(2025, 3, 4), D(2025, 3, 6)]
    assert meeting_days("dagen_efter", D(2025, 3, 3), 1) == [D(2025, 3, 4), D(2025, 3, 6)]
    assert meeting_days("dagen_efter", D(2025, 3, 3), 2) == [D(2025, 3, 4), D(2025, 3, 13)]


def test_profile_accepts_gap_zero_and_refuses_negative(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8")
    zero = tmp_path / "nul.toml"
    zero.write_text(text.replace("gap_working_days = 1", "gap_working_days = 0"), encoding="utf-8")
    assert load_profile(zero).gap_working_days == 0
    negative = tmp_path / "negativ.toml"
    negative.write_text(text.replace("gap_working_days = 1", "gap_working_days = -1"), encoding="utf-8")
    with pytest.raises(ProfileError, match="gap_working_days.*angiv 0 \\(samme dag\\)"):
        load_profile(negative)


def test_cli_plan_accepts_mellemrum_zero():
    args = [
        sys.executable,
        "-m",
        "sagsgang.cli",
        "plan",
        "--kommune",
        str(FIXTURE),
        "--rute",
        "samme_dag",
        "--klar",
        "03-03-2025",
        "--format",
        "json",
    ]
    zero = subprocess.run([*args, "--mellemrum", "0"], capture_output=True, text=True, cwd=ROOT, check=True)
    one = subprocess.run([*args, "--mellemrum", "1"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert [s["meeting"][:10] for s in json.loads(zero.stdout)["steps"]] == ["2025-03-04", "2025-03-06"]
    assert [s["meeting"][:10] for s in json.loads(one.stdout)["steps"]] == ["2025-03-04", "2025-03-13"]
    negative = subprocess.run([*args, "--mellemrum", "-1"], capture_output=True, text=True, cwd=ROOT)
    assert negative.returncode != 0 and "--mellemrum kan ikke være negativ" in negative.stderr


# --- meetings on days off ----------------------------------------------------------------------


def test_the_week_before_follows_the_moved_meeting():
    # Rådet's last Friday of March 2027 is Langfredag 26 March; the next working day in March is
    # Tuesday 30 March (29 March is Anden påskedag). Forberedelsesudvalget meets the Monday of the
    # week before the meeting it prepares: 22 March (from the unmoved Friday it would be 15 March).
    meetings = meeting_plan(rules(), D(2027, 3, 1), D(2027, 3, 31))
    raad = [(m.day, m.moved_from) for m in meetings if m.body == "raad"]
    assert raad == [(D(2027, 3, 30), D(2027, 3, 26))]
    assert [m.day for m in meetings if m.body == "forberedelse"] == [D(2027, 3, 22)]


def test_on_day_off_rules_next_previous_cancel():
    # 1st Thursday of May 2027 is Kristi himmelfartsdag, 6 May.
    meetings = meeting_plan(rules(), D(2027, 5, 1), D(2027, 5, 31))
    by_body = {}
    for m in meetings:
        by_body.setdefault(m.body, []).append(m.day)
    assert by_body.get("aflysende", []) == []  # "aflyses": no May meeting
    assert by_body["fremrykkende"] == [D(2027, 5, 5)]  # "forrige arbejdsdag": Wednesday
    # A weekly political body (default "næste arbejdsdag") moves within the week: Friday 7 May.
    assert D(2027, 5, 7) in by_body["torsdag_en"] and D(2027, 5, 6) not in by_body["torsdag_en"]
    # An administrative body's default is "aflyses": Tirsdagsforum keeps its Tuesdays only.
    assert all(day.weekday() == 1 for day in by_body["tirsdag"])


def test_adopted_dates_win_over_moved_cadence_meetings(tmp_path):
    path = tmp_path / "vedtaget.toml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8").replace(
            'cadence = "sidste fredag i måneden kl. 17:00"',
            'cadence = "sidste fredag i måneden kl. 17:00"\nmeetings = ["2027-03-23 17:00"]',
        ),
        encoding="utf-8",
    )
    meetings = meeting_plan(load_profile(path), D(2027, 3, 1), D(2027, 4, 30))
    # March's meeting is the adopted Tuesday 23 March: no moved 30 March next to it; April's
    # cadence meeting (last Friday, 30 April) is after the plan.
    assert [m.day for m in meetings if m.body == "raad"] == [D(2027, 3, 23), D(2027, 4, 30)]


def test_profile_refuses_unknown_on_day_off_rule(tmp_path):
    path = tmp_path / "forkert.toml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8").replace('on_day_off = "aflyses"', 'on_day_off = "udsættes"'),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match="bodies.aflysende.on_day_off.*'udsættes'"):
        load_profile(path)


# --- early closings ----------------------------------------------------------------------------


def test_timed_deadline_on_grundlovsdag_at_noon_moves_to_the_day_before():
    schedule = rules_schedule()
    fredag = {m.day: m for m in schedule.by_body["fredag"].meetings}
    # Friday 6 June 2025: 1 working day before is Thursday 5 June, Grundlovsdag, which closes at
    # 12:00; the deadline is at 12:00, so it moves to Wednesday 4 June.
    assert schedule.deadline(fredag[D(2025, 6, 6)]) == D(2025, 6, 4)
    # Likewise 1 May 2025 (Thursday) for Friday 2 May: Wednesday 30 April.
    assert schedule.deadline(fredag[D(2025, 5, 2)]) == D(2025, 4, 30)
    # An ordinary Thursday stays: Friday 13 June → Thursday 12 June.
    assert schedule.deadline(fredag[D(2025, 6, 13)]) == D(2025, 6, 12)


def test_deadline_before_the_closing_hour_or_untimed_stays():
    calendar = MunicipalCalendar(ClosingDays(early={"Grundlovsdag": dt.time(12, 0)}))
    meeting = D(2025, 6, 6)
    for rule, expected in (
        (DeadlineRule(working_days_before=1, time=dt.time(11, 59)), D(2025, 6, 5)),
        (DeadlineRule(working_days_before=1), D(2025, 6, 5)),
        (DeadlineRule(working_days_before=1, time=dt.time(12, 0)), D(2025, 6, 4)),
        (DeadlineRule(days_before=1, time=dt.time(15, 0)), D(2025, 6, 4)),
    ):
        assert calendar.day_at(rule.position(calendar, meeting)) == expected, rule
    assert calendar.is_working_day(D(2025, 6, 5))  # the morning is a working day
    assert calendar.early_closings_between(D(2025, 1, 1), D(2025, 12, 31)) == [
        (D(2025, 6, 5), "Grundlovsdag", dt.time(12, 0))
    ]


def test_profile_refuses_unknown_early_closing_day(tmp_path):
    path = tmp_path / "forkert.toml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8").replace('"Arbejdernes kampdag" = "12:00"', '"1. maj" = "12:00"'),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match="calendar.closes_early.1. maj"):
        load_profile(path)


# --- common deadline and coupling in the profile -----------------------------------------------


def test_profile_refuses_common_deadline_on_a_single_body_stage(tmp_path):
    path = tmp_path / "forkert.toml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8")
        + textwrap.dedent("""
        [routes.forkert]
        name = "Forkert"
        stages = ["tirsdag", "torsdag_to"]
        common_deadline = [2]
        """),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match=r"routes.forkert.common_deadline\[0\]"):
        load_profile(path)


def test_profile_refuses_takes_cases_from_unknown_body(tmp_path):
    path = tmp_path / "forkert.toml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8").replace(
            "agenda = { working_days_before = 4 }", 'agenda = { working_days_before = 4 }\ntakes_cases_from = ["oeu"]'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match=r"bodies.raad.takes_cases_from\[0\].*'oeu'"):
        load_profile(path)


def test_common_deadline_row_in_the_timetable(slagelse):
    from sagsgang.publishing import timeline

    result = plan_for_profile(slagelse, slagelse.routes["politisk_oekonomi"], D(2027, 1, 4))
    committees = [s for s in result.steps if s.stage == 3]
    # The four fagudvalg meet 1, 2, 3 and 4 March 2027; 8 working days before Monday 1 March is
    # Wednesday 17 February (26, 25, 24, 23, 22, 19, 18, 17), the earliest of the four.
    assert [s.meeting.day for s in committees] == [D(2027, 3, 1), D(2027, 3, 2), D(2027, 3, 3), D(2027, 3, 4)]
    assert {s.deadline for s in committees} == {D(2027, 2, 17)}
    rows = [row for row in timeline.rows(result) if "udvalgsmøder" in row.activity or "Børne" in row.activity]
    assert [(row.day, row.activity) for row in rows][0] == (D(2027, 2, 17), "Deadline for sager på udvalgsmøder")
    assert not [row for row in timeline.rows(result) if row.activity.startswith("Deadline for sag til Børne")]


# --- any horizon -------------------------------------------------------------------------------


def test_plans_reach_past_three_years_and_stop_at_the_calendar_end(slagelse):
    route = slagelse.routes["udvalgssag"]
    # Direktion Tuesdays, Erhverv 1st Tuesday of the month: ready Monday 3 January 2095, direktion
    # Tuesday 11 January (4 January's deadline, 3 working days before, was 29 December).
    result = plan_for_profile(slagelse, route, D(2095, 1, 3))
    assert result.steps[0].meeting.day == D(2095, 1, 11)
    with pytest.raises(NoMeetingError, match="før kalenderens sidste dag, fredag 31. december 2100"):
        plan_for_profile(slagelse, route, D(2100, 12, 20))


def test_a_body_without_cadence_says_its_plan_ended(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(
        textwrap.dedent("""\
        name = "Plankommune"
        [bodies.direktion]
        name = "Direktionen"
        kind = "administrativ"
        cadence = "hver tirsdag kl. 09:00"
        deadline = { working_days_before = 1 }
        [bodies.udvalg]
        name = "Udvalget"
        kind = "politisk"
        meetings = ["2025-03-06", "2025-04-03"]
        deadline = { working_days_before = 2 }
        [routes.sag]
        name = "Sag"
        stages = ["direktion", "udvalg"]
        """),
        encoding="utf-8",
    )
    profile = load_profile(path)
    with pytest.raises(NoMeetingError) as caught:
        plan_for_profile(profile, profile.routes["sag"], D(2025, 4, 1))
    # Direktionen: Tuesday 1 April's deadline (Monday 31 March) is before the ready date, so
    # Tuesday 8 April; Udvalget's next meeting would need a deadline on or after Wednesday 9 April.
    assert str(caught.value) == (
        "Udvalget har intet møde med sagsfrist på eller efter onsdag 9. april 2025: organet har ingen "
        "kadence, og mødeplanen slutter torsdag 3. april 2025. Tilføj møder til mødeplanen eller en "
        "kadence for organet."
    )


def test_planning_period_covers_what_the_plan_uses(slagelse):
    route = slagelse.routes["politisk"]
    start, end = planning_period(slagelse, route, D(2027, 1, 4))
    assert (start, end) == (D(2027, 1, 4), D(2027, 3, 30))
    late = planning_period(slagelse, route, D(2027, 1, 4), held_after={"direktion": D(2026, 12, 1)})
    assert late[0] == D(2026, 12, 1)


# --- properties --------------------------------------------------------------------------------

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def slagelse_long():
    profile = load_profile("slagelse")
    return profile, Schedule.for_period(profile, D(2026, 1, 1), D(2036, 12, 31))


@functools.cache
def albertslund_2024():
    profile = load_profile("albertslund")
    return profile, Schedule.for_period(profile, D(2024, 1, 1), D(2025, 6, 30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ready=st.dates(D(2026, 1, 1), D(2034, 12, 31)),
    route=st.sampled_from(["politisk_oekonomi", "politisk", "udvalgssag", "erhvervsudvikling"]),
)
def test_any_horizon_plans_like_a_long_fixed_schedule(ready, route):
    profile, schedule = slagelse_long()
    assert plan_for_profile(profile, profile.routes[route], ready) == plan(profile.routes[route], schedule, ready)


@_SETTINGS
@given(ready=st.dates(D(2026, 1, 1), D(2034, 12, 31)))
def test_smaller_gaps_never_plan_later(ready):
    profile, schedule = slagelse_long()
    route = profile.routes["politisk_oekonomi"]
    finals = [plan(route, schedule, ready, gap=gap).final.meeting.day for gap in (0, 1, 2)]
    assert finals == sorted(finals)
    for step_before, step in zip(
        plan(route, schedule, ready, gap=0).steps, plan(route, schedule, ready, gap=0).steps[1:]
    ):
        if step.stage > step_before.stage and not step.coupled and not step.common_deadline:
            assert step.deadline >= step_before.meeting.day or step.stage == step_before.stage


@functools.cache
def uncoupled_schedule():
    profile, schedule = slagelse_long()
    bodies = dict(profile.bodies)
    bodies["byraadet"] = dataclasses.replace(bodies["byraadet"], takes_cases_from=())
    return Schedule.build(dataclasses.replace(profile, bodies=bodies), schedule.all_meetings)


@_SETTINGS
@given(ready=st.dates(D(2026, 1, 1), D(2034, 12, 31)))
def test_coupling_never_plans_later_and_keeps_the_cycle(ready):
    profile, schedule = slagelse_long()
    route = profile.routes["politisk"]
    coupled = plan(route, schedule, ready)
    alone = plan(route, uncoupled_schedule(), ready)
    assert coupled.final.meeting.day <= alone.final.meeting.day
    # The earlier stages' earliest meetings are the same; only the council can come sooner.
    assert [(s.body.key, s.meeting, s.deadline) for s in coupled.steps[:-1]] == [
        (s.body.key, s.meeting, s.deadline) for s in alone.steps[:-1]
    ]
    oeu, council = coupled.steps[-2], coupled.final
    if council.coupled:
        # The council meeting right after ØU's; the case went to ØU by the council's agenda day.
        council_days = [m.day for m in schedule.by_body["byraadet"].meetings]
        assert council.meeting.day == min(d for d in council_days if d > oeu.meeting.day)
        assert oeu.deadline <= council.agenda_due


@_SETTINGS
@given(start=st.dates(D(2026, 1, 1), D(2040, 12, 31)))
def test_provisional_meetings_are_on_usable_days_and_moves_stay_in_their_period(start):
    profile = slagelse_long()[0]
    calendar = profile.calendar
    for meeting in meeting_plan(profile, start, start + dt.timedelta(days=120)):
        body = profile.bodies[meeting.body]
        if meeting.status == "planlagt" and body.meetings:
            continue  # adopted dates always win
        assert calendar.is_working_day(meeting.day), meeting
        assert body.meets_in_recess or calendar.recess_at(meeting.day) is None, meeting
        if meeting.moved_from is not None and meeting.body not in ("oekonomiudvalget",):
            moved_from = meeting.moved_from
            assert not calendar.is_working_day(moved_from) or calendar.recess_at(moved_from) is not None
            assert (moved_from.year, moved_from.month) == (meeting.day.year, meeting.day.month)


@_SETTINGS
@given(meeting=st.dates(D(2024, 1, 1), D(2040, 12, 31)), before=st.integers(0, 10), hour=st.integers(8, 16))
def test_timed_deadlines_never_at_or_after_closing_on_early_closing_days(meeting, before, hour):
    calendar = slagelse_long()[0].calendar
    timed = DeadlineRule(working_days_before=before, time=dt.time(hour, 0))
    plain = DeadlineRule(working_days_before=before)
    day = calendar.day_at(timed.position(calendar, meeting))
    plain_day = calendar.day_at(plain.position(calendar, meeting))
    closing = calendar.closes_early.get(plain_day)
    if closing is not None and dt.time(hour, 0) >= closing:
        assert day == calendar.add_working_days(plain_day, -1)
    else:
        assert day == plain_day
    assert (
        not (day in calendar.closes_early and dt.time(hour, 0) >= calendar.closes_early[day])
        or calendar.closes_early.get(calendar.add_working_days(day, 1)) is not None
    )


@_SETTINGS
@given(ready=st.dates(D(2024, 2, 1), D(2024, 3, 14)), other=st.dates(D(2024, 1, 1), D(2024, 12, 1)))
def test_a_late_addition_changes_only_its_own_case(ready, other):
    albertslund, schedule = albertslund_2024()
    route = albertslund.routes["orientering"]
    first = plan(route, schedule, ready).steps[0].meeting.day
    later = [m.day for m in schedule.by_body["chefforum"].meetings if m.day >= first]
    late = LateAddition("chefforum", later[0])
    result = plan(route, schedule, ready, late=[late])
    assert result.steps[1].meeting.day == later[0] and result.steps[1].late == late
    assert plan(route, schedule, other) == plan(route, schedule, other)
    assert result.steps[1].meeting.day <= plan(route, schedule, ready).steps[1].meeting.day
    assert FIRST_SPAN.days >= 365
