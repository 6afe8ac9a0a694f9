"""Column types that behave the same on SQLite and Postgres."""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

import sqlalchemy as sa

UTC = dt.UTC
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def aggregate_instant(value: dt.datetime | str) -> dt.datetime:
    """An aggregate (min/max) of an AwareDateTime column: it comes back without the column type's
    conversion, as a string on SQLite and possibly naive; UTC, as stored."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AwareDateTime(sa.types.TypeDecorator):
    """An instant: stored in UTC, read back as an aware datetime in `zone`.

    Postgres keeps the instant in `timestamptz`; SQLite has no time zones and would silently drop
    the offset, so there we store naive UTC. Either way a 09:00 meeting in January and one in June
    come back as 09:00 Copenhagen time, whatever the database server's own time zone is.
    Naive datetimes are refused: their meaning would depend on the machine that wrote them.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def __init__(self, zone: str = "UTC") -> None:
        super().__init__()
        self.zone = zone

    @property
    def _tz(self) -> dt.tzinfo:
        return UTC if self.zone == "UTC" else ZoneInfo(self.zone)

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{value!r} has no time zone; give an aware datetime.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: what we stored was UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self._tz)


def enum_type(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: the member *values* (e.g. 'foreløbig') in a VARCHAR with a CHECK.

    Not a native Postgres ENUM, whose values cannot be changed inside a transaction and need
    their own migration steps; the CHECK constraint still refuses unknown values.
    """
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda members: [member.value for member in members],
        # Room for longer values later without a column change ('taget til efterretning' is 22).
        length=40,
        validate_strings=True,
    )
