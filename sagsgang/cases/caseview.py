"""A case as the secretariat follows it: its timeline (done, next, later), its Historik, and how it
stands against its next deadline. Reading only; shared by the web pages and the JSON API (and
usable from the CLI), on top of sagsgang.cases.state.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from urllib.parse import quote

from sqlmodel import Session, col, select

from calendars.danish import long_date
from calendars.profiles import Profile
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from sagsgang.cases.late import late_facts
from sagsgang.cases.state import CaseState, StepState, id_of, load_state
from sagsgang.inputs import UserError
from sagsgang.publishing.agenda import decision_text

AT_RISK_WORKING_DAYS = 3  # less slack than this before the next deadline: at risk


def page_path(municipality: str, journal_number: str) -> str:
    """The case's page in the web app (what reminder mails link to, after settings.base_url)."""
    return f"/sager/{quote(municipality, safe='')}/{quote(journal_number, safe='')}"


class Phase(enum.StrEnum):
    """Where a step is on the route: behind the case, where it waits, ahead, or passed by."""

    DONE = "afsluttet"
    NEXT = "næste"
    LATER = "senere"
    NOT_REACHED = "ikke nået"  # a later step whose dates passed while the case waited before it


PHASES = {StepState.DECIDED: Phase.DONE, StepState.LATER: Phase.LATER, StepState.NOT_REACHED: Phase.NOT_REACHED}


class Health(enum.StrEnum):
    ON_TRACK = "i rute"
    AT_RISK = "i risiko"  # under AT_RISK_WORKING_DAYS working days of slack
    MISSED = "frist overskredet"
    AWAITING_DECISION = "afventer beslutning"  # the meeting was held; the decision is not recorded
    CLOSED = "afsluttet"


@dataclass(frozen=True)
class Entry:
    """One body's treatment of the case in one stage and round."""

    phase: Phase
    stage: int
    round: int
    body: str  # key
    body_name: str
    deadline: dt.date
    deadline_time: dt.time | None
    meeting_day: dt.date
    meeting_time: dt.time
    meeting_status: str  # planlagt | foreløbig | aflyst
    latest_deadline: dt.date
    latest_meeting_day: dt.date
    slack_working_days: int
    submitted: bool
    outcome: str | None = None
    decision_text: str = ""
    decidable: bool = False  # the secretariat can record the decision now (meeting day reached)
    late_by: str = ""  # put on the meeting after its deadline ("eftersendt punkt"): who decided
    state: StepState = StepState.LATER  # on the day the timeline was made (sagsgang.cases.state)

    @property
    def provisional(self) -> bool:
        return self.meeting_status == "foreløbig"


@dataclass(frozen=True)
class Standing:
    health: Health
    next_deadline: dt.date | None
    next_body: str  # name
    slack_working_days: int | None  # working days from today to the latest possible deadline
    note: str = ""  # when there is no deadline ahead: why ("afventer beslutning i …", "materiale afleveret")


def entries(session: Session, state: CaseState, today: dt.date) -> list[Entry]:
    """Decided treatments (every round) first, then the plan: the current stage next, the rest later."""
    case, profile = state.case, state.profile
    decided = session.exec(
        select(Consultation, Body.key, Decision, Meeting)
        .join(Body, col(Body.id) == col(Consultation.body_id))
        .join(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .join(Meeting, col(Meeting.id) == col(Consultation.meeting_id))
        .where(Consultation.case_id == case.id)
        .order_by(col(Meeting.day), col(Consultation.stage))
    ).all()
    latest = {
        m.id: m
        for m in session.exec(select(Meeting).where(col(Meeting.id).in_([c.latest_meeting_id for c, *_ in decided])))
    }
    late = {(f.stage, f.body, f.meeting.id): f.decided_by for f in late_facts(session, id_of(case))}
    result = [
        _entry(
            Phase.DONE,
            profile,
            state,
            consultation,
            key,
            meeting,
            latest[consultation.latest_meeting_id],
            True,
            decision,
            late_by=late.get((consultation.stage, key, meeting.id), ""),
            step=StepState.DECIDED,
        )
        for consultation, key, decision, meeting in decided
    ]
    for treatment in state.pending():
        step = state.step_state(treatment, today)
        phase = PHASES.get(step, Phase.NEXT)
        result.append(
            _entry(
                phase,
                profile,
                state,
                treatment.consultation,
                treatment.body,
                treatment.meeting,
                treatment.latest_meeting,
                treatment.submitted,
                None,
                decidable=phase is Phase.NEXT and treatment.meeting.day <= today and case.status == CaseStatus.OPEN,
                late_by=late.get((treatment.stage, treatment.body, treatment.meeting.id), ""),
                step=step,
            )
        )
    return result


def _entry(
    phase: Phase,
    profile: Profile,
    state: CaseState,
    consultation: Consultation,
    body_key: str,
    meeting: Meeting,
    latest: Meeting,
    submitted: bool,
    decision: Decision | None,
    decidable: bool = False,
    late_by: str = "",
    step: StepState = StepState.LATER,
) -> Entry:
    body = profile.bodies.get(body_key)
    name = state.body_name(body_key)
    return Entry(
        phase,
        consultation.stage,
        consultation.round,
        body_key,
        name,
        consultation.deadline,
        body.deadline.time if body else None,
        meeting.day,
        meeting.local_time,
        str(meeting.status),
        consultation.latest_deadline,
        latest.day,
        consultation.slack_working_days,
        submitted,
        outcome=str(decision.outcome) if decision else None,
        decision_text=decision_text(_treatment(name, meeting.day, decision)) if decision else "",
        decidable=decidable,
        late_by=late_by,
        state=step,
    )


def _treatment(body_name: str, day: dt.date, decision: Decision):
    from models.agenda_items import Treatment

    return Treatment(body_name, day, decision.outcome, decision.text)


def history(timeline: list[Entry]) -> list[str]:
    """The Historik lines as every later agenda prints them."""
    from calendars.danish import short_date

    return [
        f"{e.body_name} den {short_date(e.meeting_day)}: {e.decision_text}"
        + (f" (eftersendt punkt, besluttet af {e.late_by})" if e.late_by else "")
        for e in timeline
        if e.phase is Phase.DONE
    ]


def standing(state: CaseState, today: dt.date) -> Standing:
    """How the case stands on `today`: a missed deadline first, then the next deadline whose
    material is not in yet, then a held meeting waiting for its decision."""
    if state.case.status == CaseStatus.CLOSED or state.current_stage is None:
        return Standing(Health.CLOSED, None, "", None)
    current = [(t, state.step_state(t, today)) for t in state.pending() if t.stage == state.current_stage]
    calendar = state.profile.calendar
    missed = [t for t, step in current if step is StepState.DEADLINE_MISSED]
    ahead = [t for t, step in current if step is StepState.AHEAD]
    if missed or ahead:
        first = min(missed or ahead, key=lambda t: t.consultation.deadline)
        slack = calendar.working_days_between(today, first.consultation.latest_deadline)
        if missed:
            health = Health.MISSED
        elif slack < AT_RISK_WORKING_DAYS:
            health = Health.AT_RISK
        else:
            health = Health.ON_TRACK
        note = f"mødet {long_date(first.meeting.day)} er holdt uden materiale" if first.meeting.day < today else ""
        return Standing(health, first.consultation.deadline, state.body_name(first.body), slack, note)
    held = [t for t, step in current if step is StepState.AWAITING_DECISION]
    if held:
        meetings = ", ".join(f"{state.body_name(t.body)} {long_date(t.meeting.day)}" for t in held)
        return Standing(Health.AWAITING_DECISION, None, "", None, f"mødet er holdt: {meetings}")
    return Standing(Health.ON_TRACK, None, "", None, "materiale afleveret")


# Most urgent first: how case lists sort by health.
URGENCY = {Health.MISSED: 0, Health.AT_RISK: 1, Health.AWAITING_DECISION: 2, Health.ON_TRACK: 3, Health.CLOSED: 4}


@dataclass(frozen=True)
class Listed:
    municipality: str
    journal_number: str
    title: str
    owner_name: str
    owner_email: str
    department: str
    closed_item: bool
    bodies: tuple[str, ...]  # keys of the bodies still ahead on the route
    standing: Standing


def listed(state: CaseState, today: dt.date) -> Listed:
    """The case as a line of a case list."""
    case = state.case
    return Listed(
        case.municipality,
        case.journal_number,
        case.title,
        case.owner_name,
        case.owner_email,
        case.department,
        case.closed_item,
        tuple(dict.fromkeys(t.body for t in state.pending())),
        standing(state, today),
    )


def open_cases(session: Session, today: dt.date, body: str = "", department: str = "", owner: str = "") -> list[Listed]:
    """Open cases, most urgent first; optionally only those still going to `body`, of
    `department`, or owned by `owner` (name or e-mail, case-insensitive)."""
    query = select(Case).where(Case.status == CaseStatus.OPEN)
    if department:
        query = query.where(Case.department == department)
    result = []
    for case in session.exec(query.order_by(col(Case.id))).all():
        if owner and owner.lower() not in (case.owner_email.lower(), case.owner_name.lower()):
            continue
        try:
            state = load_state(session, case)
        except UserError:  # its profile or route is gone: nothing to plan against
            continue
        found = listed(state, today)
        if body and body not in found.bodies:
            continue
        result.append(found)
    return sorted(result, key=lambda c: (URGENCY[c.standing.health], c.standing.next_deadline or dt.date.max))
