"""Out by mail: every pending outbox mail that is due, each sent once (the outbox rows are written
by sagsgang.notifications.reminders and .heartbeat).

Claim, send, mark — three steps, two commits:
  1. claim: status 'sendes', claimed_at (wall clock), claimed_by ('host:pid'), attempts + 1, in a
     commit of its own, so no other sender takes the mail while it is being delivered;
  2. send: one SMTP transaction, holding no database transaction;
  3. mark: status 'sendt' in its own commit right after the server's 250.
Only a crash between the 250 and that commit resends a mail, and the resend carries the same
Message-ID (the whole message was rendered once, when the row was made), so a mail program shows it
once. A claim whose sender died is taken over: at once when the claimant was a process on this
machine that is gone, otherwise after the lease (SAGSGANG_MAIL_LEASE_SECONDS, default 300 s: longer
than any live delivery, whose SMTP timeout is 20 s per step).

A mail that cannot be delivered fails alone: the others go out, and it is tried again after
BACKOFF (5 min, 30 min, 2 h, 8 h, 24 h); after the last try it is marked 'fejlet' and shown to the
secretariat (`failed`: the web app's notice and the Monday digest).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.outbox import MessageStatus, OutboxMessage
from models.types import utcnow
from sagsgang.notifications import mail

if TYPE_CHECKING:
    from sagsgang.settings import Settings

# The wait after the 1st, 2nd, … failed attempt; the attempt after the last wait is the last.
BACKOFF = (
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=8),
    dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
DEFAULT_LEASE = dt.timedelta(seconds=300)


@dataclass(frozen=True)
class SendReport:
    sent: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (key, error): tried again later, or given up
    given_up: tuple[str, ...] = ()  # keys marked 'fejlet' in this run


def after_failure(attempts: int, now: dt.datetime) -> tuple[MessageStatus, dt.datetime | None]:
    """A row's status and next try after its `attempts`-th attempt failed."""
    if attempts >= MAX_ATTEMPTS:
        return MessageStatus.FAILED, None
    return MessageStatus.PENDING, now + BACKOFF[max(attempts, 1) - 1]


def sender_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimant_is_gone(claimed_by: str) -> bool:
    """The claim was made by a process on this machine that no longer runs."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def send_due(settings: Settings, now: dt.datetime, case_id: int | None = None) -> SendReport:
    """`send_pending` with the settings' mail transport and lease."""
    return send_pending(
        settings.engine(),
        mail.transport(mail.MailSettings.from_settings(settings)),
        now,
        case_id,
        lease=dt.timedelta(seconds=settings.mail_lease_seconds),
    )


def send_pending(
    engine: Engine,
    transport: mail.Transport,
    now: dt.datetime,
    case_id: int | None = None,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    wall_clock: Callable[[], dt.datetime] = utcnow,
) -> SendReport:
    """Send every pending outbox mail that is due (and take over the claims of dead senders).

    `now` is the run's clock (what is due, when to try again); `wall_clock` dates the claims, whose
    lease is about real processes, not about the municipality's calendar."""
    with session_scope(engine, read_only=True) as session:  # the claims below take the write lock
        ready = sa.or_(col(OutboxMessage.next_attempt_at).is_(None), col(OutboxMessage.next_attempt_at) <= now)
        query = select(col(OutboxMessage.id)).where(
            col(OutboxMessage.message) != "",
            col(OutboxMessage.due_at) <= now,
            sa.or_(
                sa.and_(col(OutboxMessage.status) == MessageStatus.PENDING, ready),
                col(OutboxMessage.status) == MessageStatus.SENDING,
            ),
        )
        if case_id is not None:
            query = query.where(OutboxMessage.case_id == case_id)
        ids = [
            i for i in session.exec(query.order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))) if i is not None
        ]
    me = sender_identity()
    sent, failed, given_up = [], [], []
    try:
        for message_id in ids:
            claim = _claim(engine, message_id, me, lease, wall_clock())
            if claim is None:
                continue  # another sender has it, or it went out already
            attempt, row = claim
            try:
                transport.send(row.message, row.recipient, row.key)
            except mail.DeliveryError as error:
                status = _record_failure(engine, message_id, attempt, str(error), now)
                failed.append((row.key, str(error)))
                if status is MessageStatus.FAILED:
                    given_up.append(row.key)
                continue
            _mark_sent(engine, message_id, attempt, now)
            sent.append(row.key)
    finally:
        transport.close()  # the SMTP session, once all are sent
    return SendReport(tuple(sent), tuple(failed), tuple(given_up))


def _claim(
    engine: Engine, message_id: int, me: str, lease: dt.timedelta, wall: dt.datetime
) -> tuple[int, OutboxMessage] | None:
    """Claim the row in a commit of its own; (the claim's attempt number, the row) or None."""
    with session_scope(engine) as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            return None
        if row.status is MessageStatus.SENDING:
            expired = row.claimed_at is None or row.claimed_at <= wall - lease
            if not expired and not _claimant_is_gone(row.claimed_by):
                return None
        elif row.status is not MessageStatus.PENDING:
            return None
        seen = row.attempts
        # Compare-and-set on (status, attempts): of two senders that read the same row, one wins.
        claimed = cast(  # an UPDATE's result has a rowcount
            CursorResult,
            session.execute(
                sa.update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.status) == row.status,
                    col(OutboxMessage.attempts) == seen,
                )
                .values(status=MessageStatus.SENDING, claimed_at=wall, claimed_by=me, attempts=seen + 1)
            ),
        )
        if claimed.rowcount != 1:
            return None
        session.expunge(row)
    return seen + 1, row


def _ours(message_id: int, attempt: int) -> sa.ColumnElement[bool]:
    """Still our claim: nobody took it over since."""
    return sa.and_(
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.status) == MessageStatus.SENDING,
        col(OutboxMessage.attempts) == attempt,
    )


def _mark_sent(engine: Engine, message_id: int, attempt: int, now: dt.datetime) -> None:
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(_ours(message_id, attempt))
            .values(status=MessageStatus.SENT, sent_at=now, last_error="", claimed_by="", next_attempt_at=None)
        )


def _record_failure(engine: Engine, message_id: int, attempt: int, error: str, now: dt.datetime) -> MessageStatus:
    status, retry_at = after_failure(attempt, now)
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(_ours(message_id, attempt))
            .values(status=status, next_attempt_at=retry_at, last_error=error[:500], claimed_by="")
        )
    return status


def failed(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """Mails given up on (could not be built or delivered after the last try), newest first."""
    query = select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    return list(session.exec(query.order_by(col(OutboxMessage.due_at).desc()).limit(limit)))
