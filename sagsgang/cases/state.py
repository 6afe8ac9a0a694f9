"""A case's state, derived from the facts in the tables each time (which makes every step
idempotent): the current stage is the first stage where some body has not yet passed the case on.

Every change of a case bumps its version (touch), so two people changing the same case at once
cannot both win: the loser gets ConflictError (Danish).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from calendars.profiles import Profile, Route
from models.outbox import Submission
from models.tables import Body, Case, Consultation, Decision, Meeting, Outcome
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


def touch(session: Session, case: Case, what: str) -> None:
    """Bump the case's version: a concurrent change of the same case makes one of them fail."""
    journal_number = case.journal_number  # readable after a failed flush, too
    case.updated_at = utcnow()
    session.add(case)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise conflict(journal_number, what) from None
