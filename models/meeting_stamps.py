"""A meeting's `items_changed_at`: when what its agenda items show last changed — a case planned
onto or off the meeting, a decision on it, a change to one of its cases.

Kept by mapper events (SQLAlchemy's public event API) on every ORM write of a consultation,
decision or case, so that no write path can forget it; the two Core DELETEs of consultations go
through `forget_consultations`, which stamps the meetings they leave. OParl's Meeting.modified
reads the column instead of joining every consultation of every meeting (issue 15).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from models.tables import Case, Consultation, Decision, Meeting
from models.types import utcnow

_MEETINGS = Meeting.__table__  # type: ignore[attr-defined]  # SQLModel tables are sa.Table at runtime
_CONSULTATIONS = Consultation.__table__  # type: ignore[attr-defined]


def _stamp(connection: sa.Connection, meeting_ids: sa.ColumnElement[bool]) -> None:
    connection.execute(sa.update(_MEETINGS).where(meeting_ids).values(items_changed_at=utcnow()))


def _of_consultations(where: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return _MEETINGS.c.id.in_(sa.select(_CONSULTATIONS.c.meeting_id).where(where))


def forget_consultations(session: Session, where: sa.ColumnElement[bool]) -> None:
    """Delete the consultations `where` selects (a Core DELETE, run at once), stamping the meetings
    they were on: their agendas lose an item."""
    _stamp(session.connection(), _of_consultations(where))
    session.exec(sa.delete(Consultation).where(where))


@sa.event.listens_for(Consultation, "after_insert")
@sa.event.listens_for(Consultation, "after_delete")
def _planned(_mapper: Any, connection: sa.Connection, row: Consultation) -> None:
    _stamp(connection, _MEETINGS.c.id == row.meeting_id)


@sa.event.listens_for(Consultation, "after_update")
def _moved(_mapper: Any, connection: sa.Connection, row: Consultation) -> None:
    history = sa.inspect(row, raiseerr=True).attrs.meeting_id.history
    _stamp(connection, _MEETINGS.c.id.in_([row.meeting_id, *history.deleted]))


@sa.event.listens_for(Decision, "after_insert")
@sa.event.listens_for(Decision, "after_update")
@sa.event.listens_for(Decision, "after_delete")
def _decided(_mapper: Any, connection: sa.Connection, row: Decision) -> None:
    _stamp(connection, _of_consultations(_CONSULTATIONS.c.id == row.consultation_id))


@sa.event.listens_for(Case, "after_update")
def _case_changed(_mapper: Any, connection: sa.Connection, row: Case) -> None:
    _stamp(connection, _of_consultations(_CONSULTATIONS.c.case_id == row.id))
