"""Meetings: the adopted meeting plan, provisional meetings from the cadence, moves and cancellations.

`meeting_plan` turns a profile into the meetings of a period. Beyond a body's adopted plan the
cadence gives *provisional* meetings; those never fall on a holiday or closing day, nor in a
recess unless the body meets in recesses. A cadence day that does follows the body's
`on_day_off` rule: the meeting moves to the next (or previous) usable day in the same week for a
weekly cadence, the same month for a monthly one, or it is not held. A meeting "in the week
before" another body's follows that body's actual (possibly moved) meeting day. The adopted
plan's explicit dates always win. `Schedule` prepares meetings for the planner.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pendulum

from calendars.cadence import MonthlyNth, WeekBefore
from calendars.danish import local_datetime
from calendars.profiles import Body, DayOffRule, Profile, agenda_calendar
from calendars.workdays import MunicipalCalendar


class MeetingStatus(enum.StrEnum):
    PLANNED = "planlagt"
    PROVISIONAL = "foreløbig"
    CANCELLED = "aflyst"


class StatusFlags:
    """What a meeting's `status` says, for the planned meetings here and the stored ones
    (models.tables.Meeting) alike."""

    __slots__ = ()

    @property
    def provisional(self) -> bool:
        return self.status is MeetingStatus.PROVISIONAL

    @property
    def cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Meeting(StatusFlags):
    body: str
    day: dt.date
    time: dt.time
    place: str = ""
    status: MeetingStatus = MeetingStatus.PLANNED
    duration_minutes: int = 120
    moved_from: dt.date | None = None

    @property
    def key(self) -> str:
        """Stable identity: the body and the date the meeting was first planned for."""
        return f"{self.body}/{(self.moved_from or self.day).isoformat()}"

    @property
    def starts_at(self) -> pendulum.DateTime:
        return local_datetime(self.day, self.time)

    @property
    def ends_at(self) -> pendulum.DateTime:
        return self.starts_at.add(minutes=self.duration_minutes)


def meeting_plan(profile: Profile, start: dt.date, end: dt.date) -> list[Meeting]:
    """All meetings of all bodies in [start, end], cancelled ones included, sorted by time."""
    calendar = profile.calendar
    made: dict[str, list[Meeting]] = {}
    # Bodies that follow another body's meetings ("mandag i ugen før byrådet") come last.
    order = sorted(profile.bodies.values(), key=lambda body: isinstance(body.cadence and body.cadence.rule, WeekBefore))
    # A week-before meeting inside the period may prepare a meeting after it: look that far ahead.
    ahead = max(
        (
            7 * (body.cadence.rule.weeks + 1)
            for body in order
            if body.cadence and isinstance(body.cadence.rule, WeekBefore)
        ),
        default=0,
    )
    for body in order:
        # Moves can bring a meeting into the period from outside it: plan its old day too.
        first = min([start, *body.moved])
        last = max([end + dt.timedelta(days=ahead), *body.moved])
        made[body.key] = _body_meetings(body, calendar, first, last, made)
    return sorted(
        (m for ms in made.values() for m in ms if start <= m.day <= end), key=lambda m: (m.day, m.time, m.body)
    )


def _body_meetings(
    body: Body, calendar: MunicipalCalendar, start: dt.date, end: dt.date, made: Mapping[str, list[Meeting]]
) -> list[Meeting]:
    def meeting(
        day: dt.date, time: dt.time | None, status: MeetingStatus, moved_from: dt.date | None = None
    ) -> Meeting:
        return Meeting(body.key, day, time or body.time, body.place, status, body.duration_minutes, moved_from)

    adopted = {day: meeting(day, time, MeetingStatus.PLANNED) for day, time in body.meetings}
    # The adopted plan is authoritative from its first to its last meeting (or adopted_until);
    # without explicit dates, adopted_until says the cadence itself is adopted up to that day.
    first = min(adopted, default=None)
    horizon = body.adopted_until or max(adopted, default=None)
    meetings = dict(adopted)
    # A monthly cadence's meeting in a month the adopted plan has a meeting in (or a weekly one's
    # in such a week) is that meeting, wherever the plan put it.
    period = _period_of(body)
    adopted_periods = {period(day) for day in adopted}
    for day, status, wanted in _cadence_days(body, calendar, start, end, made):
        if period(wanted or day) in adopted_periods:
            continue
        if horizon and min(day, wanted or day) <= horizon:
            if first and max(day, wanted or day) >= first:
                continue
            if not first:
                status = MeetingStatus.PLANNED
        meetings.setdefault(day, meeting(day, None, status, wanted))
    for day in body.cancelled:
        if day in meetings:
            meetings[day] = replace(meetings[day], status=MeetingStatus.CANCELLED)
    for old_day, (new_day, new_time) in body.moved.items():
        if (old := meetings.pop(old_day, None)) is not None:
            meetings[new_day] = replace(old, day=new_day, time=new_time or old.time, moved_from=old_day)
    return [m for day, m in sorted(meetings.items()) if start <= day <= end]


def _period_of(body: Body):
    rule = body.cadence and body.cadence.rule
    if isinstance(rule, MonthlyNth):
        return lambda day: (day.year, day.month)
    if isinstance(rule, WeekBefore):
        return lambda day: day  # follows another body's meetings: no period of its own
    return lambda day: tuple(day.isocalendar())[:2]


def _cadence_days(
    body: Body, calendar: MunicipalCalendar, start: dt.date, end: dt.date, made: Mapping[str, list[Meeting]]
) -> Iterable[tuple[dt.date, MeetingStatus, dt.date | None]]:
    """(day, status, the cadence day it was moved from or None) for each cadence meeting."""
    if body.cadence is None:
        return
    rule = body.cadence.rule
    if isinstance(rule, WeekBefore):
        # Follow the other body's actual day: a week-before meeting is as firm as the meeting it
        # prepares, and moves with it.
        previous = dt.date.min
        for other in made[rule.other_body]:
            if other.cancelled:
                continue
            wanted = day = rule.day_for(other.day)
            if not calendar.covers(day):
                continue
            # The meeting must happen (ØU before the council, § 18 stk. 2): a week in recess
            # moves it a week earlier, a holiday Monday to Tuesday (on_day_off).
            for _ in range(4):
                if body.meets_in_recess or not calendar.covers(day) or calendar.recess_at(day) is None:
                    break
                day -= dt.timedelta(days=7)
            moved = _usable_near(body, calendar, day, previous, other.day)
            previous = other.day
            if moved is not None:
                status = MeetingStatus.PROVISIONAL if other.provisional else MeetingStatus.PLANNED
                yield moved, status, None if moved == wanted else wanted
        return
    pad = dt.timedelta(days=7 * getattr(rule, "every", 1) + 35)
    for day in rule.days(max(start - pad, calendar.first_day), min(end + pad, calendar.last_day)):
        if body.months and day.month not in body.months:
            continue
        if isinstance(rule, MonthlyNth):  # moves stay in the month
            low, high = day.replace(day=1), (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            low -= dt.timedelta(days=1)
        else:  # and in the week; a weekly meeting in a recess is not held (next week's is)
            if not body.meets_in_recess and calendar.recess_at(day) is not None:
                continue
            low = day - dt.timedelta(days=day.weekday() + 1)
            high = low + dt.timedelta(days=8)
        moved = _usable_near(body, calendar, day, low, high)
        if moved is not None:
            yield moved, MeetingStatus.PROVISIONAL, None if moved == day else day


def _usable_near(
    body: Body, calendar: MunicipalCalendar, day: dt.date, after: dt.date, before: dt.date
) -> dt.date | None:
    """`day` if the body may meet then, else the day its on_day_off rule moves it to, strictly
    between `after` and `before`; None when the meeting is not held."""
    if _may_meet(body, calendar, day):
        return day if after < day < before else None
    if body.on_day_off is DayOffRule.CANCEL:
        return None
    # Out of a recess by whole weeks (the committee keeps its weekday), past a holiday by days.
    sign = 1 if body.on_day_off is DayOffRule.NEXT else -1
    while after < day < before:
        in_recess = not body.meets_in_recess and calendar.recess_at(day) is not None
        day += dt.timedelta(days=sign * (7 if in_recess else 1))
        if after < day < before and _may_meet(body, calendar, day):
            return day
    return None


def _may_meet(body: Body, calendar: MunicipalCalendar, day: dt.date) -> bool:
    return (
        calendar.covers(day)
        and calendar.is_working_day(day)
        and (body.meets_in_recess or calendar.recess_at(day) is None)
        and (not body.months or day.month in body.months)
    )


@dataclass(frozen=True)
class BodyMeetings:
    """One body's usable (not cancelled) meetings with their positions in working days."""

    meetings: tuple[Meeting, ...]
    deadline_pos: list[int]  # working-day position of each meeting's submission deadline
    held_pos: list[int]  # position of the last working day on or before the meeting
    ordinals: list[int]  # the meeting days as proleptic ordinals
    # the last position a case coming from the previous stage in the same cycle can join the
    # meeting (coupled stages): the day the agenda goes out (e.g. § 8, stk. 4), else the deadline
    agenda_pos: list[int]


@dataclass(frozen=True)
class Schedule:
    """What the planner plans against: bodies, their meetings and the calendar, prepared once."""

    profile: Profile
    calendar: MunicipalCalendar
    by_body: Mapping[str, BodyMeetings]
    all_meetings: tuple[Meeting, ...]

    @classmethod
    def build(cls, profile: Profile, meetings: Iterable[Meeting]) -> Schedule:
        calendar = profile.calendar
        all_meetings = tuple(meetings)
        grouped: dict[str, list[Meeting]] = {key: [] for key in profile.bodies}
        for meeting in sorted(all_meetings, key=lambda m: (m.day, m.time)):
            # A body removed from the profile may still have stored meetings: nothing routes there.
            if not meeting.cancelled and meeting.body in grouped:
                grouped[meeting.body].append(meeting)
        by_body = {}
        for key, body_meetings in grouped.items():
            body = profile.bodies[key]
            deadlines = [body.deadline.position(calendar, m.day) for m in body_meetings]
            if body.agenda is None:
                agenda = deadlines
            else:
                counting = agenda_calendar(profile, body.agenda)
                agenda = [
                    calendar.position_on_or_before(counting.add_working_days(m.day, -body.agenda.working_days_before))
                    for m in body_meetings
                ]
            by_body[key] = BodyMeetings(
                tuple(body_meetings),
                deadlines,
                [calendar.position_on_or_before(m.day) for m in body_meetings],
                [m.day.toordinal() for m in body_meetings],
                agenda,
            )
        return cls(profile, calendar, by_body, all_meetings)

    @classmethod
    def for_period(cls, profile: Profile, start: dt.date, end: dt.date) -> Schedule:
        return cls.build(profile, meeting_plan(profile, start, end))

    def deadline(self, meeting: Meeting) -> dt.date:
        rule = self.profile.bodies[meeting.body].deadline
        return self.calendar.day_at(rule.position(self.calendar, meeting.day))
