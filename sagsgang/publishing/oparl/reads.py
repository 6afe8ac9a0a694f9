"""The database reads behind the OParl objects: a page of cases or meetings at a time, with what
their embedded objects need in a few batched queries (a page of 100 papers is five queries,
whatever the number of cases). Cases, consultations, decisions and attachments are read as
columns into the small frozen values below, not as ORM objects: a page of meetings can embed
thousands of agenda items, and SQLModel instances cost ~20 µs each to build.

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
from models.meeting_changes import latest_changes
from models.tables import Body, Case, Consultation, Decision, Meeting
from models.types import aggregate_instant
from sagsgang.publishing.oparl.lists import Window


@dataclass(frozen=True, slots=True)
class CaseRow:
    """The columns of models.tables.Case that OParl shows or needs."""

    id: int
    municipality: str
    journal_number: str
    title: str
    route_key: str
    ready_date: dt.date
    closed_item: bool
    created_at: dt.datetime
    updated_at: dt.datetime


CASE_COLUMNS = tuple(
    col(getattr(Case, name))
    for name in (
        "id",
        "municipality",
        "journal_number",
        "title",
        "route_key",
        "ready_date",
        "closed_item",
        "created_at",
        "updated_at",
    )
)


@dataclass(frozen=True, slots=True)
class Step:
    """The columns of models.tables.Consultation that OParl shows or needs."""

    case_id: int
    stage: int
    body_id: int
    round: int
    meeting_id: int
    deadline: dt.date
    agenda_due: dt.date | None
    created_at: dt.datetime


STEP_COLUMNS = tuple(
    col(getattr(Consultation, name))
    for name in ("case_id", "stage", "body_id", "round", "meeting_id", "deadline", "agenda_due", "created_at")
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A models.tables.Decision's outcome, text and time of recording."""

    outcome: str
    text: str
    created_at: dt.datetime


VERDICT_COLUMNS = (col(Decision.outcome), col(Decision.text), col(Decision.created_at))


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    case_id: int
    number: int
    title: str
    file: str


@dataclass(frozen=True, slots=True)
class Treatment:
    """One consultation of a case and the decision on it, once recorded."""

    consultation: Step
    decision: Verdict | None


def _treatment(values: Sequence) -> Treatment:
    """A Treatment from a row of STEP_COLUMNS then VERDICT_COLUMNS (outer-joined: None when undecided)."""
    n = len(STEP_COLUMNS)
    verdict = Verdict(*values[n : n + 3]) if values[n] is not None else None
    return Treatment(Step(*values[:n]), verdict)


@dataclass(frozen=True)
class PaperRow:
    case: CaseRow
    treatments: tuple[Treatment, ...]  # route order: stage, body, round
    kind: ItemKind | None
    content_modified: dt.datetime | None
    attachments: tuple[AttachmentRow, ...]

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
    case: CaseRow
    order: int  # the item's number on the printed agenda (sagsgang.publishing.agenda.layout)


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    body: Body
    items: tuple[Item, ...]
    created: dt.datetime
    changed: dt.datetime | None  # the latest change logged for it (models.meeting_changes)

    @property
    def modified(self) -> dt.datetime:
        return meeting_modified(self.meeting, self.created, self.changed)


def meeting_modified(meeting: Meeting, created: dt.datetime, changed: dt.datetime | None) -> dt.datetime:
    """A Meeting's `modified`: its own last write or the latest logged change to what it shows
    (its items, their cases and decisions; models.meeting_changes), never before its `created`."""
    return max(aggregate_instant(meeting.updated_at), created, changed or created)


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
        stamps.first[body_id], stamps.last[body_id] = aggregate_instant(first), aggregate_instant(last)
    return stamps


# --- papers --------------------------------------------------------------------------------


def paper_page(session: Session, municipality: str, window: Window) -> tuple[list[PaperRow], int]:
    """One page of the municipality's cases (by id, which never changes) and the number in all."""
    query = _paper_filters(sa.select(col(Case.id)).where(col(Case.municipality) == municipality), window)
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(col(Case.id)).offset(window.offset).limit(window.size)
    return papers(session, list(session.execute(page).scalars())), total


def papers(session: Session, ids: Sequence[int]) -> list[PaperRow]:
    """The cases with these ids, as papers with what they embed. Each query takes the ids' range
    (BETWEEN, on the indexes' leading case_id) and drops what is not wanted: an IN list of 100
    parameters costs SQLAlchemy more to compile than SQLite to run, and a page's ids are close."""
    if not ids:
        return []
    wanted, low, high = set(ids), min(ids), max(ids)
    cases = [
        CaseRow(*values)
        for values in session.execute(
            sa.select(*CASE_COLUMNS).where(col(Case.id).between(low, high)).order_by(col(Case.id))
        )
        if values[0] in wanted
    ]
    treatments = treatments_of(session, low, high)
    contents: dict[int | None, tuple[ItemKind | None, dt.datetime | None]] = {
        case_id: (kind, updated)
        for case_id, kind, updated in session.execute(
            sa.select(col(CaseContent.case_id), col(CaseContent.kind), col(CaseContent.updated_at)).where(
                col(CaseContent.case_id).between(low, high)
            )
        )
        if case_id in wanted
    }
    attachments: dict[int | None, list[AttachmentRow]] = {}
    columns = (col(Attachment.case_id), col(Attachment.number), col(Attachment.title), col(Attachment.file))
    query = sa.select(*columns).where(col(Attachment.case_id).between(low, high)).order_by(*columns[:2])
    for values in session.execute(query):
        if values[0] in wanted:
            attachments.setdefault(values[0], []).append(AttachmentRow(*values))
    rows = []
    for case in cases:
        kind, updated = contents.get(case.id, (None, None))
        rows.append(
            PaperRow(
                case,
                tuple(treatments.get(case.id, ())),
                ItemKind(kind) if kind else None,
                aggregate_instant(updated) if updated else None,
                tuple(attachments.get(case.id, ())),
            )
        )
    return rows


def treatments_of(session: Session, low: int, high: int) -> dict[int | None, list[Treatment]]:
    """Every consultation of the cases with ids from `low` to `high`, with its decision, in route order."""
    result: dict[int | None, list[Treatment]] = {}
    rows = session.execute(
        sa.select(*STEP_COLUMNS, *VERDICT_COLUMNS)
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .where(col(Consultation.case_id).between(low, high))
        .order_by(
            col(Consultation.case_id), col(Consultation.stage), col(Consultation.body_id), col(Consultation.round)
        )
    )
    for values in rows:
        result.setdefault(values[0], []).append(_treatment(values))
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


def on_agenda(today: dt.date) -> sa.ColumnElement[bool]:
    """sagsgang.publishing.oparl.objects.on_agenda as a condition on Consultation (outer-joined
    to Decision): decided, or the agenda is due out (else the submission deadline has passed)."""
    due = sa.func.coalesce(col(Consultation.agenda_due), col(Consultation.deadline))
    return sa.or_(col(Decision.id).is_not(None), due <= today)


def meeting_rows(session: Session, meetings: Sequence[Meeting], shown_on: dt.date | None = None) -> list[MeetingRow]:
    """The meetings with their items in agenda order, and what their `modified` needs; with
    `shown_on`, only the items on the published agenda that day (a page of meetings embeds only
    those, and most of a future meeting's planned items are not yet). Items are numbered over
    all the meeting's cases, shown or not, as the printed agenda numbers them
    (sagsgang.publishing.agenda.layout): approval is 1, open cases then closed ones from 2."""
    if not meetings:
        return []
    ids = [meeting.id for meeting in meetings]
    bodies_by_id = {body.id: body for body in bodies(session, meetings[0].municipality)}
    created = body_stamps(session, meetings[0].municipality).first
    changes = latest_changes(session, col(Meeting.id).in_(ids))
    position = sa.func.row_number().over(
        partition_by=col(Consultation.meeting_id), order_by=(col(Case.closed_item), col(Consultation.id))
    )
    numbered = (
        sa.select(col(Consultation.id).label("id"), position.label("position"))
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .where(col(Consultation.meeting_id).in_(ids))
        .subquery()
    )
    query = (
        sa.select(*STEP_COLUMNS, *VERDICT_COLUMNS, *CASE_COLUMNS, numbered.c.position)
        .join(numbered, numbered.c.id == col(Consultation.id))
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .order_by(col(Consultation.meeting_id), numbered.c.position)
    )
    if shown_on is not None:
        query = query.where(on_agenda(shown_on))
    items: dict[int | None, list[Item]] = {}
    width = len(STEP_COLUMNS) + len(VERDICT_COLUMNS)
    for values in session.execute(query):
        treatment = _treatment(values)
        item = Item(treatment, CaseRow(*values[width:-1]), values[-1] + 1)
        items.setdefault(treatment.consultation.meeting_id, []).append(item)
    return [
        MeetingRow(
            meeting,
            bodies_by_id[meeting.body_id],
            tuple(items.get(meeting.id, ())),
            created.get(meeting.body_id, aggregate_instant(meeting.updated_at)),
            changes.get(meeting.id),
        )
        for meeting in meetings
    ]


def meeting_page(
    session: Session, municipality: str, window: Window, today: dt.date, body_id: int | None = None
) -> tuple[list[MeetingRow], int]:
    """One page of the municipality's (or one body's) meetings by id, with the items on their
    published agendas `today`, and the number in all.

    A municipality has some hundred meetings a year, so the time filters run in Python on each
    meeting's latest logged change (one index seek a meeting); only the page's meetings are
    read whole, and with omit_internal not even those (a council meeting can have dozens of items).
    """
    chosen = col(Meeting.municipality) == municipality
    if body_id is not None:
        chosen = sa.and_(chosen, col(Meeting.body_id) == body_id)
    ordered = select(Meeting).where(chosen).order_by(col(Meeting.id))
    if any((window.created_since, window.created_until, window.modified_since, window.modified_until)):
        created = body_stamps(session, municipality).first
        changes = latest_changes(session, chosen)
        meetings = [
            m
            for m in session.exec(ordered).all()
            if window.admits(created[m.body_id], meeting_modified(m, created[m.body_id], changes.get(m.id)))
        ]
        total, page = len(meetings), meetings[window.offset : window.offset + window.size]
    else:
        total = session.execute(sa.select(sa.func.count()).where(chosen)).scalar_one()
        page = list(session.exec(ordered.offset(window.offset).limit(window.size)).all())
    if window.omit_internal and page:
        created = body_stamps(session, municipality).first
        changes = latest_changes(session, col(Meeting.id).between(page[0].id, page[-1].id))
        bodies_by_id = {body.id: body for body in bodies(session, municipality)}
        rows = [MeetingRow(m, bodies_by_id[m.body_id], (), created[m.body_id], changes.get(m.id)) for m in page]
        return rows, total
    return meeting_rows(session, page, today), total
