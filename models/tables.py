"""The tables: bodies, meetings, cases, consultations (a case on a body's meeting) and decisions.

Enumerations are stored as their Danish values ('foreløbig', 'taget til efterretning'), so the
database reads like the domain. Instants are stored in UTC and read back as aware datetimes
(see models.types.AwareDateTime). Every constraint has a predictable name (naming convention
below), which Alembic needs to alter constraints on SQLite in batch mode.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt
import enum
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr, validates
from sqlmodel import Field, SQLModel

from calendars.meetings import MeetingStatus, StatusFlags
from calendars.profiles import BodyKind
from models import fields
from models.types import COPENHAGEN, AwareDateTime, enum_type, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LOCAL_ZONE = "Europe/Copenhagen"


class _Row(Protocol):
    id: int | None


def saved_id(row: _Row) -> int:
    """The row's primary key. It exists once the row was flushed (the database assigns it);
    typed `int | None` on the tables because a new row has none yet."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add it to the session and flush first")
    return row.id


def local_start(day: dt.date, time: dt.time) -> dt.datetime:
    """`time` Copenhagen wall-clock time on `day` (summer or winter time as it falls)."""
    return dt.datetime.combine(day, time, COPENHAGEN)


def check_journal_number(value: str) -> str:
    """`value` stripped, or Invalid (Danish, a ValueError) that shows the KLE form."""
    return fields.journal_number(value)


class CaseStatus(enum.StrEnum):
    OPEN = "åben"
    CLOSED = "afsluttet"


class Outcome(enum.StrEnum):
    """A body's decision on an agenda item, and what the route does next (docs/architecture.md § 1)."""

    APPROVED = "godkendt"
    RECOMMENDED = "anbefalet"
    NOTED = "taget til efterretning"
    DISCUSSED = "drøftet"
    POSTPONED = "udsat"  # same body, next possible meeting
    SENT_BACK = "tilbagesendt"  # back to the administration, re-plan from a new ready date
    REJECTED = "ikke godkendt"  # the case ends

    @property
    def advances(self) -> bool:
        """The case goes on to the next stage."""
        return self in (Outcome.APPROVED, Outcome.RECOMMENDED, Outcome.NOTED, Outcome.DISCUSSED)


def _timestamp(**column: object) -> dt.datetime:
    """Set when the row is written (and, with onupdate=utcnow, again on every UPDATE)."""
    return Field(default_factory=utcnow, sa_type=AwareDateTime(), sa_column_kwargs=column)


class Body(SQLModel, table=True):
    """A body of one municipality, as named in its profile (calendars.profiles.Body)."""

    __tablename__ = "bodies"
    __table_args__ = (sa.UniqueConstraint("municipality", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality: str  # the profile's key, e.g. 'slagelse'
    key: str  # the body's key in the profile, e.g. 'byraadet'
    name: str
    kind: BodyKind = Field(sa_type=enum_type(BodyKind, "body_kind"))


class Meeting(StatusFlags, SQLModel, table=True):
    """One meeting of a body. `key` never changes, also when the meeting is moved.

    `day` is the local (Copenhagen) date, kept next to `starts_at` so that date queries need no
    time-zone arithmetic in SQL; set both through `set_start`.
    """

    __tablename__ = "meetings"
    __table_args__ = (sa.UniqueConstraint("municipality", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality: str
    key: str  # calendars.meetings.Meeting.key: '<body>/<first planned date>'
    body_id: int = Field(foreign_key="bodies.id", index=True)
    day: dt.date = Field(index=True)
    starts_at: dt.datetime = Field(sa_type=AwareDateTime(LOCAL_ZONE))
    duration_minutes: int = 120
    place: str = ""
    status: MeetingStatus = Field(default=MeetingStatus.PLANNED, sa_type=enum_type(MeetingStatus, "meeting_status"))
    moved_from: dt.date | None = None
    # Moved or cancelled here by the secretariat: sync_profile must not undo it.
    overridden: bool = False
    # Bumped on every change people must notice (iCal SEQUENCE, RFC 5545).
    sequence: int = 0
    updated_at: dt.datetime = _timestamp(onupdate=utcnow)

    @property
    def local_time(self) -> dt.time:
        return self.starts_at.astimezone(COPENHAGEN).time()

    def set_start(self, day: dt.date, time: dt.time) -> None:
        self.day, self.starts_at = day, local_start(day, time)


class Case(SQLModel, table=True):
    """A case (sag) and where it is going. `version` guards against lost updates: an UPDATE
    from a stale copy fails with sqlalchemy.orm.exc.StaleDataError instead of overwriting."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.UniqueConstraint("municipality", "journal_number"),
        sa.CheckConstraint("(target_body_id IS NULL) = (target_date IS NULL)", name="target_complete"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality: str
    journal_number: str  # KLE, e.g. '27.00.00-G01-1-24'
    title: str
    route_key: str  # a route in the municipality's profile
    ready_date: dt.date
    target_body_id: int | None = Field(default=None, foreign_key="bodies.id")
    target_date: dt.date | None = None
    closed_item: bool = False  # "lukket punkt": treated behind closed doors (KL § 10)
    owner_name: str
    owner_email: str
    manager_name: str = ""
    manager_email: str = ""
    department: str = ""
    status: CaseStatus = Field(default=CaseStatus.OPEN, sa_type=enum_type(CaseStatus, "case_status"))
    version: int = 1
    created_at: dt.datetime = _timestamp()
    updated_at: dt.datetime = _timestamp(onupdate=utcnow)
    # When the service's wake-up flow advances the case next (its next reminder or deadline); None
    # when nothing is due or the route has ended. Written by sagsgang.cases.steps with a plain
    # UPDATE that leaves `version` and `updated_at` alone: it is the lifecycle's bookkeeping, not a
    # change of the case (migration 0007).
    wake_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime(LOCAL_ZONE), index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        # SQLModel sets __table__ when it makes the class; its type hints do not declare it.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    # These refuse bad values (a Danish ValueError). They do not normalise: SQLModel's __setattr__
    # stores the value as given after SQLAlchemy's validator ran, so what a validator returns is
    # dropped; callers strip (sagsgang.cases.launch, editing).
    @validates("journal_number")
    def _check_journal_number(self, _key: str, value: str) -> str:
        return check_journal_number(value)

    @validates("owner_email", "manager_email")
    def _check_email(self, key: str, value: str) -> str:
        return fields.email_address(value, key)

    @validates("title", "owner_name", "manager_name", "department")
    def _check_line(self, key: str, value: str) -> str:
        return fields.single_line(value, key, _LABELS[key])


_LABELS = {
    "title": "Titlen",
    "owner_name": "Sagsbehandlerens navn",
    "manager_name": "Lederens navn",
    "department": "Afdelingen",
}


class Consultation(SQLModel, table=True):
    """One body's treatment of a case in one stage of its route: a step of the plan.

    `round` counts treatments of the same case by the same body in the same stage. A decided
    row is history (the agenda's Historik) and is never replaced; after 'udsat' the re-plan adds
    the next round. Rows without a decision are the current plan and are replaced on re-planning.
    """

    __tablename__ = "consultations"
    __table_args__ = (sa.UniqueConstraint("case_id", "stage", "body_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    stage: int  # 1-based, as calendars.planner.Step.stage
    body_id: int = Field(foreign_key="bodies.id")
    round: int = 1
    meeting_id: int = Field(foreign_key="meetings.id", index=True)  # the earliest possible meeting
    deadline: dt.date
    latest_meeting_id: int = Field(foreign_key="meetings.id")
    latest_deadline: dt.date
    slack_working_days: int
    agenda_due: dt.date | None = None
    created_at: dt.datetime = _timestamp()


class Decision(SQLModel, table=True):
    """What the body decided on a consultation; at most one per consultation."""

    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultations.id", ondelete="CASCADE", unique=True)
    outcome: Outcome = Field(sa_type=enum_type(Outcome, "outcome"))
    text: str = ""
    decided_at: dt.datetime = Field(sa_type=AwareDateTime(LOCAL_ZONE))
    created_at: dt.datetime = _timestamp()


class LateAddition(SQLModel, table=True):
    """A case put on a meeting after its submission deadline ("optaget efter fristen"): a fact
    about this case, stage and meeting, with who decided and why (seed 003: Direktørforum on 19
    March 2024 sent a case to Chefforum on 20 March). The body's deadline for other cases stays."""

    __tablename__ = "late_additions"
    __table_args__ = (sa.UniqueConstraint("case_id", "stage", "body_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE", index=True)
    stage: int  # 1-based, as Consultation.stage
    body_id: int = Field(foreign_key="bodies.id")
    meeting_id: int = Field(foreign_key="meetings.id")  # follows the meeting if it is moved
    decided_by: str  # e.g. 'Direktørforum'
    reason: str = ""
    recorded_at: dt.datetime = Field(sa_type=AwareDateTime(LOCAL_ZONE))


# Every write that changes what a meeting shows logs the meeting (OParl's Meeting.modified); its
# session listeners must be registered wherever these tables are written.
import models.meeting_changes  # noqa: E402, F401
