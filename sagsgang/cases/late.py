"""Late additions ("eftersendt", optaget efter fristen): a case put on a body's meeting after its
submission deadline, by someone's decision (seed 003: Direktørforum on 19 March 2024 sent a case to
Chefforum on 20 March). A fact about this case, stage and meeting: the planner takes it for this
case only (calendars.planner.LateAddition); the body's deadline for other cases is untouched.
Bad input raises UserError (Danish) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from calendars.clock import Clock
from calendars.danish import long_date
from calendars.planner import LateAddition
from models.tables import Body, CaseStatus, Meeting
from models.tables import LateAddition as LateRow
from models.types import utcnow
from sagsgang.cases.scheduling import stored_meeting
from sagsgang.cases.state import CaseState, find_case, id_of, load_state, touch
from sagsgang.inputs import UserError


@dataclass(frozen=True)
class LateFact:
    """A recorded late addition, as agendas, Historik and feeds show it."""

    stage: int
    body: str  # the body's key
    meeting: Meeting
    decided_by: str
    reason: str
    recorded_at: dt.datetime


def late_facts(session: Session, case_id: int) -> list[LateFact]:
    """The case's late additions, in route order."""
    rows = session.exec(
        select(LateRow, Body.key, Meeting)
        .join(Body, col(Body.id) == col(LateRow.body_id))
        .join(Meeting, col(Meeting.id) == col(LateRow.meeting_id))
        .where(LateRow.case_id == case_id)
        .order_by(col(LateRow.stage), col(Meeting.day))
    ).all()
    return [
        LateFact(row.stage, key, meeting, row.decided_by, row.reason, row.recorded_at) for row, key, meeting in rows
    ]


def late_additions(session: Session, state: CaseState, from_stage: int) -> list[LateAddition]:
    """What the planner must take for the rest of the route: the late additions of stages from
    `from_stage` on whose meeting has not decided on the case yet."""
    wanted = []
    for fact in late_facts(session, id_of(state.case)):
        treatment = state.treatments.get((fact.stage, fact.body))
        decided_there = (
            treatment is not None and treatment.decision is not None and treatment.meeting.id == fact.meeting.id
        )
        if fact.stage >= from_stage and not decided_there:
            wanted.append(LateAddition(fact.body, fact.meeting.day, fact.decided_by))
    return wanted


def record_late_addition(
    session: Session,
    journal_number: str,
    body: str,
    day: dt.date,
    decided_by: str,
    reason: str,
    clock: Clock,
    municipality: str | None = None,
) -> LateFact:
    """Store that the case goes on `body`'s meeting on `day` after the deadline. Re-planning the
    case on it is the lifecycle's job (orchestrator.advance); the caller checks the plan first
    (sagsgang.cases.routing.fresh_plan) inside the same transaction."""
    decided_by, reason = decided_by.strip(), reason.strip()
    if not decided_by:
        raise UserError("Angiv hvem der besluttede at eftersende sagen, fx Direktørforum.")
    case = find_case(session, journal_number, municipality)
    if case.status == CaseStatus.CLOSED:
        raise UserError(f"Sagen {case.journal_number} er afsluttet og kan ikke eftersendes.")
    state = load_state(session, case)
    profile = state.profile
    if body not in profile.bodies:
        raise UserError(f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.")
    stage = _stage_for(state, body)
    if day < clock.today():
        raise UserError(
            f"Mødet i {state.body_name(body)} {long_date(day)} er allerede holdt; "
            "en sag kan kun eftersendes til et kommende møde."
        )
    meeting = stored_meeting(session, profile, body, day, ", så sagen kan ikke eftersendes dertil")
    row = session.exec(
        select(LateRow).where(
            LateRow.case_id == id_of(case), LateRow.stage == stage, LateRow.body_id == meeting.body_id
        )
    ).first()
    if row is None:
        row = LateRow(
            case_id=id_of(case), stage=stage, body_id=meeting.body_id, meeting_id=id_of(meeting),
            decided_by=decided_by, recorded_at=utcnow(),
        )  # fmt: skip
    row.meeting_id, row.decided_by, row.reason, row.recorded_at = id_of(meeting), decided_by, reason, utcnow()
    session.add(row)
    touch(session, case, "eftersendelsen")
    return LateFact(stage, body, meeting, decided_by, reason, row.recorded_at)


def _stage_for(state: CaseState, body: str) -> int:
    """The first stage still ahead of the case in which `body` treats it."""
    current = state.current_stage
    for stage in state.stages if current is not None else ():
        treatment = state.treatments.get((stage, body))
        if (
            current is not None
            and stage >= current
            and body in state.members(stage)
            and not (treatment and treatment.passed)
        ):
            return stage
    raise UserError(
        f"{state.body_name(body)} skal ikke behandle sagen {state.case.journal_number} mere "
        f"(ruten {state.route.name}), så den kan ikke eftersendes dertil."
    )


def late_note(fact: LateFact, body_name: str) -> str:
    """One line, as Historik and the case's feed say it."""
    line = f"Eftersendt til {body_name} {long_date(fact.meeting.day)} efter fristen; besluttet af {fact.decided_by}"
    return line + (f": {fact.reason}" if fact.reason else ".")
