"""iCalendar feeds (RFC 5545, RFC 7986) from values: Feed and FeedEvent in, UTF-8 bytes out.

Pure: no database, no clock. What a subscriber must be able to rely on (DESIGN.md § 5):

- every UID is a uuid5 of the installation's namespace and the object's key, so regenerating a
  feed never changes it (icalendar's Event.new/Calendar.new would invent random ones);
- SEQUENCE and DTSTAMP come from the caller, who knows what changed and when (see
  sagsgang.feeds: the published ledger); DTSTAMP is that last change, in UTC;
- timed events carry TZID=Europe/Copenhagen with a VTIMEZONE built from the zoneinfo data for the
  years the feed covers (icalendar 7.3's Timezone.from_tzid gives the spring onset as 03:00, the
  local time after the change; RFC 5545 wants 02:00, the time before it); all-day events use VALUE=DATE with an exclusive DTEND;
- REFRESH-INTERVAL;VALUE=DURATION (icalendar 7.3 drops the VALUE parameter, which RFC 7986
  requires) and X-PUBLISHED-TTL (what Outlook reads);
- CRLF line ends, lines folded at 75 octets without splitting a UTF-8 character.

The content lines are written here rather than through icalendar's component tree: icalendar
needs 200–400 µs per event (bench/feeds.py), ~20× what this takes, and a municipality's
feeds together hold tens of thousands of events that are rebuilt on every change. icalendar,
vobject, Mozilla's ical.js and Radicale check the output in tests/test_feeds.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from calendars.danish import TIMEZONE

COPENHAGEN = ZoneInfo(TIMEZONE)
PRODID = "-//Sagsgang//Sagsgang kalender//DA"
MEDIA_TYPE = "text/calendar; charset=utf-8"


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
    """The UUID namespace of one Sagsgang installation (see sagsgang.feeds.installation)."""
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


def render(feed: Feed, namespace: uuid.UUID) -> bytes:
    """The feed as an iCalendar stream: UTF-8, CRLF, folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"UID:{uid(namespace, 'feed/' + feed.key)}",
        f"NAME:{escape(feed.name)}",
        f"X-WR-CALNAME:{escape(feed.name)}",
    ]
    if feed.description:
        lines += [f"DESCRIPTION:{escape(feed.description)}", f"X-WR-CALDESC:{escape(feed.description)}"]
    lines.append(f"X-WR-TIMEZONE:{TIMEZONE}")
    if feed.url:
        lines += [f"URL:{feed.url}", f"SOURCE;VALUE=URI:{feed.url}"]
    refresh = duration(feed.refresh)
    lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}"]
    years = {moment.year for event in feed.events if not event.all_day
             for moment in (event.start, event.end) if moment is not None}
    head = "".join(fold(line) for line in lines)
    timezone = _vtimezone(min(years), max(years)) if years else ""
    body = "".join(_event(event, namespace) for event in feed.events)
    return (head + timezone + body + "END:VCALENDAR\r\n").encode("utf-8")


def _event(event: FeedEvent, namespace: uuid.UUID) -> str:
    event_uid = uid(namespace, event.key)
    stamp = _utc(event.stamp)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{event.sequence}",
    ]
    if event.all_day:
        end = event.end or event.start + dt.timedelta(days=1)
        lines += [f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
    else:
        lines.append(f"DTSTART;TZID={TIMEZONE}:{_local(event.start)}")
        if event.end is not None and event.end > event.start:
            lines.append(f"DTEND;TZID={TIMEZONE}:{_local(event.end)}")
    lines.append(f"SUMMARY:{escape(event.summary)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape(category) for category in event.categories))
    lines += [
        f"STATUS:{event.status}",
        f"TRANSP:{'TRANSPARENT' if event.transparent else 'OPAQUE'}",
        "CLASS:PUBLIC",
    ]
    # A cancelled event must not ring (RFC 5545 leaves it to the client; Thunderbird would).
    if event.alarm_before is not None and event.status is not Status.CANCELLED:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape(event.summary)}",
            f"TRIGGER:{duration(-event.alarm_before)}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return "".join(fold(line) for line in lines)


# --- value formats ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT (RFC 5545 § 3.3.11)


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped, control characters gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,"))
    return text.replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line, folded at 75 octets (RFC 5545 § 3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"


def duration(delta: dt.timedelta) -> str:
    """A DURATION value: PT1H, P1D, -PT15H, -P1DT12H."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    if not days and not time:
        return "PT0S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + time if time else ''}"


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; DTSTAMP needs an instant.")
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; a timed event needs an instant.")
    return moment.astimezone(COPENHAGEN).strftime("%Y%m%dT%H%M%S")


def _when(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    return _utc(moment) if isinstance(moment, dt.datetime) else moment.isoformat()


@lru_cache(maxsize=64)
def _vtimezone(first_year: int, last_year: int) -> str:
    """Europe/Copenhagen from the zoneinfo data: the offset on 1 January of `first_year`, then
    every transition up to the end of `last_year`, each with its onset in the local time before
    it (RFC 5545 § 3.6.5: 02:00 for the spring change, 03:00 for the autumn one)."""
    start = dt.datetime(first_year, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.timezone.utc)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=COPENHAGEN).astimezone(dt.timezone.utc)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{TIMEZONE}"]

    def part(at_utc: dt.datetime, before: dt.timedelta, after: dt.datetime) -> list[str]:
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        return [f"BEGIN:{kind}", f"DTSTART:{(at_utc + before).replace(tzinfo=None):%Y%m%dT%H%M%S}",
                f"TZNAME:{after.tzname()}", f"TZOFFSETFROM:{_offset(before)}",
                f"TZOFFSETTO:{_offset(after.utcoffset())}", f"END:{kind}"]

    first = start.astimezone(COPENHAGEN)
    lines += part(start, first.utcoffset(), first)
    for at in _transitions(start, end):
        before = (at - dt.timedelta(seconds=1)).astimezone(COPENHAGEN).utcoffset()
        lines += part(at, before, at.astimezone(COPENHAGEN))
    lines.append("END:VTIMEZONE")
    return "".join(fold(line) for line in lines)


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


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def sorted_events(events: Iterable[FeedEvent]) -> tuple[FeedEvent, ...]:
    """Events in time order (all-day events at the start of their day), then by key."""
    def moment(event: FeedEvent) -> tuple[str, str]:
        start = event.start
        if isinstance(start, dt.datetime):
            return start.astimezone(COPENHAGEN).strftime("%Y%m%dT%H%M%S"), event.key
        return f"{start:%Y%m%d}T000000", event.key
    return tuple(sorted(events, key=moment))
