"""What people record about a case: a body's decision after its meeting, and the material handed
in for a deadline. Routing on a decision is sagsgang.cases.routing's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from calendars.clock import Clock
from calendars.danish import long_date
from models.outbox import Submission
from models.tables import Case, CaseStatus, Decision, Outcome
from sagsgang.cases import history
from sagsgang.cases.history import SYSTEM, Editor
from sagsgang.cases.state import CaseState, Treatment, find_case, id_of, load_state, touch
from sagsgang.inputs import UserError


class DecisionForm(BaseModel):
    """A body's decision on the case, as the secretary records it after the meeting."""

    model_config = ConfigDict(title="Beslutning")

    body: str = Field(title="Organ", description="Organets nøgle i profilen, fx direktion")
    outcome: Outcome = Field(title="Udfald")
    text: str = Field("", title="Beslutningstekst")
    new_ready: dt.date | None = Field(None, title="Ny klar-dato", description="Kun ved tilbagesendt")


OUTCOME_WORDS = {outcome.value: outcome for outcome in Outcome}


def read_outcome(text: str) -> Outcome:
    word = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if word not in OUTCOME_WORDS:
        choices = ", ".join(f"'{value}'" for value in OUTCOME_WORDS)
        raise UserError(f"'{text}' er ikke et udfald. Vælg et af: {choices}.", "outcome")
    return OUTCOME_WORDS[word]


@dataclass(frozen=True)
class Recorded:
    case: Case
    body: str
    outcome: Outcome
    meeting_day: dt.date


def record_decision(
    session: Session,
    journal_number: str,
    body: str,
    outcome: Outcome | str,
    text: str,
    clock: Clock,
    new_ready: dt.date | None = None,
    municipality: str | None = None,
    editor: Editor = SYSTEM,
) -> Recorded:
    """Store what `body` decided on the case at its meeting, and `editor`'s entry in its history.
    Routing on it is sagsgang.cases.advance's job."""
    case = find_case(session, journal_number, municipality)
    outcome = read_outcome(outcome) if isinstance(outcome, str) else outcome
    state = load_state(session, case)
    treatment = _treatment_for(state, body, "en beslutning")
    if treatment.decision is not None:
        raise UserError(
            f"{state.body_name(body)} har allerede truffet beslutning om sagen "
            f"({treatment.outcome}) på mødet {long_date(treatment.meeting.day)}."
        )
    if treatment.meeting.day > clock.today():
        raise UserError(
            f"Mødet i {state.body_name(body)} er først {long_date(treatment.meeting.day)}; "
            "beslutningen kan registreres fra mødedagen."
        )
    if outcome is Outcome.SENT_BACK:
        calendar = state.profile.calendar
        new_ready = new_ready or calendar.add_working_days(treatment.meeting.day, 1)
        if new_ready <= treatment.meeting.day:
            raise UserError(
                f"Den nye klar-dato skal ligge efter mødet {long_date(treatment.meeting.day)}.", "new_ready"
            )
        case.ready_date = new_ready
    elif new_ready is not None:
        raise UserError("En ny klar-dato (--klar) hører kun til udfaldet 'tilbagesendt'.", "new_ready")
    session.add(
        Decision(
            consultation_id=id_of(treatment.consultation),
            outcome=outcome,
            text=text.strip(),
            decided_at=treatment.meeting.starts_at,
        )
    )
    touch(session, case, "beslutningen")
    sent_back = new_ready if outcome is Outcome.SENT_BACK else None
    history.decided(
        session, case, editor, clock, state.body_name(body), treatment.meeting.day, outcome, text, sent_back
    )
    return Recorded(case, body, outcome, treatment.meeting.day)


def record_submission(
    session: Session,
    journal_number: str,
    clock: Clock,
    body: str | None = None,
    municipality: str | None = None,
    editor: Editor = SYSTEM,
) -> list[Treatment]:
    """The material is in: for `body`'s next treatment, or for every body of the current stage;
    one entry per body in the case's history."""
    case = find_case(session, journal_number, municipality)
    state = load_state(session, case)
    if body is not None:
        chosen = [_treatment_for(state, body, "materiale", any_stage=True)]
    else:
        stage = state.current_stage
        chosen = [t for t in state.of_stage(stage) if t.decision is None] if stage else []
        if not chosen:
            raise UserError(f"Sagen {case.journal_number} venter ikke på materiale.")
    new = [t for t in chosen if not t.submitted]
    if not new:
        raise UserError(f"Materialet til {', '.join(state.body_name(t.body) for t in chosen)} er allerede afleveret.")
    for treatment in new:
        session.add(
            Submission(
                case_id=id_of(case),
                stage=treatment.stage,
                body_id=treatment.consultation.body_id,
                round=treatment.round,
                submitted_at=clock.now(),
            )
        )
    touch(session, case, "afleveringen")
    history.material_received(session, case, editor, clock, [(state.body_name(t.body), t.meeting.day) for t in new])
    return new


def _treatment_for(state: CaseState, body: str, what: str, any_stage: bool = False) -> Treatment:
    case = state.case
    if case.status == CaseStatus.CLOSED:
        raise UserError(f"Sagen {case.journal_number} er afsluttet; der kan ikke registreres {what}.")
    if body not in state.profile.bodies:
        raise UserError(
            f"Organet '{body}' findes ikke i {state.profile.name}. "
            f"Vælg et af: {', '.join(b for s in state.route.stages for b in s)}.",
            "body",
        )
    stage = state.current_stage
    stages = state.stages if any_stage else [stage] if stage else []
    for number in stages:
        treatment = state.treatments.get((number, body))
        if treatment is not None and treatment.decision is None and body in state.members(number):
            return treatment
    waiting = ", ".join(state.body_name(t.body) for t in state.of_stage(stage) if t.decision is None) if stage else ""
    raise UserError(
        f"Sagen {case.journal_number} er ikke til behandling i {state.body_name(body)} nu"
        + (f"; den venter på {waiting}." if waiting else ".")
    )
