"""A case as the secretariat follows it: its timeline (done, next, later), its Historik, and how it
stands against its next deadline. Reading only; shared by the web pages and the JSON API (and
usable from the CLI), on top of sagsgang.cases.state.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlmodel import Session, col, select

from calendars.profiles import Profile
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from sagsgang.cases.late import late_facts
from sagsgang.cases.state import CaseState, id_of, load_state
from sagsgang.inputs import UserError
from sagsgang.publishing.agenda import decision_text

AT_RISK_WORKING_DAYS = 3  # less slack than this before the next deadline: at risk


class Phase(enum.StrEnum):
    DONE = "afsluttet"
    NEXT = "næste"
    LATER = "senere"


class Health(enum.StrEnum):
    ON_TRACK = "i rute"
    AT_RISK = "i risiko"  # under AT_RISK_WORKING_DAYS working days of slack
    MISSED = "frist overskredet"
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
        )
        for consultation, key, decision, meeting in decided
    ]
    current = state.current_stage
    for treatment in state.pending():
        phase = Phase.NEXT if treatment.stage == current else Phase.LATER
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
    """How the case stands against its next deadline whose material is not in yet."""
    if state.case.status == CaseStatus.CLOSED or state.current_stage is None:
        return Standing(Health.CLOSED, None, "", None)
    current = [t for t in state.pending() if t.stage == state.current_stage]
    # A meeting that has been held waits for its decision, not for material.
    waiting = [t for t in current if not t.submitted and t.meeting.day > today]
    if not waiting:
        held = [state.body_name(t.body) for t in current if t.meeting.day <= today]
        note = f"afventer beslutning i {', '.join(held)}" if held else "materiale afleveret"
        return Standing(Health.ON_TRACK, None, "", None, note)
    first = min(waiting, key=lambda t: t.consultation.deadline)
    calendar = state.profile.calendar
    slack = calendar.working_days_between(today, first.consultation.latest_deadline)
    if first.consultation.deadline < today:
        health = Health.MISSED
    elif slack < AT_RISK_WORKING_DAYS:
        health = Health.AT_RISK
    else:
        health = Health.ON_TRACK
    return Standing(health, first.consultation.deadline, state.body_name(first.body), slack)


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
    order = {Health.MISSED: 0, Health.AT_RISK: 1, Health.ON_TRACK: 2, Health.CLOSED: 3}
    return sorted(result, key=lambda c: (order[c.standing.health], c.standing.next_deadline or dt.date.max))
