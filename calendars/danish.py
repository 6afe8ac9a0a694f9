"""Danish dates for people: formatting through pendulum's "da" locale, parsing of typed dates.

Month and weekday names come from the locale data, never from lists of our own.
"""

from __future__ import annotations

import datetime as dt
import re

import pendulum
from pendulum.locales.locale import Locale

TIMEZONE = "Europe/Copenhagen"
_LOCALE = Locale.load("da")

# pendulum numbers weekdays from Monday = 0, like datetime.date.weekday().
WEEKDAYS: dict[int, str] = dict(_LOCALE.get("translations.days.wide"))
WEEKDAY_NUMBERS: dict[str, int] = {name: number for number, name in WEEKDAYS.items()}


def _pdate(day: dt.date) -> pendulum.Date:
    return pendulum.Date(day.year, day.month, day.day)


def long_date(day: dt.date) -> str:
    """'torsdag 12. februar 2015' — the form a kommissorium's timetable uses."""
    return _pdate(day).format("dddd D. MMMM YYYY", locale="da")


def short_date(day: dt.date) -> str:
    """'12. februar 2015'."""
    return _pdate(day).format("D. MMMM YYYY", locale="da")


def clock_time(time: dt.time) -> str:
    """'kl. 09:00'."""
    return f"kl. {time:%H:%M}"


def local_datetime(day: dt.date, time: dt.time) -> pendulum.DateTime:
    """A wall-clock time in Copenhagen as an aware datetime (summer or winter time as it falls)."""
    return pendulum.datetime(day.year, day.month, day.day, time.hour, time.minute, tz=TIMEZONE)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DANISH = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")


class DateFormatError(ValueError):
    """A typed date we cannot read; the message says which forms we accept."""


def parse_date(text: str) -> dt.date:
    """Read a date typed as ISO (2025-06-24) or the Danish way (24-06-2025, 24.06.2025, 24/6/2025)."""
    cleaned = text.strip()
    if match := _ISO.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DANISH.match(cleaned):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise DateFormatError(
            f"'{text}' er ikke en dato, vi kan læse. Skriv den som dd-mm-åååå (fx 24-06-2025) "
            "eller åååå-mm-dd (fx 2025-06-24)."
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateFormatError(f"'{text}' findes ikke i kalenderen. Tjek dag og måned (dd-mm-åååå).") from None


_TIME = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})$")


def parse_time(text: str) -> dt.time:
    """Read a time of day: '09:00', '9.00' or 'kl. 9:00'."""
    if match := _TIME.match(text.strip()):
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise DateFormatError(f"'{text}' er ikke et klokkeslæt. Skriv det som tt:mm, fx 09:00.")
