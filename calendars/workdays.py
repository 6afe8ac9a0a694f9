"""The municipal calendar: which days are working days, and counting in working days.

One object per municipality holds the statutory holidays (python-holidays' Denmark, Danish names,
read from its generated table: calendars.holiday_table),
the municipality's closing days, its recesses (periods without ordinary meetings) and its week
mask. Working-day arithmetic runs on a precomputed index of the working days in the calendar's
years, so every operation is a couple of list look-ups; the planner works on those positions
directly (see `position` and `day_at`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, compress

from calendars import holiday_table

FIRST_YEAR = holiday_table.FIRST_YEAR  # the years the holiday table covers
LAST_YEAR = holiday_table.LAST_YEAR
WEEKDAYS_ONLY = "1111100"  # Monday .. Sunday
WITH_SATURDAY = "1111110"  # "hverdage (inklusive lørdag)"


class CalendarRangeError(ValueError):
    """A date outside the years a calendar was built for."""


def within_range(day: dt.date, label: str = "Datoen", iso: bool = False) -> dt.date:
    """`day` if Sagsgang's calendars cover its year (FIRST_YEAR–LAST_YEAR), else CalendarRangeError
    naming the range: every date a user types or writes in a file is checked here before anything
    is planned on it. `iso`: show the date as written in a file (2027-01-26), else as typed (26-01-2027)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        shown = day.isoformat() if iso else f"{day.day:02d}-{day.month:02d}-{day.year:04d}"
        raise CalendarRangeError(
            f"{label} {shown} ligger uden for de år, Sagsgang kan regne i ({FIRST_YEAR}–{LAST_YEAR}). Tjek årstallet."
        )
    return day


@dataclass(frozen=True)
class ClosingDays:
    """Days a town hall is closed on top of the statutory holidays."""

    # every year on this (month, day), e.g. (12, 24): "Juleaftensdag"
    fixed: Mapping[tuple[int, int], str] = field(default_factory=dict)
    # names from python-holidays' `optional` category for Denmark, e.g. "Grundlovsdag"
    optional: tuple[str, ...] = ()
    # the day after a named statutory holiday, e.g. "Kristi himmelfartsdag"
    day_after: tuple[str, ...] = ()
    # one-off dates
    dates: Mapping[dt.date, str] = field(default_factory=dict)
    # working days the town hall closes early, by python-holidays name (any category) and the
    # closing hour, e.g. {"Grundlovsdag": 12:00} (KL: Grundlovsdag and 1 May close at 12)
    early: Mapping[str, dt.time] = field(default_factory=dict)


@dataclass(frozen=True)
class Recess:
    """A period without ordinary meetings (July, vinterferie, efterårsferie, Christmas).

    Either ISO weeks (every year) or a span: (month, day) pairs every year, possibly wrapping
    the new year, or one-off dates.
    """

    name: str
    weeks: tuple[int, ...] = ()
    start: tuple[int, int] | dt.date | None = None
    end: tuple[int, int] | dt.date | None = None

    def spans(self, year: int) -> list[tuple[dt.date, dt.date]]:
        """The inclusive date spans this recess covers that start in `year`."""
        if self.weeks:
            return [
                (dt.date.fromisocalendar(year, week, 1), dt.date.fromisocalendar(year, week, 7))
                for week in self.weeks
                if week <= dt.date(year, 12, 28).isocalendar().week
            ]
        if isinstance(self.start, dt.date) and isinstance(self.end, dt.date):
            return [(self.start, self.end)] if self.start.year == year else []
        (start_month, start_day), (end_month, end_day) = self.start, self.end  # type: ignore[misc]
        start = _month_day(year, start_month, start_day)
        wraps = (end_month, end_day) < (start_month, start_day)
        end = _month_day(year + 1 if wraps else year, end_month, end_day)
        return [(start, end)]


def _month_day(year: int, month: int, day: int) -> dt.date:
    # 29 February in a common year means the last day of February.
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return dt.date(year, month, day)


@dataclass(frozen=True)
class DayOff:
    """A weekday that is not a working day, and why."""

    day: dt.date
    name: str
    kind: str  # "helligdag" or "lukkedag"


class MunicipalCalendar:
    """Working days for one municipality over the years `first_year`..`last_year`."""

    def __init__(
        self,
        closing_days: ClosingDays = ClosingDays(),
        recesses: Iterable[Recess] = (),
        weekmask: str = WEEKDAYS_ONLY,
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> None:
        if len(weekmask) != 7 or set(weekmask) - {"0", "1"} or "1" not in weekmask:
            raise ValueError(f"weekmask must be seven 0/1 digits, Monday first: {weekmask!r}")
        self.closing_days = closing_days
        self.recesses = tuple(recesses)
        self.weekmask = weekmask
        self.first_year = first_year
        self.last_year = last_year
        self._first = dt.date(first_year, 1, 1)
        self._last = dt.date(last_year, 12, 31)
        self._base = self._first.toordinal()
        self._names = self._days_off_by_name()
        self._early = self._early_closings()
        self.closes_early = {day: time for day, (_name, time) in self._early.items()}
        self._named_days = sorted(self._names)
        self._build_index()
        self._recess_spans = sorted(
            (start.toordinal(), end.toordinal(), recess)
            for recess in self.recesses
            for year in range(first_year - 1, last_year + 1)
            for start, end in recess.spans(year)
        )
        self._recess_starts = [start for start, _, _ in self._recess_spans]
        self._longest_recess = max((end - start for start, end, _ in self._recess_spans), default=0)
        self._recess_by_day = {
            ordinal: recess for start, end, recess in reversed(self._recess_spans) for ordinal in range(start, end + 1)
        }

    # --- construction ---------------------------------------------------------------------

    def _days_off_by_name(self) -> dict[dt.date, tuple[str, str]]:
        years = range(self.first_year, self.last_year + 1)
        statutory = holiday_table.holidays(years)
        names: dict[dt.date, tuple[str, str]] = {day: (name, "helligdag") for day, name in statutory.items()}
        closing = self.closing_days
        if closing.optional:
            for day, name in holiday_table.holidays(years, "optional").items():
                if name in closing.optional:
                    names.setdefault(day, (name, "lukkedag"))
        for year in years:
            for (month, day_of_month), name in closing.fixed.items():
                names.setdefault(_month_day(year, month, day_of_month), (name, "lukkedag"))
        for day, name in statutory.items():
            if name in closing.day_after:
                names.setdefault(day + dt.timedelta(days=1), (f"Dagen efter {name.lower()}", "lukkedag"))
        for day, name in closing.dates.items():
            names.setdefault(day, (name, "lukkedag"))
        return names

    def _early_closings(self) -> dict[dt.date, tuple[str, dt.time]]:
        """Working days that close early, with the day's name and closing hour (a day fully
        closed as well stays closed)."""
        if not self.closing_days.early:
            return {}
        years = range(self.first_year, self.last_year + 1)
        return {
            day: (name, self.closing_days.early[name])
            for category in holiday_table.CATEGORIES
            for day, name in holiday_table.holidays(years, category).items()
            if name in self.closing_days.early and day not in self._names
        }

    def _build_index(self) -> None:
        # Whole-array operations (C loops): this runs for every profile a command reads, over the
        # 40,000 days of FIRST_YEAR..LAST_YEAR.
        size = self._last.toordinal() - self._base + 1
        start = self._first.weekday()
        week = bytes(c == "1" for c in self.weekmask[start:] + self.weekmask[:start])
        working = bytearray(week * (size // 7 + 1))[:size]  # working[i]: day i is a working day
        for day in self._names:
            offset = day.toordinal() - self._base
            if 0 <= offset < size:
                working[offset] = 0
        # _pos[i]: how many working days lie strictly before day i, which is also the index in
        # _days of the first working day on or after day i.
        self._working = bytes(working)
        self._pos = list(accumulate(working, initial=0))
        self._days = list(compress(range(self._base, self._base + size), working))

    @property
    def first_day(self) -> dt.date:
        return self._first

    @property
    def last_day(self) -> dt.date:
        return self._last

    def covers(self, day: dt.date) -> bool:
        return self._first <= day <= self._last

    def with_weekmask(self, weekmask: str) -> MunicipalCalendar:
        """The same holidays, closing days and recesses counted with another week mask."""
        if weekmask == self.weekmask:
            return self
        return MunicipalCalendar(self.closing_days, self.recesses, weekmask, self.first_year, self.last_year)

    # --- positions: the planner's integer view ----------------------------------------------

    def _offset(self, day: dt.date) -> int:
        offset = day.toordinal() - self._base
        if not 0 <= offset < len(self._working):
            raise CalendarRangeError(
                f"{day.isoformat()} ligger uden for kalenderens år {self.first_year}–{self.last_year}."
            )
        return offset

    def position(self, day: dt.date) -> int:
        """Index of the first working day on or after `day`."""
        return self._pos[self._offset(day)]

    def position_on_or_before(self, day: dt.date) -> int:
        """Index of the last working day on or before `day` (-1 if there is none in range)."""
        return self._pos[self._offset(day) + 1] - 1

    def day_at(self, position: int) -> dt.date:
        """The working day with this index."""
        if not 0 <= position < len(self._days):
            raise CalendarRangeError(f"Beregningen går uden for kalenderens år {self.first_year}–{self.last_year}.")
        return dt.date.fromordinal(self._days[position])

    # --- working days -----------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._working[self._offset(day)])

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """Step `n` working days from `day`: forward if positive, back if negative.

        "N working days before D" is `add_working_days(D, -N)`: when D itself is not a working
        day, the first step back lands on the last working day before it. With n = 0 the result
        is `day` if it is a working day, otherwise the next one (as python-holidays does).
        """
        if n > 0:
            return self.day_at(self.position_on_or_before(day) + n)
        return self.day_at(self.position(day) + n)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end): negative when end is before start."""
        return self.position(end) - self.position(start)

    # --- names for people -------------------------------------------------------------------

    def day_off(self, day: dt.date) -> DayOff | None:
        """The holiday or closing day on `day`, if any (weekends are not named)."""
        if (entry := self._names.get(day)) is None:
            return None
        return DayOff(day, *entry)

    def days_off_between(self, start: dt.date, end: dt.date) -> list[DayOff]:
        """Named holidays and closing days in [start, end] that fall on a day the mask works."""
        days = self._named_days[bisect_left(self._named_days, start) : bisect_right(self._named_days, end)]
        return [DayOff(day, *self._names[day]) for day in days if self.weekmask[day.weekday()] == "1"]

    def early_closings_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str, dt.time]]:
        """Working days in [start, end] the town hall closes early: day, name, closing hour."""
        return [
            (day, name, time)
            for day, (name, time) in sorted(self._early.items())
            if start <= day <= end and self.is_working_day(day)
        ]

    def recess_at(self, day: dt.date) -> Recess | None:
        return self._recess_by_day.get(day.toordinal())

    def recesses_between(self, start: dt.date, end: dt.date) -> list[tuple[Recess, dt.date, dt.date]]:
        """Recess spans that overlap [start, end], clipped to it."""
        lo, hi = start.toordinal(), end.toordinal()
        # Only spans starting in [lo - longest span, hi] can overlap: find them by bisection.
        first_index = bisect_left(self._recess_starts, lo - self._longest_recess)
        last_index = bisect_right(self._recess_starts, hi)
        return [
            (recess, dt.date.fromordinal(max(first, lo)), dt.date.fromordinal(min(last, hi)))
            for first, last, recess in self._recess_spans[first_index:last_index]
            if last >= lo
        ]
