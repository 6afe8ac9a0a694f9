"""Municipality profiles as values: the bodies, their rules and the routes of one municipality.

A profile is read once (calendars.profile_reader) into these frozen values; anything wrong in it is
refused with a ProfileError that names the file, the key and how to fix it. The format is
documented by the shipped profiles in calendars/profiles/.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.cadence import ParsedCadence
from calendars.danish import TIMEZONE
from calendars.workdays import WITH_SATURDAY, ClosingDays, MunicipalCalendar, Recess

__all__ = [
    "AgendaRule",
    "Body",
    "BodyKind",
    "ClosingDays",
    "DayOffRule",
    "DeadlineRule",
    "Profile",
    "ProfileError",
    "Recess",
    "ReminderRules",
    "Route",
    "UnknownProfileError",
    "agenda_calendar",
]


class ProfileError(ValueError):
    """A profile that cannot be used; the message names file, key and fix."""

    def __init__(self, path: Path | str, key: str, problem: str, fix: str) -> None:
        self.path, self.key = str(path), key
        super().__init__(f"Fejl i profilen {path}, nøglen '{key}': {problem} Sådan retter du det: {fix}")


class UnknownProfileError(ProfileError):
    def __init__(self, name: str, shipped: Sequence[str]) -> None:
        self.path, self.key = name, ""
        ValueError.__init__(
            self,
            f"Kommunen '{name}' findes hverken blandt de medfølgende profiler "
            f"({', '.join(shipped)}) eller som .toml-fil. "
            "Angiv en af dem eller stien til jeres egen profil.",
        )


class BodyKind(enum.StrEnum):
    ADMINISTRATIVE = "administrativ"
    POLITICAL = "politisk"
    AD_HOC = "ad hoc"


class DayOffRule(enum.StrEnum):
    """What happens to a cadence meeting whose day is a holiday, a closing day or in a recess."""

    NEXT = "næste arbejdsdag"
    PREVIOUS = "forrige arbejdsdag"
    CANCEL = "aflyses"

    @classmethod
    def default_for(cls, kind: BodyKind) -> DayOffRule:
        # Council and committees move the meeting (the adopted plan usually says so); a weekly
        # administrative meeting simply skips the week.
        return cls.CANCEL if kind is BodyKind.ADMINISTRATIVE else cls.NEXT


@dataclass(frozen=True)
class DeadlineRule:
    """When material must be in: N working days (or N calendar days) before the meeting."""

    working_days_before: int | None = None
    days_before: int | None = None  # "materialer senest 1 uge før" = 7 calendar days
    time: dt.time | None = None

    def position(self, calendar: MunicipalCalendar, meeting_day: dt.date) -> int:
        """The deadline as a working-day position in `calendar` (see MunicipalCalendar).

        A timed deadline on a day the town hall closes early (KL: Grundlovsdag and 1 May from
        12:00), at or after the closing hour, moves to the working day before.
        """
        if self.days_before is not None:
            position = calendar.position_on_or_before(meeting_day - dt.timedelta(days=self.days_before))
        elif not self.working_days_before:
            position = calendar.position_on_or_before(meeting_day)
        else:
            position = calendar.position(meeting_day) - self.working_days_before
        if self.time is not None and calendar.closes_early and position >= 0:
            closing = calendar.closes_early.get(calendar.day_at(position))
            if closing is not None and self.time >= closing:
                position -= 1
        return position

    def describe(self) -> str:
        if self.days_before is not None:
            amount = f"{self.days_before} dage"
        else:
            amount = f"{self.working_days_before} arbejdsdage"
        return amount + " før mødet" + (f" kl. {self.time:%H:%M}" if self.time else "")


@dataclass(frozen=True)
class AgendaRule:
    """When the agenda goes out, e.g. Kommunestyrelseslovens § 8, stk. 4: 4 hverdage før."""

    working_days_before: int
    count_saturday: bool = False


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    kind: BodyKind
    deadline: DeadlineRule
    cadence: ParsedCadence | None = None
    time: dt.time = dt.time(9, 0)
    place: str = ""
    duration_minutes: int = 120
    meets_in_recess: bool = False
    months: tuple[int, ...] = ()  # only these months (advisory board: March and September)
    agenda: AgendaRule | None = None
    meetings: tuple[tuple[dt.date, dt.time | None], ...] = ()  # the adopted meeting plan
    adopted_until: dt.date | None = None
    cancelled: tuple[dt.date, ...] = ()
    moved: Mapping[dt.date, tuple[dt.date, dt.time | None]] = field(default_factory=dict)
    # a cadence day that is a holiday, closing day or in a recess (see DayOffRule.default_for)
    on_day_off: DayOffRule = DayOffRule.NEXT
    # Bodies whose cases this body takes in the same cycle ("byrådet behandler de sager,
    # økonomiudvalget behandlede ugen før"): see calendars.planner, coupled stages.
    takes_cases_from: tuple[str, ...] = ()
    # Økonomiudvalget: Kommunestyrelseslovens § 18, stk. 2 (see Route.economic_impact).
    finance_committee: bool = False


@dataclass(frozen=True)
class Route:
    key: str
    name: str
    stages: tuple[tuple[str, ...], ...]  # each stage: one body, or several in parallel
    # Kommunestyrelseslovens § 18, stk. 2: such a route passes the finance committee before its
    # last stage, unless the profile gives a reason for not doing so (the waiver).
    economic_impact: bool = False
    economic_impact_waiver: str = ""
    # 1-based stages whose parallel bodies share one deadline: the earliest of theirs
    # ("Deadline for sager på udvalgsmøder" in a kommissorium's timetable)
    common_deadline: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReminderRules:
    """When owners are reminded of a deadline, from the profile's optional [reminders] table."""

    working_days_before: tuple[int, ...] = (5, 1)  # most distant first
    time: dt.time = dt.time(8, 0)
    escalate: bool = True  # the manager hears of a missed deadline the working day after
    digest: bool = True  # Monday overview of the next two weeks' deadlines

    def at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.time, ZoneInfo(TIMEZONE))


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    path: Path
    bodies: Mapping[str, Body]
    routes: Mapping[str, Route]
    closing_days: ClosingDays
    recesses: tuple[Recess, ...]
    weekmask: str
    gap_working_days: int = 1
    reminders: ReminderRules = ReminderRules()

    @cached_property
    def calendar(self) -> MunicipalCalendar:
        return MunicipalCalendar(self.closing_days, self.recesses, self.weekmask)

    def body(self, key: str) -> Body:
        return self.bodies[key]


def agenda_calendar(profile: Profile, rule: AgendaRule) -> MunicipalCalendar:
    """The calendar an agenda rule counts on (some count Saturday as a hverdag)."""
    return profile.calendar.with_weekmask(WITH_SATURDAY) if rule.count_saturday else profile.calendar
