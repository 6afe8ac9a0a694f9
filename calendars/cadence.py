"""Meeting cadences written the way a secretariat says them.

    hver onsdag kl. 09:00
    hver 2. onsdag kl. 09:00 fra 2025-01-08
    3. torsdag i måneden kl. 16:00
    sidste mandag i måneden kl. 18:00
    mandag i ugen før byraadet kl. 16:00

The time of day ("kl. …") is optional in the text; the body's own `time` is used otherwise.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from calendars.danish import WEEKDAY_NUMBERS, DateFormatError, parse_date, parse_time
from calendars.workdays import CalendarRangeError, within_range

MAX_WEEKS = 52  # "hver 52. onsdag" meets once a year; more is a typo

CADENCE_FORMS = (
    "'hver onsdag kl. 09:00', 'hver 2. onsdag kl. 09:00 fra 2025-01-08', "
    "'3. torsdag i måneden kl. 16:00', 'sidste mandag i måneden kl. 18:00' "
    "eller 'mandag i ugen før <organ> kl. 16:00'"
)


class CadenceError(ValueError):
    """A cadence text we cannot read."""


@dataclass(frozen=True)
class Weekly:
    weekday: int
    every: int = 1
    anchor: dt.date | None = None  # a meeting day when `every` > 1

    def days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        anchor = self.anchor or start
        first = anchor + dt.timedelta(days=(self.weekday - anchor.weekday()) % 7)
        step = 7 * self.every
        if first < start:
            first += dt.timedelta(days=-(-(start - first).days // step) * step)
        day = first
        while day <= end:
            yield day
            day += dt.timedelta(days=step)


@dataclass(frozen=True)
class MonthlyNth:
    weekday: int
    nth: int  # 1..5, or -1 for the last in the month

    def days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        year, month = start.year, start.month
        while dt.date(year, month, 1) <= end:
            weeks = _stdlib_calendar.monthcalendar(year, month)
            matches = [week[self.weekday] for week in weeks if week[self.weekday]]
            if self.nth == -1 or self.nth <= len(matches):
                day = dt.date(year, month, matches[-1 if self.nth == -1 else self.nth - 1])
                if start <= day <= end:
                    yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class WeekBefore:
    """A weekday in the week before (or `weeks` weeks before) another body's meetings."""

    weekday: int
    other_body: str
    weeks: int = 1

    def day_for(self, other_meeting: dt.date) -> dt.date:
        monday = other_meeting - dt.timedelta(days=other_meeting.weekday() + 7 * self.weeks)
        return monday + dt.timedelta(days=self.weekday)


Cadence = Weekly | MonthlyNth | WeekBefore


@dataclass(frozen=True)
class ParsedCadence:
    rule: Cadence
    time: dt.time | None


_WEEKDAY = "(" + "|".join(WEEKDAY_NUMBERS) + ")"
_TIME = r"(?:\s+kl\.?\s*(\d{1,2}[:.]\d{2}))?"
_WEEKLY = re.compile(rf"^hver(?:\s+(\d{{1,4}})\.)?\s+{_WEEKDAY}{_TIME}(?:\s+fra\s+(\S+))?$")
_MONTHLY = re.compile(rf"^(?:(\d)\.|(sidste))\s+{_WEEKDAY}\s+i\s+måneden{_TIME}$")
_BEFORE = re.compile(rf"^{_WEEKDAY}\s+(?:i\s+ugen|(\d{{1,4}})\s+uger)\s+før\s+([\w-]+){_TIME}$")


def parse_cadence(text: str) -> ParsedCadence:
    """Read a cadence; raises CadenceError naming the accepted forms."""
    cleaned = " ".join(text.lower().split())
    try:
        if match := _WEEKLY.match(cleaned):
            every, weekday, time, anchor = match.groups()
            every_n = int(every or 1)
            if every_n < 1:
                raise CadenceError(f"'{text}': hver 0. uge giver ingen møder.")
            if every_n > MAX_WEEKS:
                raise CadenceError(f"'{text}': højst hver {MAX_WEEKS}. uge (én gang om året).")
            if every_n > 1 and not anchor:
                raise CadenceError(
                    f"'{text}': med 'hver {every_n}. {weekday}' skal der stå hvilken dato "
                    f"rækken starter, fx 'hver {every_n}. {weekday} fra 2025-01-08'."
                )
            start = within_range(parse_date(anchor), iso=True) if anchor else None
            rule: Cadence = Weekly(WEEKDAY_NUMBERS[weekday], every_n, start)
        elif match := _MONTHLY.match(cleaned):
            nth, last, weekday, time = match.groups()
            if nth and not 1 <= int(nth) <= 5:
                raise CadenceError(f"'{text}': en måned har højst fem af hver ugedag.")
            rule = MonthlyNth(WEEKDAY_NUMBERS[weekday], -1 if last else int(nth))
        elif match := _BEFORE.match(cleaned):
            weekday, weeks, other, time = match.groups()
            if weeks and not 1 <= int(weeks) <= MAX_WEEKS:
                raise CadenceError(f"'{text}': angiv 1 til {MAX_WEEKS} uger før.")
            rule = WeekBefore(WEEKDAY_NUMBERS[weekday], other, int(weeks or 1))
        else:
            raise CadenceError(f"'{text}' er ikke en mødekadence, vi kan læse. Skriv fx {CADENCE_FORMS}.")
        return ParsedCadence(rule, parse_time(time) if time else None)
    except (DateFormatError, CalendarRangeError) as error:
        raise CadenceError(f"'{text}': {error}") from None
