"""Reading the values of a profile's TOML: typed fields, dates and times, the [calendar] table.

The base of calendars.profile_reader: every method fails with a ProfileError naming the exact
key that is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from holidays.countries.denmark import Denmark

from calendars.danish import TIMEZONE, WEEKDAY_NUMBERS, DateFormatError, parse_date, parse_time
from calendars.profiles import Profile, ProfileError
from calendars.workdays import ClosingDays, Recess

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class FieldReader:
    """Typed look-ups in parsed TOML, and the municipality's calendar (holidays, closures, recesses)."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path, self.data = path, data

    def fail(self, key: str, problem: str, fix: str) -> ProfileError:
        return ProfileError(self.path, key, problem, fix)

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
        fix: str = "",
    ) -> Any:
        if key not in table:
            if default is ...:
                raise self.fail(f"{where}{key}", "nøglen mangler.", fix or "tilføj den.")
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise self.fail(
                f"{where}{key}",
                f"værdien {value!r} har forkert type.",
                fix or f"angiv en værdi af typen {_type_name(kind)}.",
            )
        return value

    # calendar

    def closing_days(self, table: dict[str, Any]) -> ClosingDays:
        where = "calendar."
        fixed = {}
        for key, name in self.get(table, "closed_fixed", where, dict, {}).items():
            if not (match := _MONTH_DAY.match(key)):
                raise self.fail(
                    f"{where}closed_fixed.{key}", "datoen skal skrives mm-dd.", 'skriv fx "12-24" = "Juleaftensdag".'
                )
            fixed[(int(match[1]), int(match[2]))] = str(name)
        dates = {
            self.date(f"{where}closed_dates.{key}", key): str(name)
            for key, name in self.get(table, "closed_dates", where, dict, {}).items()
        }
        return ClosingDays(
            fixed=fixed,
            optional=self.holiday_names(table, "closed_optional", ("optional",)),
            day_after=self.holiday_names(table, "closed_day_after", ("public",)),
            dates=dates,
            early=self.early_closings(table),
        )

    def early_closings(self, table: dict[str, Any]) -> dict[str, dt.time]:
        """closes_early = { "Grundlovsdag" = "12:00" }: a working day that closes at that hour."""
        where = "calendar.closes_early"
        entries = self.get(table, "closes_early", "calendar.", dict, {})
        known = set(Denmark(years=range(2020, 2031), language="da", categories=("public", "optional")).values())
        for name in entries:
            if name not in known:
                raise self.fail(
                    f"{where}.{name}",
                    f"'{name}' er ikke en dag, vi kender.",
                    f"brug et af navnene {', '.join(sorted(known))}.",
                )
        return {name: self.time(f"{where}.{name}", value) for name, value in entries.items()}

    def holiday_names(self, table: dict[str, Any], key: str, categories: tuple[str, ...]) -> tuple[str, ...]:
        """Names as python-holidays writes them in Danish; a typo would quietly keep a day open."""
        names = self.get(table, key, "calendar.", list, [])
        known = set(Denmark(years=range(2020, 2031), language="da", categories=categories).values())
        for index, name in enumerate(names):
            if name not in known:
                raise self.fail(
                    f"calendar.{key}[{index}]",
                    f"'{name}' er ikke en dag, vi kender.",
                    f"brug et af navnene {', '.join(sorted(known))}.",
                )
        return tuple(names)

    def recesses(self, table: dict[str, Any]) -> tuple[Recess, ...]:
        recesses = []
        for index, entry in enumerate(self.get(table, "recesses", "calendar.", list, [])):
            where = f"calendar.recesses[{index}]."
            name = self.get(entry, "name", where, str)
            if "weeks" in entry:
                weeks = self.get(entry, "weeks", where, list)
                if not weeks or not all(isinstance(w, int) and 1 <= w <= 53 for w in weeks):
                    raise self.fail(
                        f"{where}weeks", f"{weeks!r} er ikke ugenumre.", "angiv ugenumre 1–53, fx weeks = [7]."
                    )
                recesses.append(Recess(name, weeks=tuple(weeks)))
                continue
            start = self.month_day_or_date(
                f"{where}from",
                self.get(
                    entry, "from", where, str, fix='angiv enten weeks = [42] eller from = "07-01" og to = "07-31".'
                ),
            )
            end = self.month_day_or_date(
                f"{where}to", self.get(entry, "to", where, str, fix='angiv to = "mm-dd" eller en dato.')
            )
            if type(start) is not type(end):
                raise self.fail(
                    f"{where}from",
                    "from og to skal begge være mm-dd (hvert år) eller begge datoer (én gang).",
                    'skriv fx from = "07-01" og to = "07-31", eller from = "2027-07-01" og to = "2027-07-30".',
                )
            if isinstance(start, dt.date) and end < start:
                raise self.fail(f"{where}to", "ferien slutter før den begynder.", "byt om på from og to.")
            recesses.append(Recess(name, start=start, end=end))
        return tuple(recesses)

    def month_day_or_date(self, key: str, text: str) -> tuple[int, int] | dt.date:
        if match := _MONTH_DAY.match(text):
            month, day = int(match[1]), int(match[2])
            try:
                dt.date(2024, month, day)
            except ValueError:
                raise self.fail(key, f"'{text}' er ikke en dag i året.", 'skriv mm-dd, fx "07-01".') from None
            return (month, day)
        return self.date(key, text)

    def weekmask(self, table: dict[str, Any]) -> str:
        days = self.get(table, "weekdays", "calendar.", list, ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"])
        unknown = [day for day in days if day not in WEEKDAY_NUMBERS]
        if unknown or not days:
            raise self.fail(
                "calendar.weekdays", f"{unknown or days!r} er ikke ugedage.", f"brug {', '.join(WEEKDAY_NUMBERS)}."
            )
        numbers = {WEEKDAY_NUMBERS[day] for day in days}
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

    def count(self, table: dict[str, Any], key: str, where: str) -> int:
        value = self.get(table, key, where, int, fix="angiv et helt antal dage, fx 5.")
        if value < 0:
            raise self.fail(
                f"{where}{key}",
                f"{value} er negativ: en frist kan ikke ligge efter mødet.",
                "angiv et helt antal dage på 0 eller mere.",
            )
        return value

    # values

    def date(self, key: str, value: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return parse_date(str(value))
        except DateFormatError as error:
            raise self.fail(key, str(error), 'skriv datoen som "åååå-mm-dd".') from None

    def time(self, key: str, value: Any) -> dt.time:
        try:
            return value if isinstance(value, dt.time) else parse_time(str(value))
        except DateFormatError as error:
            raise self.fail(key, str(error), 'skriv klokkeslættet som "tt:mm".') from None

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
        except ValueError as error:
            raise self.fail(
                key, f"{path} er ikke en gyldig iCalendar-fil ({error}).", "eksportér mødeplanen igen som .ics."
            ) from None
        entries = []
        for event in calendar.walk("VEVENT"):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = event.decoded("DTSTART")
            if isinstance(start, dt.datetime):
                local = start.astimezone(ZoneInfo(TIMEZONE)) if start.tzinfo else start
                entries.append((local.date(), local.time().replace(second=0, microsecond=0)))
            else:
                entries.append((start, None))
        if not entries:
            raise self.fail(key, f"{path} indeholder ingen møder.", "eksportér en kalender med mødernes begivenheder.")
        return tuple(sorted(entries))

    def meeting_entry(self, key: str, value: Any) -> tuple[dt.date, dt.time | None]:
        if isinstance(value, dt.datetime):
            return value.date(), value.time()
        day, _, time = str(value).strip().partition(" ")
        return self.date(key, day), self.time(key, time) if time else None


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "tekst", int: "helt tal", bool: "true/false", list: "liste", dict: "tabel"}
    return " eller ".join(names.get(k, k.__name__) for k in _as_tuple(kind))
