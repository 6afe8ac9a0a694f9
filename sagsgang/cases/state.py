"""A case's state, derived from the facts in the tables each time (which makes every step
idempotent): the current stage is the first stage where some body has not yet passed the case on.

What depends on the clock is derived here too, from the facts and a given day, and never stored:
a step whose deadline passed without material is *frist overskredet*, one whose meeting was held
without a decision *afventer beslutning*, and a later step whose dates passed while the case waited
at an earlier one is *ikke nået* (never *senere*). Every surface (sag vis, the web pages, the JSON
API, the feeds, the reminders and the Monday digest) asks `CaseState.step_state`.

Every change of a case bumps its version (touch), so two people changing the same case at once
cannot both win: the loser gets ConflictError (Danish).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from calendars.profiles import Profile, Route
from models.fields import JOURNAL_NUMBER
from models.outbox import Submission
from models.tables import Body, Case, Consultation, Decision, LateAddition, Meeting, Outcome
from models.types import utcnow
from sagsgang.inputs import UserError, read_profile, read_route


class ConflictError(UserError):
    """Someone else changed the case at the same time; nothing of ours was stored."""


def conflict(journal_number: str, what: str) -> ConflictError:
    return ConflictError(
        f"Sagen {journal_number} blev ændret af en anden samtidig, så {what} blev ikke gemt. "
        "Hent sagen igen, og prøv igen."
    )


class Stored(Protocol):
    id: int | None


def id_of(row: Stored) -> int:
    """The id of a row that is in the database (flushed); LookupError for one that is not."""
    if row.id is None:
        raise LookupError(f"{type(row).__name__} er ikke gemt.")
    return row.id


def case_query(journal_number: str, municipality: str | None = None):
    """The query for the case with this journal number (in this municipality), or None when the text
    cannot be one: only a KLE number names a stored case, and anything else (a NUL byte, 5,000
    digits) never reaches the database (PostgreSQL refuses NUL in text)."""
    if not JOURNAL_NUMBER.fullmatch(journal_number) or (municipality and not municipality.isprintable()):
        return None
    query = select(Case).where(Case.journal_number == journal_number)
    return query.where(Case.municipality == municipality) if municipality else query


def find_case(session: Session, journal_number: str, municipality: str | None = None) -> Case:
    wanted = journal_number.strip()
    query = case_query(wanted, municipality)
    found = session.exec(query).all() if query is not None else []
    if not found:
        shown = wanted if JOURNAL_NUMBER.fullmatch(wanted) else wanted[:40].encode("unicode_escape").decode()
        raise UserError(f"Sagen '{shown}' findes ikke. Opret den med: sagsgang sag opret …")
    if len(found) > 1:
        raise UserError(
            f"Journalnummeret {journal_number} findes i flere kommuner "
            f"({', '.join(c.municipality for c in found)}); angiv --kommune."
        )
    return found[0]


class StepState(enum.StrEnum):
    """Where one body's treatment stands on a given day (from the facts and the clock)."""

    DECIDED = "behandlet"
    AHEAD = "næste"  # the current stage: its deadline is still ahead, the material not in
    SUBMITTED = "materiale afleveret"  # the current stage: the material is in, the meeting ahead
    DEADLINE_MISSED = "frist overskredet"  # the deadline passed without material
    AWAITING_DECISION = "afventer beslutning"  # the meeting day came, no decision recorded
    LATER = "senere"  # a later stage, its dates still ahead
    NOT_REACHED = "ikke nået"  # a later stage whose dates passed while the case waited before it

    @property
    def blocks_later_stages(self) -> bool:
        """A missed deadline holds the rest of the route: its plan moves when this step is re-planned."""
        return self is StepState.DEADLINE_MISSED


@dataclass(frozen=True, slots=True)
class Step:
    """The facts one undecided step's state is derived from (see step_states)."""

    stage: int
    deadline: dt.date
    meeting_day: dt.date
    submitted: bool
    late: bool  # put on its meeting after the deadline by someone's decision: no deadline to miss


def step_states(steps: Sequence[Step], current_stage: int | None, today: dt.date) -> list[StepState]:
    """The state on `today` of each of a case's undecided steps (in the order given): the one rule.

    A step of the current stage whose deadline passed without material is *frist overskredet*; one
    whose meeting day came, *afventer beslutning*. A later stage cannot be decided before the
    current one: its step is *ikke nået* once its meeting day came, or once its deadline passed
    while an earlier stage waits after a missed deadline (its plan moves when that stage is
    re-planned); otherwise *frist overskredet* or *senere*.
    """
    states: dict[int, StepState] = {}
    blocked = False  # an earlier stage missed its deadline
    for stage in sorted({step.stage for step in steps}):
        group = [(i, step) for i, step in enumerate(steps) if step.stage == stage]
        for i, step in group:
            missed = not (step.submitted or step.late) and step.deadline < today
            held = step.meeting_day <= today
            if stage != current_stage:
                later = StepState.DEADLINE_MISSED if missed else StepState.LATER
                states[i] = StepState.NOT_REACHED if held or (missed and blocked) else later
            elif missed:
                states[i] = StepState.DEADLINE_MISSED
            elif held:
                states[i] = StepState.AWAITING_DECISION
            else:
                states[i] = StepState.SUBMITTED if step.submitted else StepState.AHEAD
        blocked |= any(states[i].blocks_later_stages for i, _ in group)
    return [states[i] for i in range(len(steps))]


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
    late: bool = False  # put on this meeting after its deadline by someone's decision: no deadline to miss

    @property
    def step(self) -> Step:
        return Step(self.stage, self.consultation.deadline, self.meeting.day, self.submitted, self.late)

    @property
    def outcome(self) -> Outcome | None:
        return Outcome(self.decision.outcome) if self.decision else None

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

    def step_state(self, treatment: Treatment, today: dt.date) -> StepState:
        """Where `treatment` stands on `today` (step_states: one rule, for every surface)."""
        if treatment.decision is not None:
            return StepState.DECIDED
        pending = self.pending()
        states = step_states([t.step for t in pending], self.current_stage, today)
        return states[next(i for i, t in enumerate(pending) if t is treatment)]

    def body_name(self, key: str) -> str:
        return self.profile.bodies[key].name if key in self.profile.bodies else key


def load_state(session: Session, case: Case, profile: Profile | None = None) -> CaseState:
    profile = profile or read_profile(case.municipality)
    route = read_route(profile, case.route_key)
    rows = session.exec(
        select(Consultation, Body.key, Decision)
        .join(Body, col(Body.id) == col(Consultation.body_id))
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(Consultation.case_id == case.id)
        .order_by(col(Consultation.stage), col(Consultation.round))
    ).all()
    meeting_ids = {m for row, _, _ in rows for m in (row.meeting_id, row.latest_meeting_id)}
    meetings = {m.id: m for m in session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))}
    submitted = set(
        session.exec(
            select(Submission.stage, Submission.body_id, Submission.round).where(Submission.case_id == case.id)
        ).all()
    )
    late = set(
        session.exec(
            select(LateAddition.stage, LateAddition.body_id, LateAddition.meeting_id).where(
                LateAddition.case_id == case.id
            )
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
            (row.stage, row.body_id, row.meeting_id) in late,
        )
    return CaseState(case, profile, route, treatments)


def touch(session: Session, case: Case, what: str) -> None:
    """Bump the case's version: a concurrent change of the same case makes one of them fail."""
    journal_number = case.journal_number  # readable after a failed flush, too
    case.updated_at = utcnow()
    session.add(case)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise conflict(journal_number, what) from None
