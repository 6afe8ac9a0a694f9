"""The change history of a case: one row per changed field (who, when, through what, old → new),
written in the same transaction as the change itself, by the web app, the JSON API and the CLI.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
from models.types import AwareDateTime


class CaseChange(SQLModel, table=True):
    """One field of one case changed: "Titel: «Ny skolestruktur» → «Ny skolestruktur 2027»"."""

    __tablename__ = "case_changes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE", index=True)
    changed_at: dt.datetime = Field(sa_type=AwareDateTime())
    changed_by: str  # the user's name or login (web, API), or the system user (CLI)
    source: str  # 'web', 'api' or 'cli'
    field: str  # the Danish field name as the forms show it: 'Titel', 'Sagen er klar', …
    old: str = Field(default="", sa_type=sa.Text())
    new: str = Field(default="", sa_type=sa.Text())


def add_changes(session: Session, changes: Sequence[CaseChange]) -> None:
    session.add_all(changes)
    session.flush()


def case_changes(session: Session, case_id: int) -> Sequence[CaseChange]:
    """The case's changes, newest first."""
    return session.exec(
        select(CaseChange)
        .where(CaseChange.case_id == case_id)
        .order_by(col(CaseChange.changed_at).desc(), col(CaseChange.id).desc())
    ).all()
