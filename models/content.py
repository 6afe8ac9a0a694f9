"""Case content for agendas and minutes: texts, indstilling points, attachments (bilag), and what
the secretariat records for a meeting's standing items.

A case carries one set of texts (CaseContent, one-to-one with cases); the secretariat updates it
between stages, as the texts in the seed minutes change from Direktørforum to Chefforum. The
decision on each item is models.tables.Decision.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import validates
from sqlmodel import Field, SQLModel

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
from models.errors import Invalid
from models.tables import check_journal_number
from models.types import AwareDateTime, enum_type, utcnow

# The longest slot on an agenda we accept: a whole day's meeting.
MAX_SLOT_MINUTES = 8 * 60


class ItemKind(enum.StrEnum):
    """What the body is asked to do with an agenda item."""

    DECISION = "beslutning"
    DISCUSSION = "drøftelse"
    ORIENTATION = "orientering"


def check_slot(minutes: int | None) -> int | None:
    if minutes is not None and not (isinstance(minutes, int) and 0 < minutes <= MAX_SLOT_MINUTES):
        raise Invalid(
            f"Tidsrammen {minutes!r} er ikke et antal minutter mellem 1 og {MAX_SLOT_MINUTES}. "
            "Skriv fx 20 for (20 min.).",
            "slot_minutes",
        )
    return minutes


class CaseContent(SQLModel, table=True):
    """The texts a secretariat writes for a case's agenda item."""

    __tablename__ = "case_contents"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE", unique=True)
    kind: ItemKind = Field(default=ItemKind.DECISION, sa_type=enum_type(ItemKind, "item_kind"))
    slot_minutes: int | None = None  # "Anledning (20 min.)"
    occasion: str = ""  # Anledning
    presentation: str = ""  # Sagsfremstilling
    recommender: str = ""  # who recommends: "Kommunaldirektøren" (indstiller, 1. at …)
    economy: str = ""  # Økonomi
    legal_basis: str = ""  # Lovgrundlag
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=AwareDateTime(), sa_column_kwargs={"onupdate": utcnow}
    )

    @validates("slot_minutes")
    def _check_slot(self, _key: str, value: int | None) -> int | None:
        return check_slot(value)


class RecommendationPoint(SQLModel, table=True):
    """One numbered point of a case's Indstilling: "1. at Chefforum tager orienteringen til efterretning"."""

    __tablename__ = "recommendation_points"
    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    number: int  # 1-based, as printed
    text: str


class Attachment(SQLModel, table=True):
    """A bilag: its title as printed, and the file where one is given (a path or an address)."""

    __tablename__ = "attachments"
    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", ondelete="CASCADE")
    number: int  # 1-based: "bilag 1"
    title: str
    file: str = ""


class MeetingNotes(SQLModel, table=True):
    """What the secretariat records for a meeting beyond the cases: the standing items' journal
    number and their decisions (Godkendelse af dagsorden og referat; Eventuelt)."""

    __tablename__ = "meeting_notes"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", ondelete="CASCADE", unique=True)
    journal_number: str = ""  # KLE; empty when the municipality gives standing items none
    approval_decision: str = ""
    other_business_decision: str = ""  # Eventuelt

    @validates("journal_number")
    def _check_journal_number(self, _key: str, value: str) -> str:
        return check_journal_number(value) if value else value
