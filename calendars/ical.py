"""iCalendar feeds (RFC 5545, RFC 7986) from values: Feed and FeedEvent in, UTF-8 bytes out.

Pure: no database, no clock. Every feed is built with the icalendar library's component model
(Calendar.new, Event.new, Alarm.new_display, Timezone / TimezoneStandard / TimezoneDaylight) and
serialized by its to_ical, which escapes TEXT values, writes CRLF line ends and folds lines at 75
octets without splitting a UTF-8 character. What a subscriber must be able to rely on
(DESIGN.md § 5):

- every UID is a uuid5 of the installation's namespace and the object's key, so regenerating a
  feed never changes it; it is always passed explicitly (icalendar's Event.new/Calendar.new would
  otherwise invent random ones);
- SEQUENCE and DTSTAMP come from the caller, who knows what changed and when (see
  sagsgang.publishing.feeds: the published ledger); DTSTAMP is that last change, in UTC;
- timed events carry TZID=Europe/Copenhagen with a VTIMEZONE built from the zoneinfo data for the
  years the feed covers (icalendar 7.3's Timezone.from_tzid gives the spring onset as 03:00, the
  local time after the change; RFC 5545 wants 02:00, the time before it); all-day events use
  VALUE=DATE with an exclusive DTEND;
- REFRESH-INTERVAL;VALUE=DURATION (icalendar 7.3 drops the VALUE parameter, which RFC 7986
  requires: it is added to the property's parameters here) and X-PUBLISHED-TTL (what Outlook
  reads).

Speed: icalendar needs 200–400 µs to build and serialize one event, and a municipality's feeds
together hold tens of thousands of events that are rebuilt on every change. So `render` keeps
each VEVENT's serialized bytes in a bounded cache keyed by the event's whole value (its key, hence
its UID; SEQUENCE; DTSTAMP; every field) and the namespace, and places them between the calendar's
own properties and time zone (serialized by icalendar too) and END:VCALENDAR. The bytes are the
same as `calendar(feed, namespace).to_ical()`, the whole tree serialized at once (bench/feeds.py
checks it); only events that are new or changed are built again. A fresh process (the first
request to `sagsgang serve`) pays the full cost once, unless its caller passes the VEVENT bytes
it rendered before (`known`, by the event digests of `made_of`): the static publisher reads them
back from its files, and by `made_of`'s feed digest skips a feed whose bytes would not change.
icalendar, vobject, Mozilla's ical.js and Radicale check the output in
tests/publishing/test_feeds.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText
from icalendar.enums import CLASS, STATUS, TRANSP

from calendars.danish import TIMEZONE

COPENHAGEN = ZoneInfo(TIMEZONE)
PRODID = "-//Sagsgang//Sagsgang kalender//DA"
MEDIA_TYPE = "text/calendar; charset=utf-8"
# Serialized VEVENTs kept by `render`: about 0.8 kB of bytes each, plus the FeedEvent that is its
# key (0.6 kB), so at most ~70 MB. Enough for every event of a large municipality's feeds, so a
# rebuild after a change only builds what changed.
EVENT_CACHE_SIZE = 50_000


class Status(enum.StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"  # provisional meetings (foreløbige)
    CANCELLED = "CANCELLED"  # kept in the feed, so clients remove or strike the event


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEvent:
    """One VEVENT. `start` is an aware datetime (a timed event, written in Copenhagen time) or a
    date (an all-day event). A timed event without `end` ends when it starts (a deadline); an
    all-day event without `end` lasts that one day."""

    key: str  # stable identity of the object; the UID is derived from it
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date | None = None
    status: Status = Status.CONFIRMED
    location: str = ""
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    transparent: bool = False  # deadlines do not make anyone busy
    alarm_before: dt.timedelta | None = None  # a VALARM this long before the start
    sequence: int = 0
    stamp: dt.datetime  # the last change people could see (aware)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    key: str  # stable identity of the calendar (its UID, RFC 7986)
    name: str
    events: tuple[FeedEvent, ...]
    description: str = ""
    url: str = ""  # where the feed is fetched (URL and SOURCE)
    refresh: dt.timedelta = dt.timedelta(hours=1)


def namespace_for(installation: str) -> uuid.UUID:
    """The UUID namespace of one Sagsgang installation (see sagsgang.publishing.feeds.installation)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sagsgang:{installation}")


def uid(namespace: uuid.UUID, key: str) -> str:
    return str(uuid.uuid5(namespace, key))


def fingerprints(event: FeedEvent) -> tuple[str, str]:
    """(what people notice, everything): a change in the first needs a new SEQUENCE (RFC 5545
    § 3.8.7.4: start, end, status, place, title); a change in the second only a new DTSTAMP."""
    noticed = (_when(event.start), _when(event.end), event.status, event.location, event.summary)
    rest = (event.description, event.url, event.categories, event.transparent, event.alarm_before)
    first = hashlib.sha256(repr(noticed).encode()).hexdigest()[:32]
    return first, hashlib.sha256(repr((first, rest)).encode()).hexdigest()[:32]


# --- the component tree -------------------------------------------------------------------------


def render(
    feed: Feed,
    namespace: uuid.UUID,
    known: Mapping[str, bytes] | None = None,
    digests: Sequence[str] | None = None,
) -> bytes:
    """The feed as an iCalendar stream: UTF-8, CRLF, folded. Byte for byte
    `calendar(feed, namespace).to_ical()`, with each VEVENT's bytes from the cache when that
    exact event was serialized before, or from `known` (an event's digest, `made_of`, to the
    VEVENT bytes it was rendered as: a publisher reads them back from the file it wrote).
    `digests`: the events' digests, `made_of(feed, namespace).events`, when the caller has them."""
    head = _head(feed, namespace).to_ical()
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):  # icalendar always ends a component so; anything else is a bug
        raise AssertionError(f"unexpected end of VCALENDAR: {head[-40:]!r}")
    if known:
        events = made_of(feed, namespace).events if digests is None else digests
        blocks = [
            known.get(digest) or _serialized(event, namespace)
            for event, digest in zip(feed.events, events, strict=True)
        ]
    else:
        blocks = [_serialized(event, namespace) for event in feed.events]
    return b"".join([head[: -len(end)], *blocks, end])


@dataclass(frozen=True, slots=True)
class Made:
    """What `render` makes a feed's bytes of: the same `digest` means the same bytes, the same
    event digest the same VEVENT bytes. Covered: the calendar's own fields, its VTIMEZONE as
    serialized (so also the time zone data), the namespace, every event's whole value, and the
    code that renders (this module's source and icalendar's version)."""

    digest: str
    events: tuple[str, ...]  # one per event, in the feed's order


def made_of(feed: Feed, namespace: uuid.UUID) -> Made:
    """The feed's digests. They serialize no event and no calendar, so they cost a small part of
    `render` in a fresh process, whose event cache is empty."""
    code = hashlib.sha256(_renderer())
    code.update(str(namespace).encode())
    events = []
    for event in feed.events:
        one = code.copy()
        one.update(repr(event).encode())
        events.append(one.hexdigest()[:24])
    made = code.copy()
    made.update(repr(replace(feed, events=())).encode())
    years = _years(feed)
    if years:
        made.update(_zone_bytes(min(years), max(years)))
    made.update(" ".join(events).encode())
    return Made(made.hexdigest()[:32], tuple(events))


def vevents(body: bytes) -> list[bytes]:
    """The VEVENT blocks of a feed `render` made, in order, each as its bytes in the feed."""
    return _VEVENT.findall(body)


# A VEVENT starts on a line of its own; a value never holds a line break (TEXT escapes it, folding
# starts the next line with a space), and its VALARM ends with END:VALARM.
_VEVENT = re.compile(rb"(?<=\n)BEGIN:VEVENT\r\n.*?\r\nEND:VEVENT\r\n", re.DOTALL)


@lru_cache(maxsize=64)
def _zone_bytes(first_year: int, last_year: int) -> bytes:
    return vtimezone(first_year, last_year).to_ical()


@lru_cache(maxsize=1)
def _renderer() -> bytes:
    """This module's source and icalendar's version: a new version of either may render differently."""
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + version("icalendar").encode()).digest()


def calendar(feed: Feed, namespace: uuid.UUID) -> Calendar:
    """The whole feed as one icalendar Calendar (VTIMEZONE and every VEVENT), nothing cached."""
    tree = _head(feed, namespace)
    for event in feed.events:
        tree.add_component(vevent(event, namespace))
    return tree


def _head(feed: Feed, namespace: uuid.UUID) -> Calendar:
    """The VCALENDAR's properties, and its VTIMEZONE when it has timed events."""
    tree = Calendar.new(
        uid=uid(namespace, "feed/" + feed.key),
        prodid=PRODID,
        version="2.0",
        calscale="GREGORIAN",
        method="PUBLISH",
        url=feed.url or None,
        source=feed.url or None,
        refresh_interval=feed.refresh,
    )
    # Calendar.new(name=…, description=…) would store NAME, X-WR-CALNAME and X-WR-CALDESC as
    # vUnknown, written without TEXT escaping (icalendar 7.3): a comma, semicolon or line break in a
    # case title would go out raw. As vText they are escaped like every other TEXT value.
    names = ("NAME", "X-WR-CALNAME") + (("DESCRIPTION", "X-WR-CALDESC") if feed.description else ())
    for name in names:
        tree.add(name, vText(_text(feed.description if "DESC" in name else feed.name)))
    tree["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 § 5.7 requires it
    if feed.url:
        tree["SOURCE"].params["VALUE"] = "URI"  # as in RFC 7986 § 5.8's example
    tree.add("X-PUBLISHED-TTL", vDuration(feed.refresh))
    tree.add("X-WR-TIMEZONE", TIMEZONE)
    years = _years(feed)
    if years:
        tree.add_component(vtimezone(min(years), max(years)))
    return tree


def _years(feed: Feed) -> set[int]:
    """The years of the feed's timed events: its VTIMEZONE covers them."""
    return {
        moment.year
        for event in feed.events
        if not event.all_day
        for moment in (event.start, event.end)
        if moment is not None
    }


def vevent(event: FeedEvent, namespace: uuid.UUID) -> Event:
    """One event as an icalendar Event, with its VALARM."""
    stamp = _utc(event.stamp)
    start: dt.date
    end: dt.date | None
    if event.all_day:
        start = event.start
        end = event.end if event.end is not None and event.end > start else start + dt.timedelta(days=1)
    else:
        assert isinstance(event.start, dt.datetime), "a timed event starts at a time"
        start = _local(event.start)
        end = _local(event.end) if isinstance(event.end, dt.datetime) and event.end > event.start else None
    alarms = []
    # A cancelled event must not ring (RFC 5545 leaves it to the client; Thunderbird would).
    if event.alarm_before is not None and event.status != Status.CANCELLED:
        alarms.append(Alarm.new_display(description=_text(event.summary), trigger=-event.alarm_before))
    return Event.new(
        uid=uid(namespace, event.key),
        stamp=stamp,
        last_modified=stamp,
        sequence=event.sequence,
        start=start,
        end=end,
        summary=_text(event.summary),
        location=_text(event.location) or None,
        description=_text(event.description) or None,
        url=event.url or None,
        categories=tuple(_text(category) for category in event.categories),  # [] would write CATEGORIES:
        status=STATUS(str(event.status)),
        transparency=TRANSP.TRANSPARENT if event.transparent else TRANSP.OPAQUE,
        classification=CLASS.PUBLIC,
        subcomponents=alarms,
    )


@lru_cache(maxsize=EVENT_CACHE_SIZE)
def _serialized(event: FeedEvent, namespace: uuid.UUID) -> bytes:
    # FeedEvent is frozen, so its value (key, sequence, stamp, every field) is the cache key.
    return vevent(event, namespace).to_ical()


def clear_cache() -> None:
    """Forget every serialized VEVENT (for benchmarks; never needed for correctness)."""
    _serialized.cache_clear()


def vtimezone(first_year: int, last_year: int) -> Timezone:
    """Europe/Copenhagen from the zoneinfo data: the offset on 1 January of `first_year`, then
    every transition up to the end of `last_year`, each with its onset in the local time before
    it (RFC 5545 § 3.6.5: 02:00 for the spring change, 03:00 for the autumn one)."""
    zone = Timezone()
    zone.add("TZID", TIMEZONE)
    for daylight, onset, name, before, after in _zone_parts(first_year, last_year):
        part = TimezoneDaylight() if daylight else TimezoneStandard()
        part.add("DTSTART", onset)
        part.add("TZNAME", name)
        part.add("TZOFFSETFROM", before)
        part.add("TZOFFSETTO", after)
        zone.add_component(part)
    return zone


@lru_cache(maxsize=64)
def _zone_parts(
    first_year: int, last_year: int
) -> tuple[tuple[bool, dt.datetime, str, dt.timedelta, dt.timedelta], ...]:
    """(daylight?, local onset, TZNAME, TZOFFSETFROM, TZOFFSETTO) of each STANDARD/DAYLIGHT part."""
    start = dt.datetime(first_year, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.UTC)

    def part(at_utc: dt.datetime, before: dt.timedelta, after: dt.datetime):
        return (bool(after.dst()), (at_utc + before).replace(tzinfo=None), after.tzname(), before, after.utcoffset())

    first = start.astimezone(COPENHAGEN)
    offset = first.utcoffset()
    assert offset is not None  # Copenhagen time always has an offset
    parts = [part(start, offset, first)]
    for at in _transitions(start, end):
        before = (at - dt.timedelta(seconds=1)).astimezone(COPENHAGEN).utcoffset()
        assert before is not None  # Copenhagen time always has an offset
        parts.append(part(at, before, at.astimezone(COPENHAGEN)))
    return tuple(parts)


def _transitions(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC instants in [start, end) where Copenhagen's offset changes, to the second."""
    found, day = [], start
    while day < end:
        following = day + dt.timedelta(days=1)
        if day.astimezone(COPENHAGEN).utcoffset() != following.astimezone(COPENHAGEN).utcoffset():
            low, high = day, following  # offset(low) differs from offset(high): bisect
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(COPENHAGEN).utcoffset() == low.astimezone(COPENHAGEN).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        day = following
    return found


# --- values -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT (RFC 5545 § 3.3.11)


def _text(text: str) -> str:
    """A TEXT value before icalendar escapes it: line breaks as \\n, control characters gone."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; DTSTAMP needs an instant.")
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; a timed event needs an instant.")
    return moment.astimezone(COPENHAGEN).replace(microsecond=0)


def _when(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return _utc(moment).strftime("%Y%m%dT%H%M%SZ")
    return moment.isoformat()


def sorted_events(events: Iterable[FeedEvent]) -> tuple[FeedEvent, ...]:
    """Events in time order (all-day events at the start of their day), then by key."""

    def moment(event: FeedEvent) -> tuple[str, str]:
        start = event.start
        if isinstance(start, dt.datetime):
            return start.astimezone(COPENHAGEN).strftime("%Y%m%dT%H%M%S"), event.key
        return f"{start:%Y%m%d}T000000", event.key

    return tuple(sorted(events, key=moment))
