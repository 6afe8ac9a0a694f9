"""The route planner (calendars.planner) on realistic Danish meeting plans.

Every expected date below was worked out by hand from the real calendar (`python -m calendar
2025`) and the Danish holidays, never copied from the planner's output; the comment next to each
expectation says how it follows. "N wd before D" counts N working days back from D, skipping
weekends, holidays and the profile's closing days.

Danish holidays used (python-holidays, DK):
  2025: Skærtorsdag to 17/4, Langfredag fr 18/4, Påskedag sø 20/4, Anden påskedag ma 21/4,
        Kristi himmelfartsdag to 29/5, Pinsedag sø 8/6, Anden pinsedag ma 9/6;
        optional: Arbejdernes kampdag to 1/5, Grundlovsdag to 5/6.
  2027: Kristi himmelfartsdag to 6/5, Anden pinsedag ma 17/5 (Grundlovsdag is a Saturday).
Store bededag is abolished from 2024 and must not appear.

The fixtures (tests/fixtures/planner_*.toml) have explicit adopted meeting plans, so the
expectations can be checked against the lists there.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import random
from pathlib import Path

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.meetings import Meeting, MeetingStatus, Schedule, meeting_plan
from calendars.planner import Plan, PlanningError, Target, plan, plan_many
from calendars.profile_reader import load_profile
from calendars.profiles import ClosingDays, Profile
from calendars.workdays import DayOff

FIXTURES = Path(__file__).parents[1] / "fixtures"
D = dt.date
YEAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))


# --- helpers ----------------------------------------------------------------------------------


@functools.cache
def profile(name: str) -> Profile:
    return load_profile(FIXTURES / f"planner_{name}.toml")


@functools.cache
def schedule(name: str) -> Schedule:
    return Schedule.for_period(profile(name), *YEAR_2025)


def run(name: str, route: str, ready: dt.date, **kwargs) -> Plan:
    return plan(profile(name).routes[route], schedule(name), ready, **kwargs)


def earliest(result: Plan) -> list[tuple[str, dt.date, dt.date]]:
    """(body, meeting day, deadline) of the earliest plan, in route order."""
    return [(s.body.key, s.meeting.day, s.deadline) for s in result.steps]


def latest(result: Plan) -> list[tuple[str, dt.date, dt.date]]:
    return [(s.body.key, s.latest_meeting.day, s.latest_deadline) for s in result.steps]


def slack(result: Plan) -> dict[str, int]:
    return {s.body.key: s.slack_working_days for s in result.steps}


def step(result: Plan, body: str):
    return next(s for s in result.steps if s.body.key == body)


# --- 1. Forward across Easter 2025 -----------------------------------------------------------


def test_forward_across_easter_skips_the_easter_days():
    result = run("paaske", "politisk", D(2025, 3, 24))  # ready Monday 24 March
    assert earliest(result) == [
        # Tue 25/3 has deadline Thu 20/3 (< 24/3); Tue 1/4: 3 wd before = Mon 31/3, Fri 28/3, Thu 27/3.
        ("direktion", D(2025, 4, 1), D(2025, 3, 27)),
        # Ready for the committee Wed 2/4 (1 wd after 1/4). Tue 22/4: 8 wd back skips Mon 21/4,
        # Fri 18/4, Thu 17/4: Wed 16, Tue 15, Mon 14, Fri 11, Thu 10, Wed 9, Tue 8, Mon 7/4
        # (without Easter it would have been Thu 10/4).
        ("udvalg", D(2025, 4, 22), D(2025, 4, 7)),
        # Ready Wed 23/4. Tue 29/4: 4 wd before = Mon 28, Fri 25, Thu 24, Wed 23/4: exactly on time.
        ("byraad", D(2025, 4, 29), D(2025, 4, 23)),
    ]
    # Kommunestyrelseslovens § 8, stk. 4: agenda 4 wd before Tue 29/4 = Wed 23/4.
    assert step(result, "byraad").agenda_due == D(2025, 4, 23)
    assert step(result, "direktion").agenda_due is None
    # Påskedag (Sunday 20/4) is not a weekday, so only the three weekday holidays are listed.
    assert result.days_off == (
        DayOff(D(2025, 4, 17), "Skærtorsdag", "helligdag"),
        DayOff(D(2025, 4, 18), "Langfredag", "helligdag"),
        DayOff(D(2025, 4, 21), "Anden påskedag", "helligdag"),
    )
    assert result.recesses == ()


def test_forward_ready_just_before_easter():
    result = run("paaske", "politisk", D(2025, 4, 11))  # ready Friday 11 April
    assert earliest(result) == [
        # Tue 15/4 has deadline Thu 10/4 (< 11/4). Tue 22/4: 3 wd back skips Mon 21, Fri 18, Thu 17:
        # Wed 16, Tue 15, Mon 14/4.
        ("direktion", D(2025, 4, 22), D(2025, 4, 14)),
        # Ready Wed 23/4; Tue 22/4 (deadline Mon 7/4) is gone. Tue 13/5: 8 wd back = Mon 12, Fri 9,
        # Thu 8, Wed 7, Tue 6, Mon 5, Fri 2, Thu 1/5 (1 May is a working day in this profile).
        ("udvalg", D(2025, 5, 13), D(2025, 5, 1)),
        # Ready Wed 14/5. Tue 27/5: 4 wd back = Mon 26, Fri 23, Thu 22, Wed 21/5.
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]


def test_ready_on_a_holiday_or_weekend_counts_from_the_next_working_day():
    # Ready Saturday 12/4 counts as Monday 14/4, which is exactly the deadline of Tue 22/4.
    assert earliest(run("paaske", "politisk", D(2025, 4, 12)))[0] == ("direktion", D(2025, 4, 22), D(2025, 4, 14))
    # Ready Skærtorsdag 17/4 counts as Tue 22/4 (17, 18, 19, 20, 21 are all days off): 22/4's
    # deadline Mon 14/4 is gone; Tue 29/4: 3 wd back = Mon 28, Fri 25, Thu 24/4.
    result = run("paaske", "politisk", D(2025, 4, 17))
    assert earliest(result) == [
        ("direktion", D(2025, 4, 29), D(2025, 4, 24)),
        # Ready Wed 30/4; Tue 13/5 has deadline Thu 1/5 (see above).
        ("udvalg", D(2025, 5, 13), D(2025, 5, 1)),
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]


# --- 2. May's holidays ------------------------------------------------------------------------


def test_may_holidays_and_closing_days_move_deadlines_earlier():
    result = run("maj", "politisk", D(2025, 5, 14))  # ready Wednesday 14 May
    assert earliest(result) == [
        # Tue 13/5 has deadline Thu 8/5 (< 14/5); Tue 20/5: Mon 19, Fri 16, Thu 15/5.
        ("direktion", D(2025, 5, 20), D(2025, 5, 15)),
        # Ready Wed 21/5. Tue 3/6, 5 wd: Mon 2/6, [Fri 30/5 closed (day after Kristi himmelfart),
        # Thu 29/5 Kristi himmelfartsdag], Wed 28, Tue 27, Mon 26, Fri 23/5.
        ("udvalg", D(2025, 6, 3), D(2025, 5, 23)),
        # Ready Wed 4/6. Thu 12/6, 4 wd: Wed 11, Tue 10, [Mon 9/6 2. pinsedag], Fri 6,
        # [Thu 5/6 Grundlovsdag, closed], Wed 4/6: exactly on time.
        ("byraad", D(2025, 6, 12), D(2025, 6, 4)),
    ]
    # Pinsedag (Sunday 8/6) is not listed; the closing days are "lukkedag".
    assert result.days_off == (
        DayOff(D(2025, 5, 29), "Kristi himmelfartsdag", "helligdag"),
        DayOff(D(2025, 5, 30), "Dagen efter kristi himmelfartsdag", "lukkedag"),
        DayOff(D(2025, 6, 5), "Grundlovsdag", "lukkedag"),
        DayOff(D(2025, 6, 9), "Anden pinsedag", "helligdag"),
    )


def test_may_deadlines_without_the_closing_days():
    # The same meetings in a town hall that is open 30/5 and on Grundlovsdag.
    open_profile = dataclasses.replace(profile("maj"), closing_days=ClosingDays())
    sched = Schedule.for_period(open_profile, *YEAR_2025)
    result = plan(open_profile.routes["politisk"], sched, D(2025, 5, 14))
    assert earliest(result) == [
        ("direktion", D(2025, 5, 20), D(2025, 5, 15)),  # unaffected
        # Tue 3/6, 5 wd: Mon 2/6, Fri 30/5, [Thu 29/5], Wed 28, Tue 27, Mon 26/5.
        ("udvalg", D(2025, 6, 3), D(2025, 5, 26)),
        # Thu 12/6, 4 wd: Wed 11, Tue 10, [Mon 9/6], Fri 6, Thu 5/6.
        ("byraad", D(2025, 6, 12), D(2025, 6, 5)),
    ]


def test_may_direktion_deadlines_skip_ascension_and_whitsun():
    result = run("maj", "politisk", D(2025, 5, 23))  # ready Friday 23 May
    assert earliest(result) == [
        # Tue 27/5 has deadline Thu 22/5 (< 23/5). Tue 3/6, 3 wd: Mon 2/6, [30/5, 29/5], Wed 28, Tue 27/5.
        ("direktion", D(2025, 6, 3), D(2025, 5, 27)),
        # Ready Wed 4/6; Tue 3/6 is gone. Tue 24/6, 5 wd: Mon 23, Fri 20, Thu 19, Wed 18, Tue 17/6.
        ("udvalg", D(2025, 6, 24), D(2025, 6, 17)),
        # Ready Wed 25/6. Thu 26/6 has deadline Fri 20/6 (< 25/6). Thu 21/8, 4 wd: Wed 20, Tue 19,
        # Mon 18, Fri 15/8.
        ("byraad", D(2025, 8, 21), D(2025, 8, 15)),
    ]
    result = run("maj", "politisk", D(2025, 5, 28))  # ready Wednesday 28 May
    # Tue 3/6 has deadline Tue 27/5 (< 28/5). Tue 10/6, 3 wd: [Mon 9/6], Fri 6, [Thu 5/6], Wed 4, Tue 3/6.
    assert earliest(result)[0] == ("direktion", D(2025, 6, 10), D(2025, 6, 3))


# --- 3. July recess ---------------------------------------------------------------------------


def test_political_bodies_with_a_cadence_do_not_meet_in_july():
    sched = schedule("sommer")
    days = {key: [m.day for m in sched.by_body[key].meetings if m.day >= D(2025, 5, 1)] for key in ("udvalg", "byraad")}
    # 1st Wednesday: 7/5, 4/6 (adopted), 2/7 (recess), 6/8, 3/9, 1/10, 5/11, 3/12.
    assert days["udvalg"] == [
        D(2025, 5, 7),
        D(2025, 6, 4),
        D(2025, 8, 6),
        D(2025, 9, 3),
        D(2025, 10, 1),
        D(2025, 11, 5),
        D(2025, 12, 3),
    ]
    # Last Tuesday: 27/5, 24/6 (adopted), 29/7 (recess), 26/8, 30/9, 28/10, 25/11, 30/12.
    assert days["byraad"] == [
        D(2025, 5, 27),
        D(2025, 6, 24),
        D(2025, 8, 26),
        D(2025, 9, 30),
        D(2025, 10, 28),
        D(2025, 11, 25),
        D(2025, 12, 30),
    ]
    # The administration meets in July (Tuesdays 1, 8, 15, 22, 29).
    assert [m.day for m in sched.by_body["direktion"].meetings if m.day.month == 7] == [
        D(2025, 7, 1),
        D(2025, 7, 8),
        D(2025, 7, 15),
        D(2025, 7, 22),
        D(2025, 7, 29),
    ]


def test_case_ready_late_june_goes_to_the_council_in_august():
    result = run("sommer", "byraadssag", D(2025, 6, 23))  # ready Monday 23 June
    assert earliest(result) == [
        # Tue 24/6 has deadline Thu 19/6 (< 23/6); Tue 1/7: Mon 30/6, Fri 27, Thu 26/6.
        ("direktion", D(2025, 7, 1), D(2025, 6, 26)),
        # No council on Tue 29/7 (Sommerferie). Tue 26/8: Mon 25, Fri 22, Thu 21, Wed 20/8.
        ("byraad", D(2025, 8, 26), D(2025, 8, 20)),
    ]
    # 26/8 lies beyond the adopted plan (last adopted: 24/6), so it comes from the cadence.
    assert result.final.meeting.status is MeetingStatus.PROVISIONAL
    assert step(result, "direktion").meeting.status is MeetingStatus.PROVISIONAL
    # Latest: direktion held at the latest Wed 19/8 (1 wd before 20/8) -> Tue 19/8, deadline
    # Mon 18, Fri 15, Thu 14/8. Slack: Thu 26/6 .. Thu 14/8 = 7 weeks without holidays = 35 wd.
    assert latest(result)[0] == ("direktion", D(2025, 8, 19), D(2025, 8, 14))
    assert result.latest_ready == D(2025, 8, 14)
    assert slack(result) == {"direktion": 35, "byraad": 0}
    # The plan runs from 23/6 to 26/8: Sommerferie 1/7–31/7 lies inside; Efterårsferie (week 42) not.
    assert [(r.name, start, end) for r, start, end in result.recesses] == [
        ("Sommerferie", D(2025, 7, 1), D(2025, 7, 31))
    ]
    assert result.days_off == ()  # no Danish holiday between 23/6 and 26/8


def test_recess_pushes_the_committee_from_july_to_august():
    result = run("sommer", "politisk", D(2025, 6, 2))  # ready Monday 2 June
    assert earliest(result) == [
        # Tue 3/6: Mon 2/6, Fri 30/5, [Thu 29/5 Kristi himmelfart], Wed 28/5 (< 2/6).
        # Tue 10/6: [Mon 9/6 2. pinsedag], Fri 6, Thu 5 (Grundlovsdag is a working day here), Wed 4/6.
        ("direktion", D(2025, 6, 10), D(2025, 6, 4)),
        # Ready Wed 11/6; Wed 4/6 is gone, 2/7 is in the recess. Wed 6/8, 8 wd: Tue 5, Mon 4, Fri 1/8,
        # Thu 31, Wed 30, Tue 29, Mon 28, Fri 25/7.
        ("udvalg", D(2025, 8, 6), D(2025, 7, 25)),
        # Ready Thu 7/8. Tue 26/8: deadline Wed 20/8.
        ("byraad", D(2025, 8, 26), D(2025, 8, 20)),
    ]
    # Latest: udvalg held by Tue 19/8 -> 6/8; direktion held by Thu 24/7 -> Tue 22/7, deadline
    # Mon 21, Fri 18, Thu 17/7. Slack direktion: Wed 4/6 .. Thu 17/7 = 3 (4–6/6) + 4 (10–13/6,
    # 9/6 off) + 4 full weeks (20) + 3 (14–16/7) = 30 wd.
    assert latest(result) == [
        ("direktion", D(2025, 7, 22), D(2025, 7, 17)),
        ("udvalg", D(2025, 8, 6), D(2025, 7, 25)),
        ("byraad", D(2025, 8, 26), D(2025, 8, 20)),
    ]
    assert slack(result) == {"direktion": 30, "udvalg": 0, "byraad": 0}
    assert [(r.name, start, end) for r, start, end in result.recesses] == [
        ("Sommerferie", D(2025, 7, 1), D(2025, 7, 31))
    ]
    # From 2/6 to 26/8 only 2. pinsedag is a weekday holiday (Grundlovsdag is not closed here).
    assert result.days_off == (DayOff(D(2025, 6, 9), "Anden pinsedag", "helligdag"),)


def test_without_the_recess_the_july_meetings_would_be_used():
    no_recess = dataclasses.replace(profile("sommer"), recesses=())
    sched = Schedule.for_period(no_recess, *YEAR_2025)
    result = plan(no_recess.routes["politisk"], sched, D(2025, 6, 2))
    assert earliest(result) == [
        ("direktion", D(2025, 6, 10), D(2025, 6, 4)),
        # Wed 2/7, 8 wd: Tue 1/7, Mon 30, Fri 27, Thu 26, Wed 25, Tue 24, Mon 23, Fri 20/6 (>= 11/6).
        ("udvalg", D(2025, 7, 2), D(2025, 6, 20)),
        # Ready Thu 3/7. Tue 29/7: Mon 28, Fri 25, Thu 24, Wed 23/7.
        ("byraad", D(2025, 7, 29), D(2025, 7, 23)),
    ]
    assert result.recesses == ()


# --- 4. Parallel stages -----------------------------------------------------------------------

# Ready Monday 4 August 2025. Direktion: Tue 5/8 has deadline Thu 31/7 (< 4/8); Tue 12/8: Mon 11,
# Fri 8, Thu 7/8. The three committees (8 wd): Mon 1/9 -> Wed 20/8, Tue 2/9 -> Thu 21/8,
# Thu 4/9 -> Mon 25/8 (Wed 3/9 .. Mon 25/8). ØU (2 wd): Tue 9/9 -> Fri 5/9, Tue 23/9 -> Fri 19/9.
# Byråd (3 wd): Mon 15/9 -> Wed 10/9, Mon 29/9 -> Wed 24/9, Mon 27/10 -> Wed 22/10.
PARALLEL_READY = D(2025, 8, 4)
COMMITTEES_SEPTEMBER = [
    ("teknik_miljoe", D(2025, 9, 4), D(2025, 8, 25)),
    ("boern_unge", D(2025, 9, 1), D(2025, 8, 20)),
    ("social_sundhed", D(2025, 9, 2), D(2025, 8, 21)),
]


def test_parallel_stage_waits_for_the_last_committee_gap_1():
    result = run("parallel", "tre_udvalg", PARALLEL_READY)
    assert earliest(result) == [
        ("direktion", D(2025, 8, 12), D(2025, 8, 7)),
        *COMMITTEES_SEPTEMBER,  # ready Wed 13/8: all three September meetings
        # The last committee meets Thu 4/9; ready for ØU Fri 5/9 = deadline of Tue 9/9.
        ("oekonomiudvalget", D(2025, 9, 9), D(2025, 9, 5)),
        # Ready Wed 10/9 = deadline of Mon 15/9.
        ("byraadet", D(2025, 9, 15), D(2025, 9, 10)),
    ]
    assert all(s.stage == 2 for s in result.steps[1:4])


def test_parallel_stage_gap_3_working_days_after_the_last_committee():
    result = run("parallel", "tre_udvalg", PARALLEL_READY, gap=3)
    assert earliest(result) == [
        ("direktion", D(2025, 8, 12), D(2025, 8, 7)),
        # Ready Tue 12/8 + 3 wd = Fri 15/8: the committee deadlines (20, 21, 25/8) still hold.
        *COMMITTEES_SEPTEMBER,
        # Thu 4/9 + 3 wd = Tue 9/9 > Fri 5/9, so ØU 9/9 is missed (it would have been reachable
        # from the FIRST committee, Mon 1/9 + 3 = Thu 4/9). Tue 23/9: deadline Fri 19/9.
        ("oekonomiudvalget", D(2025, 9, 23), D(2025, 9, 19)),
        # Tue 23/9 + 3 wd = Fri 26/9 > Wed 24/9 (29/9). Mon 27/10: Fri 24, Thu 23, Wed 22/10.
        ("byraadet", D(2025, 10, 27), D(2025, 10, 22)),
    ]

    # Two committees, the last on Tue 2/9: + 3 wd = Fri 5/9 = deadline of ØU 9/9 (just in time);
    # then Tue 9/9 + 3 = Fri 12/9 > Wed 10/9, so the council is Mon 29/9 (deadline Wed 24/9).
    result = run("parallel", "to_udvalg", PARALLEL_READY, gap=3)
    assert earliest(result)[3:] == [
        ("oekonomiudvalget", D(2025, 9, 9), D(2025, 9, 5)),
        ("byraadet", D(2025, 9, 29), D(2025, 9, 24)),
    ]
    result = run("parallel", "to_udvalg", PARALLEL_READY, gap=1)
    assert earliest(result)[3:] == [
        ("oekonomiudvalget", D(2025, 9, 9), D(2025, 9, 5)),  # Tue 2/9 + 1 = Wed 3/9 <= Fri 5/9
        ("byraadet", D(2025, 9, 15), D(2025, 9, 10)),
    ]


def test_profile_gap_is_used_when_no_gap_is_given():
    gap3 = dataclasses.replace(profile("parallel"), gap_working_days=3)
    sched = Schedule.for_period(gap3, *YEAR_2025)
    result = plan(gap3.routes["tre_udvalg"], sched, PARALLEL_READY)
    # Same as gap=3 above.
    assert [(s.body.key, s.meeting.day) for s in result.steps][-2:] == [
        ("oekonomiudvalget", D(2025, 9, 23)),
        ("byraadet", D(2025, 10, 27)),
    ]


def test_parallel_backward_bounds_the_previous_stage_by_the_earliest_parallel_deadline():
    result = run("parallel", "tre_udvalg", PARALLEL_READY, target=Target("byraadet", D(2025, 10, 27)))
    assert latest(result) == [
        # Bound = the earliest of the committees' latest deadlines, Fri 19/9 (teknik_miljoe):
        # held by Thu 18/9 -> Tue 16/9, deadline Mon 15, Fri 12, Thu 11/9.
        ("direktion", D(2025, 9, 16), D(2025, 9, 11)),
        # Each committee held by Thu 16/10 (1 wd before ØU's deadline Fri 17/10).
        # Wed 1/10, 8 wd: Tue 30, Mon 29, Fri 26, Thu 25, Wed 24, Tue 23, Mon 22, Fri 19/9.
        ("teknik_miljoe", D(2025, 10, 1), D(2025, 9, 19)),
        # Mon 6/10: Fri 3, Thu 2, Wed 1, Tue 30, Mon 29, Fri 26, Thu 25, Wed 24/9.
        ("boern_unge", D(2025, 10, 6), D(2025, 9, 24)),
        # Tue 7/10: ... Thu 25/9.
        ("social_sundhed", D(2025, 10, 7), D(2025, 9, 25)),
        # Held by Tue 21/10 (1 wd before Wed 22/10): Tue 21/10, deadline Mon 20, Fri 17/10.
        ("oekonomiudvalget", D(2025, 10, 21), D(2025, 10, 17)),
        ("byraadet", D(2025, 10, 27), D(2025, 10, 22)),
    ]
    assert result.latest_ready == D(2025, 9, 11)
    # No holidays in August–October 2025: whole weeks are 5 wd.
    assert slack(result) == {
        "direktion": 25,  # Thu 7/8 .. Thu 11/9: 5 weeks
        "teknik_miljoe": 19,  # Mon 25/8 .. Fri 19/9: 3 weeks + 4 days
        "boern_unge": 25,  # Wed 20/8 .. Wed 24/9
        "social_sundhed": 25,  # Thu 21/8 .. Thu 25/9
        "oekonomiudvalget": 30,  # Fri 5/9 .. Fri 17/10: 6 weeks
        "byraadet": 30,  # Wed 10/9 .. Wed 22/10
    }
    assert result.note == ""


def test_missing_meeting_with_a_larger_gap_argument_raises():
    """With gap=3 no ØU meeting is reachable in a plan that ends 15/9; the planner must say so.

    Meetings up to Mon 15/9 only: direktion 12/8, committees 1, 2, 4/9, ØU 9/9 (deadline Fri 5/9 <
    Thu 4/9 + 3 wd = Tue 9/9), nothing later. The case cannot be planned. (With the profile's gap
    of 1, ØU 9/9 would do, so the explanation must use the gap that was asked for.)
    """
    prof = profile("parallel")
    sched = Schedule.build(prof, [m for m in meeting_plan(prof, *YEAR_2025) if m.day <= D(2025, 9, 15)])
    with pytest.raises(PlanningError) as caught:
        bad = plan(prof.routes["tre_udvalg"], sched, PARALLEL_READY, gap=3)
        # Reached only if the planner wrongly returned a plan: show what it returned.
        pytest.fail(f"no PlanningError; plan returned {earliest(bad)}")
    # Ready for ØU: Thu 4/9 + 3 wd = Tue 9/9.
    assert str(caught.value).startswith(
        "Økonomiudvalget har intet møde med sagsfrist på eller efter tirsdag 9. september 2025"
    )


# --- 5. Backward from a target ----------------------------------------------------------------


def test_backward_target_gives_latest_meetings_latest_ready_and_slack():
    result = run("paaske", "politisk", D(2025, 3, 24), target=Target("byraad", D(2025, 6, 24)))
    # Earliest as in the Easter test.
    assert [(k, m) for k, m, _ in earliest(result)] == [
        ("direktion", D(2025, 4, 1)),
        ("udvalg", D(2025, 4, 22)),
        ("byraad", D(2025, 4, 29)),
    ]
    assert latest(result) == [
        # Held by Mon 26/5 (1 wd before 27/5) -> Tue 20/5; deadline Mon 19, Fri 16, Thu 15/5.
        ("direktion", D(2025, 5, 20), D(2025, 5, 15)),
        # Held by Tue 17/6 (1 wd before 18/6) -> Tue 10/6; 8 wd: [Mon 9/6], Fri 6, Thu 5, Wed 4,
        # Tue 3, Mon 2, Fri 30/5, [Thu 29/5], Wed 28, Tue 27/5.
        ("udvalg", D(2025, 6, 10), D(2025, 5, 27)),
        # Tue 24/6: Mon 23, Fri 20, Thu 19, Wed 18/6.
        ("byraad", D(2025, 6, 24), D(2025, 6, 18)),
    ]
    assert result.latest_ready == D(2025, 5, 15)
    assert slack(result) == {
        # Thu 27/3 .. Thu 15/5: 27–28/3 (2) + 31/3–4/4 (5) + 7–11/4 (5) + 14–16/4 (3) + 22–25/4 (4)
        # + 28/4–2/5 (5) + 5–9/5 (5) + 12–14/5 (3) = 32.
        "direktion": 32,
        # Mon 7/4 .. Tue 27/5: 5 + 3 + 4 + 5 + 5 + 5 + 5 (19–23/5) + 1 (26/5) = 33.
        "udvalg": 33,
        # Wed 23/4 .. Wed 18/6: 3 + 5 + 5 + 5 + 5 + 4 (26–30/5 without 29/5) + 5 (2–6/6)
        # + 4 (10–13/6) + 2 (16–17/6) = 38.
        "byraad": 38,
    }
    assert result.note == ""
    # From 24/3 to 24/6: Easter, Kristi himmelfart and 2. pinsedag.
    assert [d.day for d in result.days_off] == [
        D(2025, 4, 17),
        D(2025, 4, 18),
        D(2025, 4, 21),
        D(2025, 5, 29),
        D(2025, 6, 9),
    ]


def test_latest_ready_is_exactly_the_last_day_that_reaches_the_target():
    target = Target("byraad", D(2025, 6, 24))
    tight = run("paaske", "politisk", D(2025, 5, 15), target=target)
    # From Thu 15/5 the forward plan is the latest plan: every slack is 0.
    assert earliest(tight) == latest(tight)
    assert slack(tight) == {"direktion": 0, "udvalg": 0, "byraad": 0}
    with pytest.raises(PlanningError):
        run("paaske", "politisk", D(2025, 5, 16), target=target)


def test_backward_without_target_ends_at_the_earliest_final_meeting():
    result = run("paaske", "politisk", D(2025, 4, 11))
    assert latest(result) == [
        # Held by Wed 30/4 (1 wd before Thu 1/5) -> Tue 29/4; deadline Mon 28, Fri 25, Thu 24/4.
        ("direktion", D(2025, 4, 29), D(2025, 4, 24)),
        ("udvalg", D(2025, 5, 13), D(2025, 5, 1)),  # held by Tue 20/5
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]
    # Direktion: Mon 14/4 .. Thu 24/4 = Mon 14, Tue 15, Wed 16, Tue 22, Wed 23 = 5 wd.
    assert slack(result) == {"direktion": 5, "udvalg": 0, "byraad": 0}
    assert result.latest_ready == D(2025, 4, 24)


def test_target_day_that_is_not_a_meeting_day_uses_the_latest_meeting_before_it():
    # Monday 30 June: the council's last meeting on or before it is Tue 24/6.
    result = run("paaske", "politisk", D(2025, 3, 24), target=Target("byraad", D(2025, 6, 30)))
    assert result.final.latest_meeting.day == D(2025, 6, 24)
    assert result.latest_ready == D(2025, 5, 15)  # as for the target 24/6
    assert result.note == (
        "Byrådet holder ikke møde 30. juni 2025; planen sigter mod det seneste møde før: tirsdag 24. juni 2025."
    )

    # Friday 20 June: the latest meeting before it is Tue 27/5 (deadline Wed 21/5).
    result = run("paaske", "politisk", D(2025, 3, 24), target=Target("byraad", D(2025, 6, 20)))
    assert latest(result) == [
        ("direktion", D(2025, 4, 29), D(2025, 4, 24)),  # held by Wed 30/4
        ("udvalg", D(2025, 5, 13), D(2025, 5, 1)),  # held by Tue 20/5
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]
    assert result.latest_ready == D(2025, 4, 24)
    assert "20. juni 2025" in result.note and "tirsdag 27. maj 2025" in result.note


# --- 6. Unreachable targets and other refusals ------------------------------------------------


def test_unreachable_target_says_why_and_names_the_earliest_meeting():
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 5, 16), target=Target("byraad", D(2025, 6, 24)))
    # Forward from Fri 16/5: direktion Tue 27/5 (20/5's deadline Thu 15/5 is gone; 27/5: Thu 22/5);
    # ready Wed 28/5 misses udvalg 10/6 (deadline Tue 27/5); udvalg Tue 12/8: Mon 11, Fri 8, Thu 7,
    # Wed 6, Tue 5, Mon 4, Fri 1/8, Thu 31/7; ready Wed 13/8; byråd Tue 26/8 (deadline Wed 20/8).
    assert str(caught.value) == (
        "Byrådet 24. juni 2025 kan ikke nås: sagen skulle være klar senest torsdag 15. maj 2025, "
        "men er først klar fredag 16. maj 2025. Tidligst mulige møde i Byrådet: tirsdag 26. august 2025."
    )
    assert caught.value.earliest_reachable.body == "byraad"
    assert caught.value.earliest_reachable.day == D(2025, 8, 26)


@functools.cache
def slagelse() -> tuple[Profile, Schedule]:
    prof = load_profile("slagelse")
    return prof, Schedule.for_period(prof, D(2026, 1, 1), D(2028, 12, 31))


def test_unreachable_target_in_slagelse_names_mandag_30_august_2027():
    prof, sched = slagelse()
    route = prof.routes["politisk"]  # direktion → strategisk chefforum → erhverv → ØU → byråd
    with pytest.raises(PlanningError) as caught:
        plan(route, sched, D(2027, 5, 3), target=Target("byraadet", D(2027, 6, 28)))
    # Latest for byråd Mon 28/6/2027 (adopted): deadline 4 wd = Tue 22/6. ØU Mon 21/6 (Monday of
    # the week before), 6 wd: Fri 11/6. Erhverv (1st Tuesday) held by Thu 10/6 -> Tue 1/6, 8 wd:
    # Mon 31/5 .. Thu 20/5. Strategisk chefforum (2nd Thursday) held by Wed 19/5 -> Thu 13/5, 5 wd:
    # Wed 12, Tue 11, Mon 10, Fri 7, [Thu 6/5 Kristi himmelfart], Wed 5/5. Direktion held by
    # Tue 4/5 -> Tue 4/5, 3 wd: Mon 3, Fri 30/4, Thu 29/4.
    # Earliest from Mon 3/5: direktion Tue 11/5 (Mon 10, Fri 7, [6/5], Wed 5/5); ready Wed 12/5
    # misses chefforum 13/5 (Wed 5/5); no chefforum in July (recess, meets_in_recess = false) ->
    # Thu 10/6 (deadline Thu 3/6); ready Fri 11/6: erhverv 6/7 is in the recess -> Tue 3/8 (8 wd:
    # Mon 2/8 .. Thu 22/7); ready Wed 4/8: ØU Mon 23/8 (6 wd: Fri 13/8); ready Tue 24/8: byråd
    # Mon 30/8 (4 wd: Fri 27, Thu 26, Wed 25, Tue 24/8).
    assert str(caught.value) == (
        "Byrådet 28. juni 2027 kan ikke nås: sagen skulle være klar senest torsdag 29. april 2027, "
        "men er først klar mandag 3. maj 2027. Tidligst mulige møde i Byrådet: mandag 30. august 2027."
    )
    assert caught.value.earliest_reachable.day == D(2027, 8, 30)
    assert caught.value.earliest_reachable.body == "byraadet"

    # Ready Thu 29/4/2027 makes it, with no slack anywhere.
    result = plan(route, sched, D(2027, 4, 29), target=Target("byraadet", D(2027, 6, 28)))
    assert [(s.body.key, s.meeting.day, s.deadline) for s in result.steps] == [
        ("direktion", D(2027, 5, 4), D(2027, 4, 29)),
        ("strategisk_chefforum", D(2027, 5, 13), D(2027, 5, 5)),
        ("erhverv", D(2027, 6, 1), D(2027, 5, 20)),
        ("oekonomiudvalget", D(2027, 6, 21), D(2027, 6, 11)),
        ("byraadet", D(2027, 6, 28), D(2027, 6, 22)),
    ]
    assert all(s.slack_working_days == 0 for s in result.steps)


def test_target_in_a_body_of_an_earlier_stage_is_refused():
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 3, 24), target=Target("udvalg", D(2025, 6, 10)))
    assert str(caught.value) == (
        "Målet skal være et møde i rutens sidste trin (Byrådet), ikke Teknik- og Miljøudvalget."
    )
    assert caught.value.earliest_reachable is None


def test_target_before_the_ready_date_is_refused():
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 5, 1), target=Target("byraad", D(2025, 4, 29)))
    assert "Måldatoen tirsdag 29. april 2025 ligger før datoen, sagen er klar (torsdag 1. maj 2025)" in str(
        caught.value
    )


def test_target_before_any_meeting_of_the_body():
    # Ready Mon 17/3: direktion 25/3 (Thu 20/3), udvalg 22/4, byråd 29/4 is the earliest.
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 3, 17), target=Target("byraad", D(2025, 3, 20)))
    assert str(caught.value) == (
        "Byrådet har intet møde på eller før torsdag 20. marts 2025 i mødeplanen. "
        "Tidligst mulige møde i Byrådet: tirsdag 29. april 2025."
    )
    assert caught.value.earliest_reachable.day == D(2025, 4, 29)


def test_no_meeting_left_in_the_meeting_plan():
    # The direktion's adopted plan ends Tue 24/6; ready Wed 20/8 finds nothing.
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 8, 20))
    assert str(caught.value).startswith(
        "Direktionen har intet møde med sagsfrist på eller efter onsdag 20. august 2025 i mødeplanen, "
        "der rækker til tirsdag 26. august 2025."
    )


def test_unreachable_message_never_claims_a_latest_ready_date_that_would_not_work():
    """Target byråd Tue 25/3/2025 cannot be reached from any ready date in this meeting plan.

    Backward: byråd 25/3 (deadline Wed 19/3) <- udvalg Tue 11/3 (8 wd: Thu 27/2) <- a direktion
    meeting held by Wed 26/2, and there is none (the first is Tue 18/3). So there is no latest
    ready date. Telling a case that is ready Thu 13/3 that it "skulle være klar senest torsdag
    13. marts 2025" (the deadline of the direktion's first meeting, 18/3) is false: from 13/3 the
    earliest council meeting is 29/4.
    """
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 3, 13), target=Target("byraad", D(2025, 3, 25)))
    message = str(caught.value)
    assert caught.value.earliest_reachable.day == D(2025, 4, 29)
    assert "klar senest torsdag 13. marts 2025" not in message, message


# --- 7. Re-planning with new facts ------------------------------------------------------------


def test_udsat_in_the_committee_moves_the_later_stages():
    # Original plan from Mon 24/3: direktion 1/4, udvalg 22/4, byråd 29/4. The committee postpones
    # the item on 22/4: next committee meeting after 22/4 is Tue 13/5, and from there (ready
    # Wed 14/5) the council on Tue 27/5 (deadline Wed 21/5).
    result = run("paaske", "politisk", D(2025, 3, 24), held_after={"udvalg": D(2025, 4, 22)})
    assert earliest(result) == [
        ("direktion", D(2025, 4, 1), D(2025, 3, 27)),
        ("udvalg", D(2025, 5, 13), D(2025, 5, 1)),
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]


def test_udsat_takes_the_next_meeting_even_when_its_deadline_has_passed():
    # An extra committee meeting Tue 29/4 (8 wd: Mon 28, Fri 25, Thu 24, Wed 23, Tue 22, [21, 18,
    # 17], Wed 16, Tue 15, Mon 14/4). Its deadline Mon 14/4 has passed when the item is postponed
    # on 22/4, but a postponed item needs no new submission.
    prof = profile("paaske")
    extra = Meeting("udvalg", D(2025, 4, 29), dt.time(16, 0))
    sched = Schedule.build(prof, [*meeting_plan(prof, *YEAR_2025), extra])
    result = plan(prof.routes["politisk"], sched, D(2025, 3, 24), held_after={"udvalg": D(2025, 4, 22)})
    assert earliest(result) == [
        ("direktion", D(2025, 4, 1), D(2025, 3, 27)),
        ("udvalg", D(2025, 4, 29), D(2025, 4, 14)),
        # Ready Wed 30/4: byråd 29/4 is the same day; Tue 27/5 (Wed 21/5).
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]
    # Without the postponement a case ready on 22/4 cannot use 29/4 (deadline 14/4 has passed).
    fresh = plan(prof.routes["politisk"], sched, D(2025, 4, 22))
    assert step(fresh, "udvalg").meeting.day == D(2025, 5, 13)


def test_udsat_in_the_council():
    # The council postpones on 29/4: next council meeting Tue 27/5; the earlier stages stay.
    result = run("paaske", "politisk", D(2025, 3, 24), held_after={"byraad": D(2025, 4, 29)})
    assert [(k, m) for k, m, _ in earliest(result)] == [
        ("direktion", D(2025, 4, 1)),
        ("udvalg", D(2025, 4, 22)),
        ("byraad", D(2025, 5, 27)),
    ]


def test_udsat_at_the_last_meeting_in_the_plan_names_the_postponement_day():
    """The council postpones on Tue 26/8, its last meeting in the plan: there is no next meeting.

    What is missing is a council meeting after 26/8. The council has plenty of meetings with a
    deadline on or after Wed 23/4 (the day the case was ready for it: 29/4, 27/5, 24/6, 26/8), so
    a message saying it has none "med sagsfrist på eller efter onsdag 23. april 2025" is false.
    """
    with pytest.raises(PlanningError) as caught:
        run("paaske", "politisk", D(2025, 3, 24), held_after={"byraad": D(2025, 8, 26)})
    message = str(caught.value)
    assert message.startswith("Byrådet har intet møde"), message
    assert "sagsfrist på eller efter onsdag 23. april 2025" not in message, message


def test_tilbagesendt_replans_from_the_new_ready_date():
    # Sent back by the committee on 22/4; the administration has it ready again Mon 12/5.
    result = run("paaske", "politisk", D(2025, 5, 12))
    assert earliest(result) == [
        # Tue 13/5 has deadline Thu 8/5 (< 12/5); Tue 20/5: Thu 15/5.
        ("direktion", D(2025, 5, 20), D(2025, 5, 15)),
        # Ready Wed 21/5: 13/5 is past; Tue 10/6 has deadline Tue 27/5.
        ("udvalg", D(2025, 6, 10), D(2025, 5, 27)),
        # Ready Wed 11/6: Tue 24/6 (deadline Wed 18/6).
        ("byraad", D(2025, 6, 24), D(2025, 6, 18)),
    ]
    assert result.days_off == (
        DayOff(D(2025, 5, 29), "Kristi himmelfartsdag", "helligdag"),
        DayOff(D(2025, 6, 9), "Anden pinsedag", "helligdag"),
    )


def _with(prof: Profile, change) -> Schedule:
    return Schedule.build(prof, [change(m) for m in meeting_plan(prof, *YEAR_2025)])


def test_cancelled_meeting_is_never_chosen():
    prof = profile("paaske")
    cancel = D(2025, 5, 13)
    sched = _with(
        prof,
        lambda m: (
            dataclasses.replace(m, status=MeetingStatus.CANCELLED) if (m.body, m.day) == ("udvalg", cancel) else m
        ),
    )
    result = plan(prof.routes["politisk"], sched, D(2025, 4, 11))
    assert earliest(result) == [
        ("direktion", D(2025, 4, 22), D(2025, 4, 14)),
        # 13/5 is cancelled; Tue 10/6 (deadline Tue 27/5 >= Wed 23/4).
        ("udvalg", D(2025, 6, 10), D(2025, 5, 27)),
        # Ready Wed 11/6: Tue 24/6.
        ("byraad", D(2025, 6, 24), D(2025, 6, 18)),
    ]

    # Backward to the council on 27/5: the committee would have been 13/5 (held by Tue 20/5); it is
    # cancelled and 22/4 is the one before it.
    result = plan(prof.routes["politisk"], sched, D(2025, 3, 24), target=Target("byraad", D(2025, 5, 27)))
    assert latest(result) == [
        ("direktion", D(2025, 4, 1), D(2025, 3, 27)),  # held by Fri 4/4 (1 wd before Mon 7/4)
        ("udvalg", D(2025, 4, 22), D(2025, 4, 7)),
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]
    assert all(not s.meeting.cancelled and not s.latest_meeting.cancelled for s in result.steps)


def test_moved_meeting_is_used_at_its_new_day():
    prof = profile("paaske")
    old, new = D(2025, 4, 22), D(2025, 4, 29)
    sched = _with(
        prof, lambda m: dataclasses.replace(m, day=new, moved_from=old) if (m.body, m.day) == ("udvalg", old) else m
    )
    result = plan(prof.routes["politisk"], sched, D(2025, 3, 24))
    assert earliest(result) == [
        ("direktion", D(2025, 4, 1), D(2025, 3, 27)),
        # The committee moved from 22/4 to Tue 29/4: deadline 8 wd before 29/4 = Mon 14/4.
        ("udvalg", D(2025, 4, 29), D(2025, 4, 14)),
        # Ready Wed 30/4: byråd 29/4 is now the same day; Tue 27/5 (Wed 21/5).
        ("byraad", D(2025, 5, 27), D(2025, 5, 21)),
    ]
    moved = step(result, "udvalg").meeting
    assert moved.moved_from == old and moved.key == "udvalg/2025-04-22"


# --- 8. Daylight saving time ------------------------------------------------------------------


def test_meetings_keep_local_time_across_the_change_to_summer_time():
    # Summer time starts Sunday 30 March 2025.
    result = run("paaske", "politisk", D(2025, 3, 17))
    direktion = step(result, "direktion")
    # Tue 18/3 has deadline Thu 13/3 (< 17/3); Tue 25/3: Mon 24, Fri 21, Thu 20/3.
    assert (direktion.meeting.day, direktion.deadline) == (D(2025, 3, 25), D(2025, 3, 20))
    # Latest: udvalg 22/4 (deadline Mon 7/4) -> direktion held by Fri 4/4 -> Tue 1/4.
    assert direktion.latest_meeting.day == D(2025, 4, 1)
    assert direktion.slack_working_days == 5  # Thu 20/3 .. Thu 27/3

    before, after = direktion.meeting.starts_at, direktion.latest_meeting.starts_at
    assert (before.hour, before.minute) == (after.hour, after.minute) == (9, 0)
    assert before.utcoffset() == dt.timedelta(hours=1)  # CET
    assert after.utcoffset() == dt.timedelta(hours=2)  # CEST
    assert before.in_timezone("UTC").hour == 8 and after.in_timezone("UTC").hour == 7
    # The council at 18:00 on 25/3 and 29/4 as well.
    council = {m.day: m for m in schedule("paaske").by_body["byraad"].meetings}
    assert council[D(2025, 3, 25)].starts_at.utcoffset() == dt.timedelta(hours=1)
    assert council[D(2025, 4, 29)].starts_at.utcoffset() == dt.timedelta(hours=2)
    assert council[D(2025, 4, 29)].starts_at.hour == 18


# --- 9. plan_many agrees with plan ------------------------------------------------------------


def _compare(table, i: int, result: Plan) -> None:
    steps = iter(result.steps)
    for stage_index, stage in enumerate(table.route.stages):
        for key in stage:
            s = next(steps)
            meetings = table.schedule.by_body[key].meetings
            assert s.body.key == key
            assert meetings[table.earliest[stage_index][key][i]] == s.meeting
            assert meetings[table.latest[stage_index][key][i]] == s.latest_meeting
            assert int(table.slack(stage_index, key)[i]) == s.slack_working_days
    assert table.schedule.calendar.day_at(int(table.latest_ready_pos[i])) == result.latest_ready


def test_plan_many_agrees_with_plan_for_random_ready_dates():
    prof, sched = slagelse()
    route = prof.routes["politisk_oekonomi"]
    rng = random.Random(20250417)
    start, span = D(2026, 1, 1), (D(2028, 11, 30) - D(2026, 1, 1)).days
    ready = [start + dt.timedelta(days=rng.randrange(span)) for _ in range(300)]
    table = plan_many(route, sched, ready)
    planned = 0
    for i, day in enumerate(ready):
        try:
            result = plan(route, sched, day)
        except PlanningError:
            assert not table.ok[i], day
            continue
        assert table.ok[i], day
        _compare(table, i, result)
        planned += 1
    assert planned > 250  # the meeting plan reaches into late 2028


def test_plan_many_agrees_with_plan_for_random_targets():
    prof, sched = slagelse()
    route = prof.routes["politisk_oekonomi"]
    rng = random.Random(4)
    start = D(2026, 1, 1)
    ready = [start + dt.timedelta(days=rng.randrange(700)) for _ in range(200)]
    targets = [day + dt.timedelta(days=rng.randrange(40, 300)) for day in ready]
    table = plan_many(route, sched, ready, Target("byraadet", targets[0]), target_days=targets)
    reached = 0
    for i, (day, target_day) in enumerate(zip(ready, targets)):
        try:
            result = plan(route, sched, day, target=Target("byraadet", target_day))
        except PlanningError:
            assert not table.ok[i], (day, target_day)
            continue
        assert table.ok[i], (day, target_day)
        _compare(table, i, result)
        reached += 1
    assert reached > 50


# --- 10. Properties on the shipped Slagelse profile -------------------------------------------

# An independent working-day oracle for Slagelse: weekdays that are neither a statutory holiday
# (python-holidays, DK) nor one of the profile's closing days 24/12 and 27–31/12.
_DK = holidays.DK(years=range(2025, 2030), language="da")
_SLAGELSE_CLOSED = {(12, 24), (12, 27), (12, 28), (12, 29), (12, 30), (12, 31)}
_WORKING = [
    day
    for day in (D(2025, 1, 1) + dt.timedelta(days=n) for n in range((D(2029, 12, 31) - D(2025, 1, 1)).days))
    if day.weekday() < 5 and day not in _DK and (day.month, day.day) not in _SLAGELSE_CLOSED
]
_WORKING_SET = set(_WORKING)


def _working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end)."""
    return bisect.bisect_left(_WORKING, end) - bisect.bisect_left(_WORKING, start)


def _working_days_after(day: dt.date, until: dt.date) -> int:
    """Working days in (day, until]."""
    return bisect.bisect_right(_WORKING, until) - bisect.bisect_right(_WORKING, day)


def _deadline(meeting_day: dt.date, working_days_before: int) -> dt.date:
    return _WORKING[bisect.bisect_left(_WORKING, meeting_day) - working_days_before]


def _check_properties(result: Plan, ready: dt.date, gap: int) -> None:
    prof, sched = slagelse()
    stages: dict[int, list] = {}
    for s in result.steps:
        stages.setdefault(s.stage, []).append(s)
        rule = prof.bodies[s.body.key].deadline
        for meeting, deadline in ((s.meeting, s.deadline), (s.latest_meeting, s.latest_deadline)):
            assert deadline in _WORKING_SET, (s.body.key, deadline)
            assert deadline <= meeting.day
            if not s.common_deadline:
                assert deadline == _deadline(meeting.day, rule.working_days_before)
            assert not meeting.cancelled
    for steps in stages.values():
        # A common deadline (the fagudvalg of politisk_oekonomi) is the earliest of the bodies' own.
        if steps[0].common_deadline:
            for attribute, meeting in (("deadline", "meeting"), ("latest_deadline", "latest_meeting")):
                own = [_deadline(getattr(s, meeting).day, s.body.deadline.working_days_before) for s in steps]
                assert {getattr(s, attribute) for s in steps} == {min(own)}
        assert s.meeting.day <= s.latest_meeting.day
        assert s.slack_working_days >= 0
        assert s.slack_working_days == _working_days_between(s.deadline, s.latest_deadline)
        assert s.deadline >= ready
    for number in range(2, len(stages) + 1):
        previous_last = max(s.meeting.day for s in stages[number - 1])
        previous_last_latest = max(s.latest_meeting.day for s in stages[number - 1])
        previous_deadline = max(s.deadline for s in stages[number - 1])
        previous_latest_deadline = max(s.latest_deadline for s in stages[number - 1])
        for s in stages[number]:
            if (
                prof.bodies[s.body.key].takes_cases_from
                and _working_days_after(previous_last_latest, s.latest_deadline) < gap
            ):
                # The latest plan uses the same cycle: ØU's latest meeting is right before it.
                assert s.latest_meeting.day > previous_last_latest
                assert previous_latest_deadline <= _deadline(s.latest_meeting.day, 4)
            if s.coupled:
                # Byrådet takes the cases økonomiudvalget treated the week before (takes_cases_from):
                # its first meeting after ØU's, the case having gone to ØU by byrådet's agenda day.
                assert s.meeting.day > previous_last
                assert previous_deadline <= s.agenda_due
                assert _working_days_after(previous_last, s.deadline) < gap
                continue
            assert _working_days_after(previous_last, s.deadline) >= gap, (s.body.key, previous_last, s.deadline)
            if not prof.bodies[s.body.key].takes_cases_from:
                assert _working_days_after(previous_last_latest, s.latest_deadline) >= gap
    # The earliest meeting is the earliest: the body's meeting before it had a deadline too early.
    due = ready
    for number in range(1, len(stages) + 1):
        for s in stages[number]:
            body_meetings = sched.by_body[s.body.key].meetings
            index = body_meetings.index(s.meeting)
            if index > 0:
                before = body_meetings[index - 1]
                rule = prof.bodies[s.body.key].deadline
                assert _deadline(before.day, rule.working_days_before) < _WORKING[bisect.bisect_left(_WORKING, due)]
        last = max(s.meeting.day for s in stages[number])
        due = _WORKING[bisect.bisect_right(_WORKING, last) + gap - 1]
    assert result.latest_ready >= ready
    assert result.latest_ready == result.steps[0].latest_deadline or len(stages[1]) > 1


_PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY_SETTINGS
@given(ready=st.dates(D(2026, 1, 1), D(2027, 10, 31)), gap=st.sampled_from([1, 2, 3]))
def test_properties_of_forward_plans_on_slagelse(ready, gap):
    prof, sched = slagelse()
    result = plan(prof.routes["politisk_oekonomi"], sched, ready, gap=gap)
    _check_properties(result, ready, gap)


@_PROPERTY_SETTINGS
@given(
    ready=st.dates(D(2026, 1, 1), D(2027, 10, 31)),
    days=st.integers(0, 400),
    route=st.sampled_from(["politisk_oekonomi", "politisk", "udvalgssag"]),
)
def test_properties_of_targeted_plans_on_slagelse(ready, days, route):
    prof, sched = slagelse()
    r = prof.routes[route]
    final = r.stages[-1][0]
    target = Target(final, ready + dt.timedelta(days=days))
    try:
        result = plan(r, sched, ready, target=target)
    except PlanningError as error:
        # Unreachable: the earliest reachable meeting lies after the target day.
        assert error.earliest_reachable is None or error.earliest_reachable.day > target.day
        return
    _check_properties(result, ready, prof.gap_working_days)
    assert result.final.latest_meeting.day <= target.day
    # The final latest meeting is the body's last meeting on or before the target day.
    later = [m for m in sched.by_body[final].meetings if result.final.latest_meeting.day < m.day <= target.day]
    assert later == []
