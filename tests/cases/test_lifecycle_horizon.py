"""The lifecycle plans on stored meetings as far ahead as the plan needs, like `sagsgang plan`
(calendars.horizon), instead of a fixed three years: the two give the same plan."""

from __future__ import annotations

from datetime import date

from calendars.horizon import plan_for_profile
from calendars.planner import Target
from tests.lifecycle_world import launch, plan_of


def test_a_target_five_years_ahead_is_planned_like_sagsgang_plan_plans_it(database, slagelse):
    target = Target("byraadet", date(2032, 6, 28))
    launch(ready=date(2027, 3, 1), target_body=target.body, target_date=target.day)
    expected = plan_for_profile(slagelse, slagelse.routes["politisk"], date(2027, 3, 1), target)
    assert plan_of() == [(step.body.key, step.deadline, step.meeting.day) for step in expected.steps]


def test_a_case_ready_near_the_calendars_end_is_planned_on_meetings_stored_up_to_it(database, slagelse):
    launch(ready=date(2099, 9, 1))
    expected = plan_for_profile(slagelse, slagelse.routes["politisk"], date(2099, 9, 1))
    assert plan_of() == [(step.body.key, step.deadline, step.meeting.day) for step in expected.steps]
