"""Routing a case on what the bodies decided: the plan for the rest of the route is planned again
from the facts (when the case is ready for the current stage, 'udsat' = that body's next meeting,
submitted or decided material stays on its meeting) and stored only if it differs from the stored one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from calendars.clock import Clock
from calendars.planner import Plan, Target
from calendars.profiles import Profile
from models.outbox import Submission
from models.store import save_plan
from models.tables import Body, Case, CaseStatus, Outcome
from sagsgang.cases import history
from sagsgang.cases.history import SYSTEM, Editor
from sagsgang.cases.late import LateFact, late_additions, record_late_addition
from sagsgang.cases.scheduling import plan_route
from sagsgang.cases.state import CaseState, StageStatus, conflict, find_case, id_of, load_state, touch


def fresh_plan(session: Session, state: CaseState) -> Plan | None:
    """The plan for the rest of the route as the facts stand now (None when nothing is left)."""
    stage = state.current_stage
    if stage is None:
        return None
    case, profile = state.case, state.profile
    calendar = profile.calendar
    ready = case.ready_date
    if stage > 1:
        last = max(t.meeting.day for t in state.of_stage(stage - 1))
        ready = max(ready, calendar.day_at(calendar.position_on_or_before(last) + profile.gap_working_days))
    held_after = {}
    for treatment in state.of_stage(stage):
        if treatment.outcome is Outcome.POSTPONED:  # the same body's next meeting, no new deadline
            held_after[treatment.body] = treatment.meeting.day
        elif treatment.passed or (treatment.decision is None and treatment.submitted):
            # stays on its meeting (or the next one if that meeting was cancelled)
            held_after[treatment.body] = treatment.meeting.day - dt.timedelta(days=1)
    target = None
    if case.target_date is not None:
        target_body = session.get(Body, case.target_body_id)
        if target_body is None:  # a foreign key: the body is there
            raise LookupError(f"Organ nr. {case.target_body_id} findes ikke.")
        target = Target(target_body.key, case.target_date)
    rest = dataclasses.replace(state.route, stages=state.route.stages[stage - 1 :])
    late = late_additions(session, state, stage)
    result = plan_route(session, profile, rest, ready, target, held_after, late, keep_going=True)
    offset = stage - 1
    return dataclasses.replace(
        result,
        route=state.route,
        steps=tuple(dataclasses.replace(step, stage=step.stage + offset) for step in result.steps),
    )


def add_late(
    session: Session,
    journal_number: str,
    body: str,
    day: dt.date,
    decided_by: str,
    reason: str,
    clock: Clock,
    municipality: str | None = None,
    editor: Editor = SYSTEM,
) -> LateFact:
    """Record a late addition (and `editor`'s entry in the case's history) and check that the
    case can be planned on it (UserError, Danish, when not: nothing is written then). The
    lifecycle stores the new plan (put_on_meetings)."""
    fact = record_late_addition(session, journal_number, body, day, decided_by, reason, clock, municipality)
    state = load_state(session, find_case(session, journal_number, municipality))
    fresh_plan(session, state)
    history.late_added(session, state.case, editor, clock, state.body_name(body), fact.meeting.day, fact.decided_by)
    return fact


def put_on_meetings(session: Session, case: Case, profile: Profile | None = None) -> bool:
    """Plan the rest of the route again and store it if it changed; True when it did.

    This is the one place re-planning happens: after 'udsat' (the body's next meeting),
    'tilbagesendt' (from the new ready date), a missed deadline (from today) and a moved or
    cancelled meeting (the facts changed), and nothing happens when nothing changed.
    """
    state = load_state(session, case, profile)
    result = fresh_plan(session, state)
    if result is None:
        return False
    wanted = {
        (step.stage, step.body.key, step.meeting.key, step.deadline, step.latest_meeting.key, step.latest_deadline)
        for step in result.steps
        if not (t := state.treatments.get((step.stage, step.body.key))) or not t.passed
    }
    stored = {
        (t.stage, t.body, t.meeting.key, t.consultation.deadline, t.latest_meeting.key, t.consultation.latest_deadline)
        for t in state.pending()
    }
    if wanted == stored:
        return False
    journal_number = case.journal_number
    try:
        save_plan(session, case, result)
    except StaleDataError:
        raise conflict(journal_number, "den nye plan") from None
    _carry_over_submissions(session, state)
    return True


def _carry_over_submissions(session: Session, state: CaseState) -> None:
    """A postponed case keeps its material: the body's next round needs no new submission."""
    stage = state.current_stage
    for treatment in state.of_stage(stage) if stage is not None else []:
        if treatment.outcome is Outcome.POSTPONED and treatment.decision is not None:
            place = dict(
                case_id=id_of(state.case),
                stage=treatment.stage,
                body_id=treatment.consultation.body_id,
                round=treatment.round + 1,
            )
            if session.exec(select(Submission.id).filter_by(**place)).first() is None:
                session.add(Submission(**place, submitted_at=treatment.decision.decided_at))
    session.flush()


def route_on(session: Session, case: Case, stage: int) -> int | None:
    """After `stage` was decided: the stage to work on next (the same one after 'udsat' or
    'tilbagesendt'), or None when the route is done or a body rejected the case."""
    state = load_state(session, case)
    if state.status(stage) in (StageStatus.WAITING, StageStatus.AGAIN):
        return stage
    return state.current_stage


def close_if_ended(session: Session, case: Case) -> bool:
    """Close the case when its route is done or a body rejected it; True when it is closed."""
    if case.status == CaseStatus.CLOSED:
        return True
    if load_state(session, case).current_stage is not None:
        return False
    case.status = CaseStatus.CLOSED
    touch(session, case, "afslutningen")
    return True
