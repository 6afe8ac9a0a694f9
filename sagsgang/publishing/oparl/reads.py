"""The database reads behind the OParl objects: a page of cases or meetings at a time, with what
their embedded objects need in a few batched queries (a page of 100 papers is five queries,
whatever the number of cases).

Sagsgang keeps no creation time for bodies and meetings; their `created` is the first time the
municipality's meeting plan was written (the earliest `updated_at` of its meetings), which is
never later than their `modified`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.content import Attachment, CaseContent, ItemKind
from models.tables import Body, Case, Consultation, Decision, Meeting
from sagsgang.publishing.oparl.lists import Window


@dataclass(frozen=True)
class Treatment:
    """One consultation of a case and the decision on it, once recorded."""

    consultation: Consultation
    decision: Decision | None


@dataclass(frozen=True)
class PaperRow:
    case: Case
    treatments: tuple[Treatment, ...]  # route order: stage, body, round
    kind: ItemKind | None
    content_modified: dt.datetime | None
    attachments: tuple[Attachment, ...]

    @property
    def modified(self) -> dt.datetime:
        stamps = [self.case.updated_at, self.case.created_at]
        stamps += [t.consultation.created_at for t in self.treatments]
        stamps += [t.decision.created_at for t in self.treatments if t.decision]
        if self.content_modified:
            stamps.append(self.content_modified)
        return max(stamps)


@dataclass(frozen=True)
class Item:
    """A case on a meeting: the consultation, its case and the decision."""

    treatment: Treatment
    case: Case
    order: int  # the item's number on the printed agenda (sagsgang.publishing.agenda.layout)


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    body: Body
    items: tuple[Item, ...]
    created: dt.datetime
    cases_modified: dt.datetime | None  # the latest change to a case this body treats

    @property
    def modified(self) -> dt.datetime:
        stamps = [self.meeting.updated_at, self.created]
        stamps += [item.treatment.consultation.created_at for item in self.items]
        stamps += [item.treatment.decision.created_at for item in self.items if item.treatment.decision]
        if self.cases_modified:
            # An item re-planned to another meeting leaves no row behind; its case's change does.
            stamps.append(self.cases_modified)
        return max(stamps)


@dataclass
class BodyStamps:
    """Created/modified of bodies (by id), from their meetings."""

    first: dict[int | None, dt.datetime] = field(default_factory=dict)
    last: dict[int | None, dt.datetime] = field(default_factory=dict)


def municipalities(session: Session) -> list[str]:
    return sorted(session.exec(select(col(Body.municipality)).distinct()).all())


def bodies(session: Session, municipality: str) -> list[Body]:
    return list(session.exec(select(Body).where(col(Body.municipality) == municipality).order_by(col(Body.id))).all())


def body_stamps(session: Session, municipality: str | None = None) -> BodyStamps:
    query = select(
        col(Meeting.body_id), sa.func.min(col(Meeting.updated_at)), sa.func.max(col(Meeting.updated_at))
    ).group_by(col(Meeting.body_id))
    if municipality is not None:
        query = query.where(col(Meeting.municipality) == municipality)
    stamps = BodyStamps()
    for body_id, first, last in session.exec(query).all():
        stamps.first[body_id], stamps.last[body_id] = _aware(first), _aware(last)
    return stamps


# --- papers --------------------------------------------------------------------------------


def paper_page(session: Session, municipality: str, window: Window) -> tuple[list[PaperRow], int]:
    """One page of the municipality's cases (by id, which never changes) and the number in all."""
    query = select(Case).where(col(Case.municipality) == municipality)
    query = _paper_filters(query, window)
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    cases = session.exec(query.order_by(col(Case.id)).offset(window.offset).limit(window.limit)).all()
    return papers(session, cases), total


def papers(session: Session, cases: Sequence[Case]) -> list[PaperRow]:
    ids = [case.id for case in cases]
    treatments = treatments_of(session, ids)
    contents: dict[int | None, tuple[ItemKind | None, dt.datetime | None]] = {
        case_id: (kind, updated)
        for case_id, kind, updated in session.exec(
            select(col(CaseContent.case_id), col(CaseContent.kind), col(CaseContent.updated_at)).where(
                col(CaseContent.case_id).in_(ids)
            )
        ).all()
    }
    attachments: dict[int | None, list[Attachment]] = {}
    for attachment in session.exec(
        select(Attachment)
        .where(col(Attachment.case_id).in_(ids))
        .order_by(col(Attachment.case_id), col(Attachment.number))
    ).all():
        attachments.setdefault(attachment.case_id, []).append(attachment)
    rows = []
    for case in cases:
        kind, updated = contents.get(case.id, (None, None))
        rows.append(
            PaperRow(
                case,
                tuple(treatments.get(case.id, ())),
                ItemKind(kind) if kind else None,
                _aware(updated) if updated else None,
                tuple(attachments.get(case.id, ())),
            )
        )
    return rows


def treatments_of(session: Session, case_ids: Sequence[int | None]) -> dict[int | None, list[Treatment]]:
    """Every consultation of the cases with its decision, in route order."""
    result: dict[int | None, list[Treatment]] = {}
    rows = session.exec(
        select(Consultation, Decision)
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(col(Consultation.case_id).in_(case_ids))
        .order_by(
            col(Consultation.case_id), col(Consultation.stage), col(Consultation.body_id), col(Consultation.round)
        )
    ).all()
    for consultation, decision in rows:
        result.setdefault(consultation.case_id, []).append(Treatment(consultation, decision))
    return result


def _paper_filters(query, window: Window):
    if window.created_since:
        query = query.where(col(Case.created_at) >= window.created_since)
    if window.created_until:
        query = query.where(col(Case.created_at) <= window.created_until)
    # modified is the latest of the case's, its texts' and its consultations' and decisions' stamps.
    stamps = (
        (col(Case.updated_at), None),
        (col(CaseContent.updated_at), select(col(CaseContent.id)).where(col(CaseContent.case_id) == col(Case.id))),
        (col(Consultation.created_at), select(col(Consultation.id)).where(col(Consultation.case_id) == col(Case.id))),
        (
            col(Decision.created_at),
            select(col(Decision.id))
            .join(Consultation, col(Consultation.id) == col(Decision.consultation_id))
            .where(col(Consultation.case_id) == col(Case.id)),
        ),
    )
    if window.modified_since:
        since = window.modified_since
        query = query.where(
            sa.or_(*(col >= since if sub is None else sub.where(col >= since).exists() for col, sub in stamps))
        )
    if window.modified_until:
        until = window.modified_until
        query = query.where(
            sa.not_(sa.or_(*(col > until if sub is None else sub.where(col > until).exists() for col, sub in stamps)))
        )
    return query


# --- meetings ------------------------------------------------------------------------------


def meeting_rows(session: Session, meetings: Sequence[Meeting]) -> list[MeetingRow]:
    """The meetings with their items in agenda order, and what their `modified` needs."""
    if not meetings:
        return []
    body_ids = {meeting.body_id for meeting in meetings}
    bodies_by_id = {body.id: body for body in session.exec(select(Body).where(col(Body.id).in_(body_ids))).all()}
    stamps = body_stamps(session, meetings[0].municipality)
    cases_modified = dict(
        session.exec(
            select(col(Consultation.body_id), sa.func.max(col(Case.updated_at)))
            .join(Case, col(Case.id) == col(Consultation.case_id))
            .where(col(Consultation.body_id).in_(body_ids))
            .group_by(col(Consultation.body_id))
        ).all()
    )
    items: dict[int | None, list[tuple[Consultation, Decision | None, Case]]] = {}
    for consultation, decision, case in session.exec(
        select(Consultation, Decision, Case)
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .where(col(Consultation.meeting_id).in_([meeting.id for meeting in meetings]))
        .order_by(col(Consultation.id))
    ).all():
        items.setdefault(consultation.meeting_id, []).append((consultation, decision, case))
    rows = []
    for meeting in meetings:
        # As the printed agenda numbers them: approval is 1, open cases then closed ones from 2.
        ordered = sorted(items.get(meeting.id, []), key=lambda entry: entry[2].closed_item)
        rows.append(
            MeetingRow(
                meeting,
                bodies_by_id[meeting.body_id],
                tuple(Item(Treatment(c, d), case, n) for n, (c, d, case) in enumerate(ordered, start=2)),
                stamps.first.get(meeting.body_id, _aware(meeting.updated_at)),
                _aware(cases_modified[meeting.body_id]) if cases_modified.get(meeting.body_id) else None,
            )
        )
    return rows


def meeting_page(
    session: Session, municipality: str, window: Window, body_id: int | None = None
) -> tuple[list[MeetingRow], int]:
    """One page of the municipality's (or one body's) meetings by id, and the number in all.

    A municipality has some hundred meetings a year, so the time filters run in Python on
    stamps from one grouped query; only the page's meetings are read whole.
    """
    query = select(Meeting).where(col(Meeting.municipality) == municipality)
    if body_id is not None:
        query = query.where(col(Meeting.body_id) == body_id)
    meetings = list(session.exec(query.order_by(col(Meeting.id))).all())
    if any((window.created_since, window.created_until, window.modified_since, window.modified_until)):
        created, modified = _meeting_stamps(session, municipality)
        meetings = [m for m in meetings if window.admits(created[m.body_id], modified[m.id])]
    return meeting_rows(session, meetings[window.offset : window.offset + window.limit]), len(meetings)


def _meeting_stamps(
    session: Session, municipality: str
) -> tuple[dict[int | None, dt.datetime], dict[int | None, dt.datetime]]:
    """(created by body id, modified by meeting id), computed as MeetingRow does."""
    stamps = body_stamps(session, municipality)
    by_body = {
        body_id: _aware(stamp)
        for body_id, stamp in session.exec(
            select(col(Consultation.body_id), sa.func.max(col(Case.updated_at)))
            .join(Case, col(Case.id) == col(Consultation.case_id))
            .where(col(Case.municipality) == municipality)
            .group_by(col(Consultation.body_id))
        ).all()
    }
    modified: dict[int | None, dt.datetime] = {}
    # sqlalchemy's select: sqlmodel's is typed for at most four columns.
    for meeting_id, body_id, updated, planned, decided in session.execute(
        sa.select(
            col(Meeting.id),
            col(Meeting.body_id),
            col(Meeting.updated_at),
            sa.func.max(col(Consultation.created_at)),
            sa.func.max(col(Decision.created_at)),
        )
        .outerjoin(Consultation, col(Consultation.meeting_id) == col(Meeting.id))
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(col(Meeting.municipality) == municipality)
        .group_by(col(Meeting.id), col(Meeting.body_id), col(Meeting.updated_at))
    ).all():
        candidates = [_aware(updated), stamps.first[body_id]]
        candidates += [_aware(s) for s in (planned, decided, by_body.get(body_id)) if s is not None]
        modified[meeting_id] = max(candidates)
    return stamps.first, modified


def _aware(value: dt.datetime) -> dt.datetime:
    """Aggregates (min/max) come back without models.types.AwareDateTime's conversion."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
