"""Plans a secretary would sign: the dates in the seed documents, to the day (issue 13).

Every expected date is taken from the documents in /work/shared/seeds or worked out by hand from
the calendar and the Danish holidays; the comment next to each says which. Holidays used:
  2024: Skærtorsdag to 28/3, Langfredag fr 29/3, Anden påskedag ma 1/4.
  2027: Skærtorsdag to 25/3, Langfredag fr 26/3, Anden påskedag ma 29/3, Kristi himmelfartsdag to 6/5.
Slagelse also closes 24/12, 27/12–31/12; its vinterferie is week 7 (15–21 February 2027).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from calendars.horizon import plan_for_profile
from calendars.meetings import Schedule, meeting_plan
from calendars.planner import LateAddition, PlanningError, plan

D = dt.date


def days(meetings, body):
    return [m.day for m in meetings if m.body == body and not m.cancelled]


# --- seed 003: Albertslund, Chefforum March–April 2024 ------------------------------------------


def test_albertslund_chefforum_meets_13_and_20_march_and_10_april_2024(albertslund):
    # Seed 003 (referat, Chefforum 10 April 2024): it approves the minutes "fra mødet den 20. marts
    # 2024" and refers to "mødet den 13. marts 2024"; the Wednesdays of Easter week and the week
    # after (27 March, 3 April) have no meeting.
    meetings = meeting_plan(albertslund, D(2024, 3, 11), D(2024, 4, 12))
    assert days(meetings, "chefforum") == [D(2024, 3, 13), D(2024, 3, 20), D(2024, 4, 10)]
    chefforum = [m for m in meetings if m.body == "chefforum"]
    assert {m.time for m in chefforum} == {dt.time(9, 0)}  # "kl. 09:00"
    assert {m.place for m in chefforum} == {"915"}  # "Mødested 915"
    assert not any(m.provisional for m in chefforum)  # the adopted plan, not the cadence


def _orientation(albertslund):
    schedule = Schedule.for_period(albertslund, D(2024, 3, 1), D(2024, 5, 31))
    return albertslund.routes["orientering"], schedule


def test_albertslund_late_addition_direktoerforum_19_march_to_chefforum_20_march(albertslund):
    route, schedule = _orientation(albertslund)
    # Ready 14 March 2024: Direktørforum's deadline for Tuesday 19 March is 3 working days before,
    # Thursday 14 March (18, 15, 14). Chefforum's deadline for Wednesday 20 March is 5 working days
    # before, 13 March (19, 18, 15, 14, 13): already past when Direktørforum meets on the 19th.
    late = LateAddition("chefforum", D(2024, 3, 20), "Kommunaldirektøren")
    result = plan(route, schedule, D(2024, 3, 14), late=[late])
    direktoerforum, chefforum = result.steps
    assert (direktoerforum.meeting.day, direktoerforum.deadline) == (D(2024, 3, 19), D(2024, 3, 14))
    # Seed 003, Historik: "Direktørforum den 19. marts 2024: … indstillingen skal inkluderes på
    # Chefforum 20. marts 2024 som orienteringspunkt."
    assert chefforum.meeting.day == D(2024, 3, 20)
    assert chefforum.late == late and chefforum.late.decided_by == "Kommunaldirektøren"
    assert chefforum.deadline == D(2024, 3, 13)  # the deadline that was waived
    assert direktoerforum.late is None


def test_albertslund_cases_without_the_late_addition_are_untouched(albertslund):
    route, schedule = _orientation(albertslund)
    before = plan(route, schedule, D(2024, 3, 14))
    plan(route, schedule, D(2024, 3, 14), late=[LateAddition("chefforum", D(2024, 3, 20))])
    after = plan(route, schedule, D(2024, 3, 14))
    assert before == after
    # Without it the case misses 20 March (deadline 13 March) and there is no meeting 27 March or
    # 3 April: the next is 10 April, deadline 3 April (9, 8, 5, 4, 3 April; 1 April is a holiday).
    direktoerforum, chefforum = after.steps
    assert direktoerforum.meeting.day == D(2024, 3, 19)
    assert (chefforum.meeting.day, chefforum.deadline, chefforum.late) == (D(2024, 4, 10), D(2024, 4, 3), None)


def test_albertslund_late_addition_must_name_a_meeting_after_the_previous_stage(albertslund):
    route, schedule = _orientation(albertslund)
    with pytest.raises(PlanningError, match="Chefforum holder ikke møde onsdag 27. marts 2024"):
        plan(route, schedule, D(2024, 3, 14), late=[LateAddition("chefforum", D(2024, 3, 27))])
    with pytest.raises(PlanningError, match="den behandles først i Direktørforum tirsdag 19. marts 2024"):
        plan(route, schedule, D(2024, 3, 14), late=[LateAddition("chefforum", D(2024, 3, 13))])


# --- seed 002: Slagelse, steering group and advisory board -------------------------------------


def test_steering_group_materials_one_week_before(slagelse):
    # Seed 002: "Styregruppen mødes 4 gange årligt", "Materialer udsendes senest 1 uge før møde",
    # first meeting in March 2024. The profile's cadence is the 2nd Tuesday of March, June,
    # September and November: 12 March, 11 June, 10 September, 12 November 2024; one week before
    # each is the Tuesday before (all working days).
    schedule = Schedule.for_period(slagelse, D(2024, 1, 1), D(2024, 12, 31))
    meetings = schedule.by_body["styregruppe_erhverv"].meetings
    assert [m.day for m in meetings] == [D(2024, 3, 12), D(2024, 6, 11), D(2024, 9, 10), D(2024, 11, 12)]
    assert [schedule.deadline(m) for m in meetings] == [D(2024, 3, 5), D(2024, 6, 4), D(2024, 9, 3), D(2024, 11, 5)]


def test_advisory_board_meets_in_march_and_september(slagelse):
    # Seed 002: "Advisory Boardet afholder minimum møde inden udgangen af september. Der afholdes
    # tillige møde i marts." Third Thursday: 18 March and 16 September 2027; deadline 14 days before.
    schedule = Schedule.for_period(slagelse, D(2027, 1, 1), D(2027, 12, 31))
    meetings = schedule.by_body["advisory_board"].meetings
    assert [m.day for m in meetings] == [D(2027, 3, 18), D(2027, 9, 16)]
    assert [schedule.deadline(m) for m in meetings] == [D(2027, 3, 4), D(2027, 9, 2)]


# --- the council after økonomiudvalget in the same cycle (Slagelse, route politisk) ------------


def test_slagelse_case_ready_4_january_2027_reaches_byraadet_after_oeu_the_week_before(slagelse):
    # Direktion Tue 12 Jan (deadline 7 Jan; 5 Jan's was 22 Dec), Strategisk Chefforum Thu 11 Feb
    # (2nd Thursday; 14 Jan's deadline 7 Jan is before 13 Jan), Erhverv Tue 2 Mar (1st Tuesday,
    # deadline 18 Feb), ØU Mon 22 Mar (the week before the adopted council meeting Tue 30 Mar;
    # deadline 12 Mar). Byrådet's own deadline for 30 March is 19 March (24, 23, 22, 19: Easter),
    # before ØU meets; but the council takes the cases ØU treated the week before, and the case
    # went to ØU (12 March) before the council's agenda day (4 hverdage before: 19 March).
    result = plan_for_profile(slagelse, slagelse.routes["politisk"], D(2027, 1, 4))
    assert [(s.body.key, s.meeting.day) for s in result.steps] == [
        ("direktion", D(2027, 1, 12)),
        ("strategisk_chefforum", D(2027, 2, 11)),
        ("erhverv", D(2027, 3, 2)),
        ("oekonomiudvalget", D(2027, 3, 22)),
        ("byraadet", D(2027, 3, 30)),
    ]
    council = result.final
    assert council.coupled and council.deadline == D(2027, 3, 19) and council.agenda_due == D(2027, 3, 19)


def test_without_the_coupling_the_case_waits_a_month_for_byraadet(slagelse):
    # The behaviour before issue 13: ØU 22 March, then Byrådet's next meeting whose own deadline
    # (4 working days before) is after ØU: Monday 26 April 2027 (deadline 20 April).
    bodies = dict(slagelse.bodies)
    bodies["byraadet"] = dataclasses.replace(bodies["byraadet"], takes_cases_from=())
    uncoupled = dataclasses.replace(slagelse, bodies=bodies)
    result = plan_for_profile(uncoupled, uncoupled.routes["politisk"], D(2027, 1, 4))
    assert result.steps[3].meeting.day == D(2027, 3, 22)
    assert (result.final.meeting.day, result.final.deadline, result.final.coupled) == (
        D(2027, 4, 26),
        D(2027, 4, 20),
        False,
    )


# --- meetings on holidays beyond the adopted plan (Slagelse) ------------------------------------


def test_miljoe_may_meeting_on_kristi_himmelfartsdag_moves_to_friday(slagelse):
    # 1st Thursday of May 2027 is 6 May, Kristi himmelfartsdag: the committee moves to the next
    # working day, Friday 7 May (Slagelse does not close the day after).
    meetings = meeting_plan(slagelse, D(2027, 5, 1), D(2027, 5, 31))
    miljoe = [m for m in meetings if m.body == "miljoe_plan"]
    assert [(m.day, m.moved_from) for m in miljoe] == [(D(2027, 5, 7), D(2027, 5, 6))]


def test_byraadet_on_anden_paaskedag_2032_moves_and_oeu_follows(slagelse):
    # Beyond the adopted plan: the last Monday of March 2032 is 29 March, Anden påskedag (Easter
    # Sunday is 28 March 2032). The council moves to Tuesday 30 March; ØU meets the Monday of the
    # week before, 22 March.
    meetings = meeting_plan(slagelse, D(2032, 3, 1), D(2032, 3, 31))
    council = [m for m in meetings if m.body == "byraadet"]
    assert [(m.day, m.moved_from, m.provisional) for m in council] == [(D(2032, 3, 30), D(2032, 3, 29), True)]
    assert days(meetings, "oekonomiudvalget") == [D(2032, 3, 22)]


def test_oeu_in_vinterferie_meets_a_week_earlier(slagelse):
    # 2038: the council's last Monday of February is 22 February (week 8); the Monday before is
    # 15 February, in vinterferie (week 7): ØU meets a week earlier, Monday 8 February 2038.
    meetings = meeting_plan(slagelse, D(2038, 2, 1), D(2038, 2, 28))
    assert days(meetings, "byraadet") == [D(2038, 2, 22)]
    assert days(meetings, "oekonomiudvalget") == [D(2038, 2, 8)]
