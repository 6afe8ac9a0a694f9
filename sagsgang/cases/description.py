"""Telling people where a case is, in a few Danish lines."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from calendars.danish import clock_time, long_date
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from sagsgang.cases.caseview import standing
from sagsgang.cases.late import late_facts, late_note
from sagsgang.cases.state import StepState, id_of, load_state

# What a pending step's line adds, by its state on the day (sagsgang.cases.state.StepState).
MARKS = {
    StepState.SUBMITTED: " (materiale afleveret)",
    StepState.DEADLINE_MISSED: " – frist overskredet",
    StepState.AWAITING_DECISION: " – afventer beslutning",
    StepState.NOT_REACHED: " – ikke nået (planlægges igen)",
}


def describe(session: Session, case: Case, today: dt.date) -> list[str]:
    """The case in a few Danish lines on `today`: history, the current plan, where it waits."""
    state = load_state(session, case)
    stands = standing(state, today)
    shown = "afsluttet" if case.status == CaseStatus.CLOSED else f"åben, {stands.health}"
    lines = [f"{case.journal_number} «{case.title}» ({state.profile.name}, rute '{case.route_key}'): {shown}"]
    history = session.exec(
        select(Consultation, col(Body.name), Decision, col(Meeting.day))
        .join(Body, col(Body.id) == col(Consultation.body_id))
        .join(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .join(Meeting, col(Meeting.id) == col(Consultation.meeting_id))
        .where(Consultation.case_id == case.id)
        .order_by(col(Meeting.day))
    ).all()
    for _, name, decision, day in history:
        lines.append(
            f"  {long_date(day)}: {name}: {decision.outcome}" + (f" – {decision.text}" if decision.text else "")
        )
    facts = late_facts(session, id_of(case))
    lines += [f"  {late_note(fact, state.body_name(fact.body))}" for fact in facts]
    late_meetings = {(fact.stage, fact.body, fact.meeting.id) for fact in facts}
    for treatment in state.pending():
        body = state.profile.bodies.get(treatment.body)
        at = f" {clock_time(body.deadline.time)}" if body and body.deadline.time else ""
        step = state.step_state(treatment, today)
        mark = MARKS.get(step, " (materiale afleveret)" if treatment.submitted else "")
        if (treatment.stage, treatment.body, treatment.meeting.id) in late_meetings:
            mark += " – eftersendt punkt"
        lines.append(
            f"  Sagsfrist {long_date(treatment.consultation.deadline)}{at} → møde i "
            f"{state.body_name(treatment.body)} {long_date(treatment.meeting.day)} "
            f"{clock_time(treatment.meeting.local_time)}{mark}"
        )
    if state.rejected:
        lines.append("  Sagen blev ikke godkendt og er afsluttet.")
    elif case.status == CaseStatus.CLOSED:
        lines.append("  Sagen har været hele ruten igennem.")
    return lines
