"""A case's life as plain functions over the database: launch, submissions, decisions, and routing
on what the bodies decided (DESIGN.md § 1). No Prefect here: flows/ calls these, and so do the CLI
and the tests.

The state lives in the tables. Every function works in the caller's session (models.db
session_scope), so bad input writes nothing, and every change of a case bumps its version, so two
people changing the same case at once cannot both win: the loser gets ConflictError (Danish).

Routing is derived from the facts each time, which makes every step idempotent:
  * the current stage is the first stage where some body has not yet passed the case on;
  * the plan for the rest of the route is planned again from the facts (when the case is ready
    for the current stage, 'udsat' = that body's next meeting, submitted or decided material
    stays on its meeting) and stored only if it differs from the stored one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, func, select

from calendars.clock import Clock
from calendars.danish import clock_time, long_date
from calendars.meetings import Schedule, meeting_plan
from calendars.planner import Plan, PlanningError, Target, plan
from calendars.profiles import Profile, Route
from calendars.workdays import CalendarRangeError
from models.outbox import Submission
from models.store import cancel_meeting, load_meetings, move_meeting, save_plan, sync_profile
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting, Outcome
from models.types import utcnow
from sagsgang.inputs import UserError, read_profile, read_route

# How far ahead meetings are kept in the database for planning (the planner's horizon).
HORIZON = dt.timedelta(days=3 * 365)
LOOKBACK = dt.timedelta(days=62)


class ConflictError(UserError):
    """Someone else changed the case at the same time; nothing of ours was stored."""


def conflict(journal_number: str, what: str) -> ConflictError:
    return ConflictError(
        f"Sagen {journal_number} blev ændret af en anden samtidig, så {what} blev ikke gemt. "
        f"Se sagen igen (sagsgang sag vis {journal_number}) og prøv igen."
    )


# --- launch ------------------------------------------------------------------------------------


class LaunchRequest(BaseModel):
    """A new case, as the secretary fills it in (CLI or the Prefect UI's run form)."""

    model_config = ConfigDict(title="Ny sag")

    municipality: str = Field(title="Kommune", description="Profilens navn, fx slagelse")
    title: str = Field(title="Sagens titel", min_length=1)
    journal_number: str = Field(title="Journalnummer (KLE)", description="Fx 27.00.00-G01-1-24")
    owner_name: str = Field(title="Sagsbehandler", min_length=1)
    owner_email: str = Field(title="Sagsbehandlers e-mail")
    manager_name: str = Field(title="Leder", min_length=1)
    manager_email: str = Field(title="Leders e-mail")
    department: str = Field("", title="Afdeling")
    route: str = Field(title="Rute", description="Rutens nøgle i profilen, fx politisk")
    ready: dt.date | None = Field(None, title="Sagen er klar", description="Tom: i dag")
    target_body: str | None = Field(None, title="Mål: organ", description="Fx byraadet (rutens sidste trin)")
    target_date: dt.date | None = Field(None, title="Mål: senest den")
    closed_item: bool = Field(False, title="Lukket punkt")


class DecisionForm(BaseModel):
    """A body's decision on the case, as the secretary records it after the meeting."""

    model_config = ConfigDict(title="Beslutning")

    body: str = Field(title="Organ", description="Organets nøgle i profilen, fx direktion")
    outcome: Outcome = Field(title="Udfald")
    text: str = Field("", title="Beslutningstekst")
    new_ready: dt.date | None = Field(None, title="Ny klar-dato", description="Kun ved tilbagesendt")


def launch(session: Session, request: LaunchRequest, clock: Clock) -> Case:
    """Store a new case and its plan. Raises UserError (Danish) on bad input; writes nothing then."""
    profile = read_profile(request.municipality)
    route = read_route(profile, request.route)
    ready = request.ready or clock.today()
    target = _target(profile, route, request)
    try:
        case = Case(
            municipality=profile.key,
            journal_number=request.journal_number,
            title=request.title.strip(),
            route_key=route.key,
            ready_date=ready,
            closed_item=request.closed_item,
            owner_name=request.owner_name.strip(),
            owner_email=request.owner_email.strip(),
            manager_name=request.manager_name.strip(),
            manager_email=request.manager_email.strip(),
            department=request.department.strip(),
            target_date=target and target.day,
        )
    except ValueError as error:  # the table's own checks: KLE journal number, e-mail addresses
        raise UserError(str(error), getattr(error, "field", None)) from None
    if not case.title:
        raise UserError("Sagen skal have en titel.", "title")
    if not case.owner_email or not case.manager_email:
        raise UserError(
            "Angiv e-mail for både sagsbehandler og leder: de får påmindelser og eskaleringer.", "owner_email"
        )
    duplicate = session.exec(
        select(Case.id).where(Case.municipality == profile.key, Case.journal_number == case.journal_number)
    ).first()
    if duplicate is not None:
        raise UserError(
            f"Sagen {case.journal_number} findes allerede i {profile.name}. "
            f"Se den med: sagsgang sag vis {case.journal_number}",
            "journal_number",
        )
    start = min(ready, clock.today()) - LOOKBACK
    ensure_meetings(session, profile, start, max(ready, target.day if target else ready) + HORIZON)
    bodies = {row.key: row for row in session.exec(select(Body).where(Body.municipality == profile.key))}
    if target:
        case.target_body_id = bodies[target.body].id
    schedule = Schedule.build(profile, load_meetings(session, profile.key, start))
    result = _plan(route, schedule, ready, target)
    session.add(case)
    try:
        session.flush()
    except IntegrityError:
        raise UserError(f"Sagen {case.journal_number} blev oprettet af en anden samtidig.", "journal_number") from None
    save_plan(session, case, result)
    return case


def check_launch(engine, request: LaunchRequest, clock: Clock) -> None:
    """Everything launch() would refuse, refused now, with nothing written (rolled back)."""
    with Session(engine) as session:
        try:
            launch(session, request, clock)
        finally:
            session.rollback()


def _target(profile: Profile, route: Route, request: LaunchRequest) -> Target | None:
    if request.target_body is None and request.target_date is None:
        return None
    if request.target_body is None or request.target_date is None:
        raise UserError("Et mål skal have både organ og dato, fx byraadet:24-06-2027.", "target_date")
    if request.target_body not in profile.bodies:
        raise UserError(
            f"Organet '{request.target_body}' findes ikke i {profile.name}. Vælg et af: {', '.join(route.stages[-1])}.",
            "target_date",
        )
    return Target(request.target_body, request.target_date)


def _plan(
    route: Route,
    schedule: Schedule,
    ready: dt.date,
    target: Target | None,
    held_after: dict[str, dt.date] | None = None,
    keep_going: bool = False,
) -> Plan:
    """Plan, or a UserError saying why not. With keep_going, a target that can no longer be
    reached (after 'udsat', a missed deadline) gives the earliest plan instead."""
    try:
        return plan(route, schedule, ready, target, held_after=held_after)
    except PlanningError as error:
        if target is not None and keep_going:
            return _plan(route, schedule, ready, None, held_after)
        raise UserError(str(error), "target_date" if target is not None else "ready") from None
    except CalendarRangeError as error:
        raise UserError(str(error), "ready") from None


def ensure_meetings(session: Session, profile: Profile, start: dt.date, end: dt.date) -> None:
    """The profile's meetings in [start, end] are in the database (only missing ends are added,
    so moves and cancellations made here are kept)."""
    first, last = session.exec(
        select(func.min(Meeting.day), func.max(Meeting.day)).where(Meeting.municipality == profile.key)
    ).one()
    spans = (
        [(start, end)] if first is None else [(start, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), end)]
    )
    for span_start, span_end in spans:
        if span_start <= span_end:
            sync_profile(session, profile, meeting_plan(profile, span_start, span_end))


def change_meeting(
    session: Session,
    profile: Profile,
    body: str,
    day: dt.date,
    new_day: dt.date | None = None,
    new_time: dt.time | None = None,
) -> Meeting:
    """Move (new_day) or cancel the body's meeting on `day`; the cases on it are re-planned by
    put_on_meetings (the lifecycle flow). Raises UserError (Danish) when there is no such meeting."""
    if body not in profile.bodies:
        raise UserError(f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.")
    ensure_meetings(session, profile, day - LOOKBACK, max(day, new_day or day) + HORIZON)
    row = session.exec(
        select(Meeting)
        .join(Body, Body.id == Meeting.body_id)
        .where(Meeting.municipality == profile.key, Body.key == body, Meeting.day == day)
    ).first()
    if row is None or row.cancelled:
        state = "er allerede aflyst" if row is not None else "findes ikke"
        raise UserError(
            f"Mødet i {profile.bodies[body].name} {long_date(day)} {state}. "
            f"Se mødeplanen med: sagsgang møder --kommune {profile.key} --organ {body} --fra … --til …"
        )
    try:
        if new_day is None:
            return cancel_meeting(session, profile.key, row.key)
        return move_meeting(session, profile.key, row.key, new_day, new_time)
    except (ValueError, LookupError) as error:
        raise UserError(str(error)) from None


# --- reading a case's state ----------------------------------------------------------------------


def find_case(session: Session, journal_number: str, municipality: str | None = None) -> Case:
    query = select(Case).where(Case.journal_number == journal_number.strip())
    if municipality:
        query = query.where(Case.municipality == municipality)
    found = session.exec(query).all()
    if not found:
        raise UserError(f"Sagen '{journal_number}' findes ikke. Opret den med: sagsgang sag opret …")
    if len(found) > 1:
        raise UserError(
            f"Journalnummeret {journal_number} findes i flere kommuner "
            f"({', '.join(c.municipality for c in found)}); angiv --kommune."
        )
    return found[0]


@dataclass(frozen=True)
class Treatment:
    """One body's latest round in one stage: the current consultation and what became of it."""

    stage: int
    body: str
    round: int
    consultation: Consultation
    meeting: Meeting
    latest_meeting: Meeting
    decision: Decision | None
    submitted: bool

    @property
    def outcome(self) -> Outcome | None:
        return self.decision and Outcome(self.decision.outcome)

    @property
    def passed(self) -> bool:
        return self.outcome is not None and self.outcome.advances


class StageStatus(enum.StrEnum):
    WAITING = "venter"  # some body has not decided yet
    PASSED = "videre"  # every body passed the case on
    AGAIN = "igen"  # a body postponed it or sent it back: that body's next round is due
    REJECTED = "afvist"  # a body rejected it: the case ends


@dataclass(frozen=True)
class CaseState:
    case: Case
    profile: Profile
    route: Route
    treatments: dict[tuple[int, str], Treatment]  # (stage, body) -> latest round

    @property
    def stages(self) -> range:
        return range(1, len(self.route.stages) + 1)

    def members(self, stage: int) -> tuple[str, ...]:
        return self.route.stages[stage - 1]

    def of_stage(self, stage: int) -> list[Treatment]:
        return [t for body in self.members(stage) if (t := self.treatments.get((stage, body)))]

    def status(self, stage: int) -> StageStatus:
        treatments = self.of_stage(stage)
        outcomes = [t.outcome for t in treatments]
        if Outcome.REJECTED in outcomes:
            return StageStatus.REJECTED
        if len(treatments) == len(self.members(stage)) and all(t.passed for t in treatments):
            return StageStatus.PASSED
        if any(outcome in (Outcome.POSTPONED, Outcome.SENT_BACK) for outcome in outcomes):
            return StageStatus.AGAIN
        return StageStatus.WAITING

    @property
    def current_stage(self) -> int | None:
        """The first stage not passed; None when the route is done or the case was rejected."""
        for stage in self.stages:
            status = self.status(stage)
            if status is StageStatus.REJECTED:
                return None
            if status is not StageStatus.PASSED:
                return stage
        return None

    @property
    def rejected(self) -> bool:
        return any(self.status(stage) is StageStatus.REJECTED for stage in self.stages)

    def pending(self) -> list[Treatment]:
        """Undecided treatments of the current plan, in route order."""
        return sorted(
            (t for t in self.treatments.values() if t.decision is None),
            key=lambda t: (t.stage, t.consultation.deadline),
        )

    def body_name(self, key: str) -> str:
        return self.profile.bodies[key].name if key in self.profile.bodies else key


def load_state(session: Session, case: Case, profile: Profile | None = None) -> CaseState:
    profile = profile or read_profile(case.municipality)
    route = read_route(profile, case.route_key)
    rows = session.exec(
        select(Consultation, Body.key, Decision)
        .join(Body, Body.id == Consultation.body_id)
        .outerjoin(Decision, Decision.consultation_id == Consultation.id)
        .where(Consultation.case_id == case.id)
        .order_by(Consultation.stage, Consultation.round)
    ).all()
    meeting_ids = {m for row, _, _ in rows for m in (row.meeting_id, row.latest_meeting_id)}
    meetings = {m.id: m for m in session.exec(select(Meeting).where(Meeting.id.in_(meeting_ids)))}
    submitted = set(
        session.exec(
            select(Submission.stage, Submission.body_id, Submission.round).where(Submission.case_id == case.id)
        ).all()
    )
    treatments: dict[tuple[int, str], Treatment] = {}
    for row, body_key, decision in rows:
        place = (row.stage, body_key)
        if place in treatments and treatments[place].round > row.round:
            continue
        treatments[place] = Treatment(
            row.stage,
            body_key,
            row.round,
            row,
            meetings[row.meeting_id],
            meetings[row.latest_meeting_id],
            decision,
            (row.stage, row.body_id, row.round) in submitted,
        )
    return CaseState(case, profile, route, treatments)


# --- planning the rest of the route -----------------------------------------------------------


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
        target = Target(target_body.key, case.target_date)
    end = max(ready, case.target_date or ready) + HORIZON
    ensure_meetings(session, profile, min([ready, *held_after.values()]) - LOOKBACK, end)
    schedule = Schedule.build(profile, load_meetings(session, case.municipality))
    rest = dataclasses.replace(state.route, stages=state.route.stages[stage - 1 :])
    result = _plan(rest, schedule, ready, target, held_after, keep_going=True)
    offset = stage - 1
    return dataclasses.replace(
        result,
        route=state.route,
        steps=tuple(dataclasses.replace(step, stage=step.stage + offset) for step in result.steps),
    )


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
    for treatment in state.of_stage(state.current_stage):
        if treatment.outcome is Outcome.POSTPONED:
            place = dict(
                case_id=state.case.id,
                stage=treatment.stage,
                body_id=treatment.consultation.body_id,
                round=treatment.round + 1,
            )
            if session.exec(select(Submission.id).filter_by(**place)).first() is None:
                session.add(Submission(**place, submitted_at=treatment.decision.decided_at))
    session.flush()


# --- what people record ------------------------------------------------------------------------


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
) -> Recorded:
    """Store what `body` decided on the case at its meeting. Routing on it is sagsgang.cases.advance's job."""
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
            consultation_id=treatment.consultation.id,
            outcome=outcome,
            text=text.strip(),
            decided_at=treatment.meeting.starts_at,
        )
    )
    _touch(session, case, "beslutningen")
    return Recorded(case, body, outcome, treatment.meeting.day)


def record_submission(
    session: Session, journal_number: str, clock: Clock, body: str | None = None, municipality: str | None = None
) -> list[Treatment]:
    """The material is in: for `body`'s next treatment, or for every body of the current stage."""
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
                case_id=case.id,
                stage=treatment.stage,
                body_id=treatment.consultation.body_id,
                round=treatment.round,
                submitted_at=clock.now(),
            )
        )
    _touch(session, case, "afleveringen")
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


def _touch(session: Session, case: Case, what: str) -> None:
    """Bump the case's version: a concurrent change of the same case makes one of them fail."""
    journal_number = case.journal_number  # readable after a failed flush, too
    case.updated_at = utcnow()
    session.add(case)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise conflict(journal_number, what) from None


# --- routing on ------------------------------------------------------------------------------


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
    _touch(session, case, "afslutningen")
    return True


# --- telling people where the case is ----------------------------------------------------------


def describe(session: Session, case: Case) -> list[str]:
    """The case in a few Danish lines: history, the current plan, where it waits."""
    state = load_state(session, case)
    lines = [
        f"{case.journal_number} «{case.title}» ({state.profile.name}, rute '{case.route_key}'): "
        f"{'afsluttet' if case.status == CaseStatus.CLOSED else 'åben'}"
    ]
    history = session.exec(
        select(Consultation, Body.name, Decision, Meeting.day)
        .join(Body, Body.id == Consultation.body_id)
        .join(Decision, Decision.consultation_id == Consultation.id)
        .join(Meeting, Meeting.id == Consultation.meeting_id)
        .where(Consultation.case_id == case.id)
        .order_by(Meeting.day)
    ).all()
    for _, name, decision, day in history:
        lines.append(
            f"  {long_date(day)}: {name}: {decision.outcome}" + (f" – {decision.text}" if decision.text else "")
        )
    for treatment in state.pending():
        body = state.profile.bodies.get(treatment.body)
        at = f" {clock_time(body.deadline.time)}" if body and body.deadline.time else ""
        mark = " (materiale afleveret)" if treatment.submitted else ""
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
