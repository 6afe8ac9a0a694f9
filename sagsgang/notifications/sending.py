"""Out by mail: every pending outbox mail that is due, each sent exactly once (the outbox rows are
written by sagsgang.notifications.reminders)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col, select

from models.db import session_scope
from models.outbox import MessageStatus, OutboxMessage
from sagsgang.notifications import mail


@dataclass(frozen=True)
class SendReport:
    sent: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


def send_pending(engine: Engine, transport: mail.Transport, now: dt.datetime, case_id: int | None = None) -> SendReport:
    """Send every pending outbox mail that is due, each exactly once.

    Each mail is claimed, sent and marked sent in one transaction of its own: a concurrent
    sender waits for the claim and then finds the row sent; a process killed while sending
    leaves its transaction uncommitted, so the next run sends that mail (and only that one).
    """
    with session_scope(engine) as session:
        query = select(OutboxMessage.id).where(
            OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.due_at <= now
        )
        if case_id is not None:
            query = query.where(OutboxMessage.case_id == case_id)
        ids = session.exec(query.order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))).all()
    sent, failed = [], []
    for message_id in ids:
        try:
            with session_scope(engine) as session:
                claim = (
                    sa.update(OutboxMessage)
                    .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == MessageStatus.PENDING)
                    .values(attempts=OutboxMessage.attempts + 1)
                )
                claimed = cast(CursorResult, session.execute(claim))  # an UPDATE's result has a rowcount
                if claimed.rowcount != 1:
                    continue  # another sender has it, or it went out already
                row = session.get_one(OutboxMessage, message_id)
                transport.send(row.message, row.recipient, row.key)
                row.status, row.sent_at, row.last_error = MessageStatus.SENT, now, ""
                session.add(row)
                sent.append(row.key)
        except (mail.DeliveryError, ValueError) as error:  # this mail only (ValueError: it cannot be built)
            with session_scope(engine) as session:
                session.execute(
                    sa.update(OutboxMessage)
                    .where(col(OutboxMessage.id) == message_id)
                    .values(attempts=OutboxMessage.attempts + 1, last_error=str(error)[:500])
                )
            failed.append((str(message_id), str(error)))
    return SendReport(tuple(sent), tuple(failed))
