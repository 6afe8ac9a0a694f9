"""A municipality profile's TOML, declared: which tables and keys exist, their types and bounds.

One model per table, one line per key; calendars.profile_reader validates a file against
`ProfileFile` (calendars.strict_toml words every finding in Danish) and then turns the values into
calendars.profiles values, checking what needs more than one key (routes naming bodies, cadences
naming other bodies, § 18 stk. 2). Bounds are generous for real use and stop typos early: a
deadline a year before its meeting, a 25-hour meeting or a meeting in 1800 are mistakes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from calendars.danish import WEEKDAY_NUMBERS
from calendars.profiles import BodyKind, DayOffRule
from calendars.strict_toml import CalendarDate, ClockTime, Table, between, limited, one_of, refuse, to_date, to_time

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_BODY_KEY = re.compile(r"^[a-z0-9_]+$")

WORKING_DAYS = 250  # about a year of working days
MAX_MEETINGS = 5_000  # an adopted plan of weekly meetings over the calendar's 111 years


def _month_day(value: Any) -> tuple[int, int]:
    if not isinstance(value, str) or not (match := _MONTH_DAY.match(value)):
        raise refuse(f"{value!r} skal skrives mm-dd.", 'skriv fx "12-24" for 24. december.')
    month, day = int(match[1]), int(match[2])
    try:
        dt.date(2024, month, day)  # a leap year: "02-29" is the last day of February in other years
    except ValueError:
        raise refuse(f"'{value}' er ikke en dag i året.", 'skriv mm-dd med en dag, der findes, fx "12-24".') from None
    return month, day


def _yearly_or_date(value: Any) -> tuple[int, int] | dt.date:
    """A recess's from/to: "07-01" (every year) or a date (once)."""
    if isinstance(value, str) and _MONTH_DAY.match(value):
        return _month_day(value)
    return to_date(value)


def _meeting(value: Any) -> tuple[dt.date, dt.time | None]:
    """'2026-03-30' or '2026-03-30 18:00' (or a TOML date or date-time)."""
    if isinstance(value, dt.datetime):
        return to_date(value.date()), to_time(value.time())
    if isinstance(value, dt.date):
        return to_date(value), None
    if not isinstance(value, str):
        raise refuse(f"{value!r} er ikke et møde.", 'skriv mødet som "åååå-mm-dd" eller "åååå-mm-dd tt:mm".')
    day, _, time = value.strip().partition(" ")
    return to_date(day), to_time(time) if time.strip() else None


def _body_key(value: Any) -> str:
    if not isinstance(value, str) or not _BODY_KEY.match(value):
        raise refuse(
            "organets nøgle må kun indeholde a–z, 0–9 og _.",
            "omdøb nøglen, fx bodies.oekonomiudvalget (navnet med æøå skrives i name).",
        )
    return value


def _stage(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _weekdays(value: list[str]) -> list[str]:
    unknown = [day for day in value if day not in WEEKDAY_NUMBERS]
    if unknown:
        raise refuse(f"{unknown!r} er ikke ugedage.", f"brug {', '.join(WEEKDAY_NUMBERS)}.")
    return value


def _reminder_days(value: list[int]) -> list[int]:
    if not value or not all(1 <= n <= WORKING_DAYS for n in value):
        raise refuse(
            f"{value!r} er ikke hele arbejdsdage fra 1 til {WORKING_DAYS}.", "angiv fx working_days_before = [5, 1]."
        )
    return value


MonthDay = Annotated[tuple[int, int], BeforeValidator(_month_day)]
YearlyOrDate = Annotated[Any, BeforeValidator(_yearly_or_date)]
MeetingEntry = Annotated[Any, BeforeValidator(_meeting)]
BodyKey = Annotated[str, BeforeValidator(_body_key)]
Name = Annotated[str, AfterValidator(limited(200))]
Days = Annotated[int, AfterValidator(between(0, WORKING_DAYS, "angiv et helt antal dage fra 0 til 250."))]
CalendarDays = Annotated[int, AfterValidator(between(0, 366, "angiv et helt antal dage fra 0 til 366."))]
Week = Annotated[int, AfterValidator(between(1, 53, "angiv ugenumre 1–53, fx weeks = [7]."))]
Month = Annotated[int, AfterValidator(between(1, 12, "angiv måneder 1–12, fx months = [3, 9]."))]
Minutes = Annotated[int, AfterValidator(between(1, 24 * 60, "angiv mødets længde i minutter, fra 1 til 1440."))]
Gap = Annotated[int, AfterValidator(between(0, 60, "angiv 0 (samme dag), 1 (dagen efter) eller mere, højst 60."))]
Place = Annotated[str, AfterValidator(limited(300, required=False))]
Kind = Annotated[BodyKind, BeforeValidator(one_of(BodyKind, "en organtype"))]
OnDayOff = Annotated[DayOffRule, BeforeValidator(one_of(DayOffRule, "en regel for møder på fridage"))]
Stage = Annotated[list[str], BeforeValidator(_stage), Field(min_length=1, max_length=50)]  # one body or several


class Recess(Table):
    name: Name = Field(description='skriv ferieperiodens navn, fx name = "Sommerferie".')
    weeks: Annotated[list[Week], Field(min_length=1)] | None = None
    start: YearlyOrDate = Field(None, alias="from")
    end: YearlyOrDate = Field(None, alias="to")

    @model_validator(mode="after")
    def _weeks_or_span(self) -> Recess:
        if self.weeks is not None:
            if self.start is not None or self.end is not None:
                raise refuse("angiv enten weeks eller from og to, ikke begge.", "fjern weeks eller from/to.")
        elif self.start is None or self.end is None:
            raise refuse(
                "ferien mangler sine datoer.", 'angiv enten weeks = [42] eller from = "07-01" og to = "07-31".'
            )
        elif type(self.start) is not type(self.end):
            raise refuse(
                "from og to skal begge være mm-dd (hvert år) eller begge datoer (én gang).",
                'skriv fx from = "07-01" og to = "07-31", eller from = "2027-07-01" og to = "2027-07-30".',
            )
        elif isinstance(self.start, dt.date) and self.end < self.start:
            raise refuse("ferien slutter før den begynder.", "byt om på from og to.")
        return self


class Calendar(Table):
    weekdays: Annotated[list[str], AfterValidator(_weekdays)] = Field(
        ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"], min_length=1, max_length=7
    )
    closed_optional: list[str] = []  # python-holidays' names (checked by the reader)
    closed_day_after: list[str] = []
    closes_early: dict[str, ClockTime] = {}
    closed_fixed: dict[MonthDay, Name] = {}
    closed_dates: dict[CalendarDate, Name] = {}
    recesses: list[Recess] = Field([], max_length=100)


class Deadline(Table):
    working_days_before: Days | None = None
    days_before: CalendarDays | None = None  # "materialer senest 1 uge før" = 7
    time: ClockTime | None = None

    @model_validator(mode="after")
    def _one_count(self) -> Deadline:
        if self.working_days_before is not None and self.days_before is not None:
            raise refuse(
                "både days_before og working_days_before er angivet.",
                "behold én af dem: working_days_before (arbejdsdage) eller days_before (kalenderdage).",
            )
        if self.working_days_before is None and self.days_before is None:
            raise refuse(
                "fristen mangler sit antal dage.", 'angiv fx deadline = { working_days_before = 5, time = "12:00" }.'
            )
        return self


class Agenda(Table):
    working_days_before: Days = Field(description="angiv fx agenda = { working_days_before = 4 }.")
    count_saturday: bool = False


class Body(Table):
    name: Name = Field(description='skriv organets navn, fx name = "Byrådet".')
    kind: Kind = Field(description='angiv kind = "politisk", "administrativ" eller "ad hoc".')
    deadline: Deadline = Field(description='angiv fx deadline = { working_days_before = 5, time = "12:00" }.')
    cadence: Name | None = None  # read by calendars.cadence in the reader
    time: ClockTime | None = None
    place: Place = ""
    duration_minutes: Minutes = 120
    meets_in_recess: bool | None = None
    months: Annotated[list[Month], Field(min_length=1)] | None = None
    agenda: Agenda | None = None
    meetings: list[MeetingEntry] = Field([], max_length=MAX_MEETINGS)
    meetings_ics: Name | None = None
    adopted_until: CalendarDate | None = None
    cancelled: list[CalendarDate] = Field([], max_length=MAX_MEETINGS)
    moved: dict[CalendarDate, MeetingEntry] = Field({}, max_length=MAX_MEETINGS)
    finance_committee: bool = False
    on_day_off: OnDayOff | None = None
    takes_cases_from: list[str] = Field([], max_length=50)


class Route(Table):
    name: Name = Field(description='skriv rutens navn, fx name = "Politisk sag".')
    stages: list[Stage] = Field(
        description='angiv fx stages = ["direktion", ["udvalg_a", "udvalg_b"], "byraadet"].',
        min_length=1,
        max_length=50,
    )
    economic_impact: bool = False
    economic_impact_waiver: Annotated[str, AfterValidator(limited(2000))] | None = None
    common_deadline: list[int] = Field([], max_length=50)  # stage numbers, checked by the reader


class Reminders(Table):
    working_days_before: Annotated[list[int], AfterValidator(_reminder_days)] = Field([5, 1], max_length=20)
    time: ClockTime = dt.time(8, 0)
    escalate: bool = True
    digest: bool = True


class ProfileFile(Table):
    name: Name = Field(description='skriv kommunens navn, fx name = "Slagelse Kommune".')
    gap_working_days: Gap = 1
    calendar: Calendar = Calendar()
    bodies: dict[BodyKey, Body] = Field(
        description="beskriv mindst ét organ under [bodies.<navn>].", min_length=1, max_length=200
    )
    routes: dict[str, Route] = Field({}, max_length=200)
    reminders: Reminders = Reminders()
