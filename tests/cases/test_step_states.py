"""The one rule for a step's state on a day (sagsgang.cases.state.step_states), case by case.
A route of three stages; stage 1 is current unless said otherwise; 'today' is Monday 15 February 2027."""

from __future__ import annotations

from datetime import date

import pytest

from sagsgang.cases.state import Step, StepState, step_states

TODAY = date(2027, 2, 15)


def step(stage: int, deadline: date, meeting: date, submitted: bool = False, late: bool = False) -> Step:
    return Step(stage, deadline, meeting, submitted, late)


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (step(1, date(2027, 2, 18), date(2027, 2, 23)), StepState.AHEAD),
        (step(1, date(2027, 2, 15), date(2027, 2, 23)), StepState.AHEAD),  # the deadline is today
        (step(1, date(2027, 2, 11), date(2027, 2, 16)), StepState.DEADLINE_MISSED),
        (step(1, date(2027, 1, 7), date(2027, 1, 12)), StepState.DEADLINE_MISSED),  # and the meeting passed
        (step(1, date(2027, 2, 11), date(2027, 2, 16), submitted=True), StepState.SUBMITTED),
        (step(1, date(2027, 1, 7), date(2027, 1, 12), submitted=True), StepState.AWAITING_DECISION),
        (step(1, date(2027, 2, 11), date(2027, 2, 16), late=True), StepState.AHEAD),  # its deadline was waived
        (step(1, date(2027, 2, 10), date(2027, 2, 15), submitted=True), StepState.AWAITING_DECISION),  # meeting today
    ],
)
def test_the_current_stage(first, expected):
    assert step_states([first], 1, TODAY) == [expected]


def test_a_missed_deadline_holds_the_later_stages_and_a_past_later_step_is_not_reached():
    states = step_states(
        [
            step(1, date(2027, 1, 7), date(2027, 1, 12)),
            step(2, date(2027, 2, 4), date(2027, 2, 11)),  # both dates passed while stage 1 waited
            step(3, date(2027, 2, 18), date(2027, 3, 2)),
        ],
        1,
        TODAY,
    )
    assert states == [StepState.DEADLINE_MISSED, StepState.NOT_REACHED, StepState.LATER]


def test_a_later_deadline_missed_while_the_current_stage_waits_for_its_decision_is_missed():
    # Stage 1's material was in and its meeting held (the decision is not recorded yet); stage 2's
    # deadline passed without material, its meeting is ahead: that deadline was really missed.
    states = step_states(
        [step(1, date(2027, 2, 4), date(2027, 2, 9), submitted=True), step(2, date(2027, 2, 12), date(2027, 2, 18))],
        1,
        TODAY,
    )
    assert states == [StepState.AWAITING_DECISION, StepState.DEADLINE_MISSED]


def test_parallel_bodies_each_have_their_own_state_in_the_order_given():
    states = step_states(
        [
            step(2, date(2027, 3, 1), date(2027, 3, 9)),
            step(1, date(2027, 2, 11), date(2027, 2, 16), submitted=True),
            step(1, date(2027, 2, 12), date(2027, 2, 17)),
        ],
        1,
        TODAY,
    )
    # Stage 1's second body missed its deadline: stage 2 is held, but its dates are still ahead.
    assert states == [StepState.LATER, StepState.SUBMITTED, StepState.DEADLINE_MISSED]
