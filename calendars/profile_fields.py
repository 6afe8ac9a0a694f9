"""The parts of a profile that need more than its schema: the [calendar] table's holiday names and
recesses, and an adopted meeting plan exported as .ics.

The base of calendars.profile_reader: the values come validated (calendars.profile_schema); every
method here fails with a ProfileError naming the exact key that is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars import holiday_table
from calendars import profile_schema as schema
from calendars.danish import TIMEZONE, WEEKDAY_NUMBERS
from calendars.profiles import Profile, ProfileError
from calendars.workdays import CalendarRangeError, ClosingDays, Recess, within_range


class FieldReader:
    """The municipality's calendar (holidays, closures, recesses) from a validated profile."""

    def __init__(self, path: Path, table: schema.ProfileFile) -> None:
        self.path, self.table = path, table

    def fail(self, key: str, problem: str, fix: str) -> ProfileError:
        return ProfileError(self.path, key, problem, fix)

    # calendar

    def closing_days(self, table: schema.Calendar) -> ClosingDays:
        return ClosingDays(
            fixed=dict(table.closed_fixed),
            optional=self.holiday_names(table.closed_optional, "closed_optional", ("optional",)),
            day_after=self.holiday_names(table.closed_day_after, "closed_day_after", ("public",)),
            dates=dict(table.closed_dates),
            early=self.early_closings(table),
        )

    def early_closings(self, table: schema.Calendar) -> dict[str, dt.time]:
        """closes_early = { "Grundlovsdag" = "12:00" }: a working day that closes at that hour."""
        known = _names(holiday_table.CATEGORIES)
        for name in table.closes_early:
            if name not in known:
                raise self.fail(
                    f"calendar.closes_early.{name}",
                    f"'{name}' er ikke en dag, vi kender.",
                    f"brug et af navnene {', '.join(sorted(known))}.",
                )
        return dict(table.closes_early)

    def holiday_names(self, names: list[str], key: str, categories: tuple[str, ...]) -> tuple[str, ...]:
        """Names as python-holidays writes them in Danish; a typo would quietly keep a day open."""
        known = _names(categories)
        for index, name in enumerate(names):
            if name not in known:
                raise self.fail(
                    f"calendar.{key}[{index}]",
                    f"'{name}' er ikke en dag, vi kender.",
                    f"brug et af navnene {', '.join(sorted(known))}.",
                )
        return tuple(names)

    def recesses(self, table: schema.Calendar) -> tuple[Recess, ...]:
        return tuple(
            Recess(entry.name, weeks=tuple(entry.weeks))
            if entry.weeks
            else Recess(entry.name, start=entry.start, end=entry.end)
            for entry in table.recesses
        )

    def weekmask(self, table: schema.Calendar) -> str:
        numbers = {WEEKDAY_NUMBERS[day] for day in table.weekdays}
        return "".join("1" if number in numbers else "0" for number in range(7))

    def check_recesses_leave_room(self, profile: Profile) -> None:
        """Refuse recesses that leave a year without a single day for ordinary meetings."""
        calendar = profile.calendar
        for year in range(calendar.first_year, calendar.last_year + 1):
            day = dt.date(year, 1, 1)
            while day.year == year:
                if calendar.is_working_day(day) and calendar.recess_at(day) is None:
                    break
                day += dt.timedelta(days=1)
            else:
                raise self.fail(
                    "calendar.recesses",
                    f"ferieperioderne dækker hele året {year}, så der kan ikke holdes ordinære møder.",
                    "ret ferieperiodernes from/to eller uger, så de ikke tilsammen dækker hele året.",
                )

    # an adopted meeting plan as .ics

    def ics_meetings(self, key: str, name: str) -> tuple[tuple[dt.date, dt.time | None], ...]:
        """An adopted meeting plan exported from a calendar (.ics), relative to the profile."""
        import icalendar  # only profiles that use it pay for the import

        path = self.path.parent / name
        try:
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
        except OSError:
            raise self.fail(
                key, f"filen {path} kan ikke læses.", "angiv stien til .ics-filen i forhold til profilen."
            ) from None
        except ValueError:
            raise self.fail(
                key, f"{path} er ikke en gyldig iCalendar-fil.", "eksportér mødeplanen igen som .ics."
            ) from None
        entries: list[tuple[dt.date, dt.time | None]] = []
        for number, event in enumerate(calendar.walk("VEVENT"), start=1):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            try:
                start = event.decoded("DTSTART")
                day = within_range(start.date() if isinstance(start, dt.datetime) else start, iso=True)
            except (KeyError, ValueError, AttributeError, CalendarRangeError) as error:
                problem = error if isinstance(error, CalendarRangeError) else "mødet har ingen gyldig start (DTSTART)."
                raise self.fail(
                    key, f"{path}, møde nr. {number}: {problem}", "ret mødet i kalenderen og eksportér igen."
                ) from None
            if isinstance(start, dt.datetime):
                local = start.astimezone(ZoneInfo(TIMEZONE)) if start.tzinfo else start
                entries.append((local.date(), local.time().replace(second=0, microsecond=0)))
            else:
                entries.append((day, None))
        if not entries:
            raise self.fail(key, f"{path} indeholder ingen møder.", "eksportér en kalender med mødernes begivenheder.")
        return tuple(sorted(entries))


def _names(categories: tuple[str, ...]) -> set[str]:
    """The holidays' names in `categories` (as python-holidays writes them in Danish), this decade."""
    return {name for category in categories for name in holiday_table.holidays(range(2020, 2031), category).values()}
