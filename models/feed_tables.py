"""Calendar feeds: personal feed tokens, and what each feed last published.

A token is shown to its owner once and stored only as its SHA-256 hash; a revoked token stays
as a row (who had access, until when) but no longer opens anything.

The published ledger remembers, per event (and audience) and per feed, a fingerprint of what
subscribers last saw, with its SEQUENCE and the time of that change: the source of iCalendar's
SEQUENCE and DTSTAMP for events whose rows keep no such counter (a case's deadlines move when
the case is re-planned), and of HTTP Last-Modified.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt

from sqlmodel import Field, SQLModel

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
from models.types import AwareDateTime, utcnow


class FeedToken(SQLModel, table=True):
    """A personal feed subscription: the cases a person owns or manages, optionally of one department."""

    __tablename__ = "feed_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)  # sha256 hex of the token; never the token
    email: str = Field(index=True)
    department: str = ""  # only cases of this department; empty: all of the person's cases
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime())
    revoked_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime())

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PublishedEntry(SQLModel, table=True):
    """What subscribers last saw of one event in one audience ('offentlig:<key>') or one feed ('feed:<path>')."""

    __tablename__ = "published_entries"

    key: str = Field(primary_key=True)
    fingerprint: str
    sequence: int = 0
    changed_at: dt.datetime = Field(sa_type=AwareDateTime())
