"""When did what a meeting shows last change? An append-only log, one row per meeting per flush.

OParl's Meeting embeds its AgendaItems, so its `modified` must move when the meeting changes, when
a case is planned onto it or re-planned away from it, when a decision on one of its items is
recorded, and when a case on it changes (title, closed item: the AgendaItem's `modified` follows
the case's `updated_at`). Computing that on every read was a grouped scan of all consultations;
a stamp stored on the meeting row (session 5) made every case write update the same few meeting
rows, and 40 concurrent launches deadlocked on PostgreSQL. This log only ever gets INSERTs, with
no foreign key and no unique index, so writers never wait for each other's rows; a meeting's
latest change is one index seek on (meeting_id, changed_at).

The session listeners below see every ORM write (new, changed and deleted bodies, meetings, cases,
consultations and decisions) and the bulk DELETEs of consultations, decisions and cases that
re-planning and editing run (models.store.save_plan, sagsgang.cases.editing). Plain UPDATEs that
leave `updated_at` alone (the lifecycle's `wake_at`, sagsgang.cases.steps) are bookkeeping that no
meeting shows, and are not logged.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history
from sqlmodel import Field, SQLModel

from models.tables import Body, Case, Consultation, Decision, Meeting
from models.types import AwareDateTime, aggregate_instant, utcnow

_PENDING = "meeting_changes.pending"  # Session.info key: meetings of rows the flush will delete


class MeetingChange(SQLModel, table=True):
    """Something a meeting's public (OParl) object shows changed at `changed_at`."""

    __tablename__ = "meeting_changes"
    __table_args__ = (sa.Index("ix_meeting_changes_meeting_id_changed_at", "meeting_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int  # no foreign key: a key check would lock the meeting row (and deleted meetings' rows are harmless)
    changed_at: dt.datetime = Field(sa_type=AwareDateTime())


def latest_changes(session: Session, meetings: sa.ColumnElement[bool]) -> dict[int | None, dt.datetime]:
    """The latest change of each meeting matching `meetings` (a condition on Meeting), by meeting id;
    meetings with no change logged are left out."""
    changes = MeetingChange.__table__.c  # type: ignore[attr-defined]
    latest = sa.select(sa.func.max(changes.changed_at)).where(changes.meeting_id == Meeting.__table__.c.id)  # type: ignore[attr-defined]
    query = sa.select(Meeting.__table__.c.id, latest.scalar_subquery()).where(meetings)  # type: ignore[attr-defined]
    return {meeting_id: aggregate_instant(stamp) for meeting_id, stamp in session.execute(query) if stamp is not None}


# --- the listeners ---------------------------------------------------------------------------

_consultations = Consultation.__table__.c  # type: ignore[attr-defined]


def _meetings_where(condition: sa.ColumnElement[bool], *joins: sa.Table) -> sa.Select:
    query = sa.select(_consultations.meeting_id).distinct()
    for table in joins:
        query = query.join(table)
    return query.where(condition)


_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
# Built once: a flush runs them with its ids (statements built per flush cost more than they run).
_OF_CASES = _meetings_where(_consultations.case_id.in_(_IDS))
_OF_CONSULTATIONS = _meetings_where(_consultations.id.in_(_IDS))
_OF_BODIES = sa.select(Meeting.__table__.c.id).where(Meeting.__table__.c.body_id.in_(_IDS))  # type: ignore[attr-defined]
_INSERT = sa.insert(MeetingChange.__table__)  # type: ignore[attr-defined]


def _read(session: Session, query: sa.Select, ids: set[int]) -> set[int]:
    """The meeting ids `query` (one of the above) finds for `ids`."""
    if not ids:
        return set()
    return set(session.connection().execute(query, {"ids": sorted(ids)}).scalars())


def _log(session: Session, meeting_ids: set[int]) -> None:
    if meeting_ids:
        now = utcnow()
        session.connection().execute(_INSERT, [{"meeting_id": m, "changed_at": now} for m in sorted(meeting_ids)])


def _changed(session: Session, instance: object) -> bool:
    return session.is_modified(instance, include_collections=False)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Rows about to be deleted: read their meetings while the rows (and what cascades) still exist."""
    deleted = list(session.deleted)
    if not deleted:
        return
    found = {c.meeting_id for c in deleted if isinstance(c, Consultation)}
    found |= _read(session, _OF_CASES, {c.id for c in deleted if isinstance(c, Case) and c.id is not None})
    found |= _read(session, _OF_CONSULTATIONS, {d.consultation_id for d in deleted if isinstance(d, Decision)})
    session.info.setdefault(_PENDING, set()).update(found)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Log the meetings this flush changed: new and changed rows now have their ids and values."""
    found: set[int] = session.info.pop(_PENDING, set())
    written = [*session.new, *(o for o in session.dirty if _changed(session, o))]
    cases, bodies, consultations = set(), set(), set()
    for row in written:
        if isinstance(row, Meeting) and row.id is not None:
            found.add(row.id)
        elif isinstance(row, Consultation):
            # a changed meeting_id: the new meeting and the one it left
            history = get_history(row, "meeting_id")
            found.update(m for m in (row.meeting_id, *history.deleted) if m is not None)
        elif isinstance(row, Decision):
            consultations.add(row.consultation_id)
        elif isinstance(row, Case) and row.id is not None:
            cases.add(row.id)
        elif isinstance(row, Body) and row.id is not None:
            bodies.add(row.id)
    found |= _read(session, _OF_CASES, cases) | _read(session, _OF_CONSULTATIONS, consultations)
    found |= _read(session, _OF_BODIES, bodies)
    _log(session, found)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_delete(state: ORMExecuteState) -> None:
    """A DELETE statement run through the session (not the unit of work): log the meetings of
    the consultations it removes, before it runs."""
    if not state.is_delete:
        return
    statement = state.statement
    table, condition = statement.table, statement.whereclause  # type: ignore[attr-defined]
    if condition is None:
        condition = sa.true()
    joined = {Consultation.__table__: (), Decision.__table__: (table,), Case.__table__: (table,)}  # type: ignore[attr-defined]
    if table not in joined:
        return
    query = _meetings_where(condition, *joined[table])
    _log(state.session, set(state.session.connection().execute(query).scalars()))
