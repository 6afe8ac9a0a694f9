"""Which uploaded bilag anyone may fetch: those an open item on a published agenda lists
(sagsgang.cases.attachments keeps the files; this asks the database who lists them)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col

from models.content import Attachment
from models.tables import Case, Consultation, Decision
from sagsgang.cases.attachments import URL_PREFIX


def is_public(session: Session, name: str, today: dt.date) -> bool:
    """Whether an open case on a published agenda lists the bilag `<sha256>.<ext>`: one of its
    meetings' agendas is due out (or, without an agenda rule, its deadline passed), or the body
    decided on it (as sagsgang.publishing.oparl.objects.on_agenda)."""
    decided = sa.exists().where(col(Decision.consultation_id) == col(Consultation.id))
    published = sa.exists().where(
        col(Consultation.case_id) == col(Case.id),
        sa.or_(sa.func.coalesce(col(Consultation.agenda_due), col(Consultation.deadline)) <= today, decided),
    )
    query = (
        sa.select(col(Attachment.id))
        .join(Case, col(Case.id) == col(Attachment.case_id))
        .where(col(Attachment.file) == f"{URL_PREFIX}{name}", col(Case.closed_item).is_(False), published)
        .limit(1)
    )
    return session.execute(query).first() is not None
