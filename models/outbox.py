"""The outbox: one row per side effect (reminder mail, escalation, weekly digest), sent exactly once.

A row is written in the same transaction as the facts that made it due, under a unique key, so
running the daily check twice, or again after a crash, finds the row instead of making a second
one. The sender (sagsgang.notifications.sending) claims a row in one commit, sends it, and marks
it sent in another commit right after the SMTP server's 250; a claim whose sender died is taken
over after a lease and sent again with the same Message-ID (stored in the row when it was built).
A mail that could not be built or delivered is tried again later (`next_attempt_at`) and after
the last try marked failed, for the secretariat to see.

Reminders belong to a consultation by its natural key (case, stage, body, round), not by its id:
re-planning replaces undecided consultation rows, and the reminders already sent for the same
treatment and deadline must still count as sent. A moved deadline gives a new key; the pending
reminders for the old deadline become obsolete.

Each finished daily check leaves a `DailyCheck` row, so the heartbeat
(sagsgang.notifications.heartbeat) can tell whether today's has run.

Submissions live here too: the reminders and escalations depend on them (no reminder once the
material is in; an escalation when it is not in by the deadline).

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
from models.types import AwareDateTime, enum_type, utcnow


class MessageKind(enum.StrEnum):
    REMINDER = "påmindelse"
    ESCALATION = "eskalering"
    DIGEST = "ugeoversigt"
    HEARTBEAT = "driftsadvarsel"  # to the secretariat: the daily check has not run today


class MessageStatus(enum.StrEnum):
    PENDING = "afventer"
    SENDING = "sendes"  # claimed by a sender (claimed_at, claimed_by); taken over if it died
    SENT = "sendt"
    FAILED = "fejlet"  # could not be built or delivered, also after the last try: shown to the secretariat
    OBSOLETE = "forældet"  # its deadline moved, or the material came in, before it went out


class OutboxMessage(SQLModel, table=True):
    """A mail to send. `message` is the whole RFC 5322 text, rendered once when the row is made,
    so a retry sends the very same mail (same Message-ID, same attachment)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_due_at", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # e.g. 'reminder/12/3/5/1/frist-2027-03-04/regel-5'
    kind: MessageKind = Field(sa_type=enum_type(MessageKind, "message_kind"))
    case_id: int | None = Field(default=None, foreign_key="cases.id", ondelete="CASCADE", index=True)
    # the consultation's natural key (None for a digest)
    stage: int | None = None
    body_id: int | None = Field(default=None, foreign_key="bodies.id")
    round: int | None = None
    rule: str  # '5' (working days before), 'eskalering', 'ugeoversigt'
    deadline: dt.date | None = None
    due_at: dt.datetime = Field(sa_type=AwareDateTime())
    recipient: str
    subject: str
    message: str = Field(sa_type=sa.Text())  # empty while the mail could not be built
    message_id: str = ""  # the Message-ID header: a resend after a crash keeps it
    status: MessageStatus = Field(default=MessageStatus.PENDING, sa_type=enum_type(MessageStatus, "message_status"))
    attempts: int = 0  # builds and deliveries tried
    last_error: str = ""
    next_attempt_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime())  # after a failure
    claimed_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime())  # wall-clock time of the claim
    claimed_by: str = ""  # 'host:pid' of the sender holding the claim
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime())
    sent_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime())


class DailyCheck(SQLModel, table=True):
    """A daily check that ran to the end, on its (Copenhagen) day."""

    __tablename__ = "daily_checks"

    id: int | None = Field(default=None, primary_key=True)
    day: dt.date = Field(index=True)
    completed_at: dt.datetime = Field(sa_type=AwareDateTime())


class Submission(SQLModel, table=True):
    """The case's material for one treatment (case, stage, body, round) is in."""

    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("case_id", "stage", "body_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    stage: int
    body_id: int = Field(foreign_key="bodies.id")
    round: int
    submitted_at: dt.datetime = Field(sa_type=AwareDateTime("Europe/Copenhagen"))
