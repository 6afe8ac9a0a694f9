"""The published ledger: SEQUENCE and DTSTAMP as subscribers must see them.

Each time a feed is built, every event is compared with what subscribers last saw of it
(models.feed_tables.PublishedEntry); a change people notice (time, place, status, title) bumps its
SEQUENCE, any change its DTSTAMP; the feed's own row gives its HTTP Last-Modified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from calendars import ical
from calendars.clock import Clock
from calendars.milestones import Audience
from models.db import session_scope
from models.feed_tables import PublishedEntry
from models.types import UTC

FEED_ROWS = "feed:"  # the prefix of a feed's own row (its Last-Modified), before the feed's path


class Ledger:
    """What subscribers last saw, per event and audience and per feed (models.feed_tables.PublishedEntry).

    Rows are read and written as plain values in bulk: a person's feed can hold thousands of
    events, and ORM objects for each would cost more than building the feed.

    Rows are read through `session`; what changed is kept here until `save()` writes it, into
    `session` or a transaction of the caller's. So a publisher can build its feeds in a transaction
    that only reads, and take SQLite's write lock only for the moment each feed's rows are written
    (sagsgang.publishing.feed_files.publish)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session, self.clock = session, clock
        self._rows: dict[str, tuple[str, int, dt.datetime]] = {}  # key -> (fingerprint, sequence, changed_at)
        self._now: dt.datetime | None = None
        self._new: list[dict] = []
        self._changed: list[dict] = []
        self._complete: tuple[str, ...] = ()  # key prefixes read whole (load_all)

    @property
    def unsaved(self) -> bool:
        return bool(self._new or self._changed)

    def save(self, session: Session | None = None) -> None:
        """Write the rows changed since the last save, into `session` (default: the reading one)."""
        writing = session or self.session
        if self._new:
            writing.execute(sa.insert(PublishedEntry), self._new)
        if self._changed:
            writing.execute(sa.update(PublishedEntry), self._changed)
        self._new, self._changed = [], []

    def save_apart(self, engine: Engine) -> None:
        """`save()` in a short write transaction of its own, when anything changed: the feeds are
        built in one that only reads (on SQLite it then holds no write lock meanwhile)."""
        if self.unsaved:
            with session_scope(engine) as writing:
                self.save(writing)

    @property
    def now(self) -> dt.datetime:
        if self._now is None:  # one instant per run: everything changed together is stamped alike
            self._now = self.clock.now().astimezone(UTC)
        return self._now

    def load_all(self, audience: Audience) -> None:
        """Read every row of the audience's events and every feed's own row, in one query: a
        publisher that stamps nearly all of them (every public feed) spends less so than with a
        query per feed. A key of those kinds that is not read now is new."""
        prefixes = (f"{audience}:", FEED_ROWS)
        table = PublishedEntry.__table__  # type: ignore[attr-defined]  # set by SQLModel, not in its stubs
        query = sa.select(table.c.key, table.c.fingerprint, table.c.sequence, table.c.changed_at).where(
            sa.or_(*(table.c.key.startswith(prefix, autoescape=True) for prefix in prefixes))
        )
        for key, fingerprint, sequence, changed_at in self.session.execute(query):
            self._rows.setdefault(key, (fingerprint, sequence, changed_at))
        self._complete += prefixes

    def _load(self, keys: Iterable[str]) -> None:
        missing = [key for key in dict.fromkeys(keys) if key not in self._rows and not key.startswith(self._complete)]
        table = PublishedEntry.__table__  # type: ignore[attr-defined]  # set by SQLModel, not in its stubs
        for start in range(0, len(missing), 900):  # below SQLite's oldest limit of 999 parameters
            chunk = missing[start : start + 900]
            query = sa.select(table.c.key, table.c.fingerprint, table.c.sequence, table.c.changed_at).where(
                table.c.key.in_(chunk)
            )
            for key, fingerprint, sequence, changed_at in self.session.execute(query):
                self._rows[key] = (fingerprint, sequence, changed_at)

    def _save(self, new: list[dict], changed: list[dict]) -> None:
        self._new += new
        self._changed += changed

    def stamp(self, events: Sequence[ical.FeedEvent], audience: Audience) -> list[ical.FeedEvent]:
        """The events with the SEQUENCE and DTSTAMP their subscribers must see. An event's own
        `sequence` is a floor (a meeting's counter); its `stamp` is its source's last change."""
        keys = [f"{audience}:{event.key}" for event in events]
        self._load(keys)
        stamped, new, changed = [], [], []
        for key, event in zip(keys, events):
            noticed, everything = ical.fingerprints(event)
            fingerprint = f"{noticed}:{everything}"
            known = self._rows.get(key)
            if known is None:
                sequence, changed_at = event.sequence, event.stamp
                new.append({"key": key, "fingerprint": fingerprint, "sequence": sequence, "changed_at": changed_at})
            else:
                old_fingerprint, sequence, changed_at = known
                if old_fingerprint != fingerprint or event.sequence > sequence:
                    if old_fingerprint.partition(":")[0] != noticed:
                        sequence += 1
                    if old_fingerprint != fingerprint:
                        changed_at = event.stamp if event.stamp > changed_at else max(self.now, changed_at)
                    sequence = max(sequence, event.sequence)
                    changed.append(
                        {"key": key, "fingerprint": fingerprint, "sequence": sequence, "changed_at": changed_at}
                    )
            self._rows[key] = (fingerprint, sequence, changed_at)
            stamped.append(replace(event, sequence=sequence, stamp=changed_at))
        self._save(new, changed)
        return stamped

    def feed_changed(self, key: str, fingerprint: str, newest: dt.datetime | None) -> dt.datetime:
        """When the feed's content last changed (HTTP Last-Modified): also when an event left it."""
        self._load([key])
        known = self._rows.get(key)
        if known is None:
            changed_at = newest or self.now
            self._save([{"key": key, "fingerprint": fingerprint, "sequence": 0, "changed_at": changed_at}], [])
            self._rows[key] = (fingerprint, 0, changed_at)
        elif known[0] != fingerprint:
            changed_at = max(self.now, known[2], newest or self.now)
            self._save(
                [], [{"key": key, "fingerprint": fingerprint, "sequence": known[1] + 1, "changed_at": changed_at}]
            )
            self._rows[key] = (fingerprint, known[1] + 1, changed_at)
        return self._rows[key][2]
