"""The milestones people follow in their calendars, as calendar events with Danish texts.

A body's meetings with their submission deadline and agenda date; a case's deadlines and
meetings along its route. Pure: values in (meetings, profile bodies, case facts), FeedEvents out
(calendars.ical). SEQUENCE and DTSTAMP are left to the caller, which knows what subscribers saw.

Public feeds never show a closed item's ("lukket punkt", Kommunestyrelsesloven § 10) title,
journal number, text or people: only that a closed item has a deadline or is on a meeting.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from functools import lru_cache

from calendars import danish
from calendars.danish import clock_time
from calendars.ical import COPENHAGEN, FeedEvent, Status
from calendars.meetings import Meeting
from calendars.profiles import Body, Profile, agenda_calendar

CANCELLED_PREFIX = "AFLYST: "
PROVISIONAL_SUFFIX = " (foreløbig)"
CLOSED_TITLE = "Lukket punkt"
# A reminder the day before: 09:00 for an all-day deadline (starts at midnight), or 24 hours
# before a timed one. Google and Outlook ignore alarms in subscribed calendars: mails do the rest.
ALARM_TIMED = dt.timedelta(days=1)
ALARM_ALL_DAY = dt.timedelta(hours=15)
# Formatting through the locale data costs ~35 µs a date; a feed names the same few dates often.
long_date = lru_cache(maxsize=4096)(danish.long_date)


class Audience(enum.StrEnum):
    PUBLIC = "offentlig"  # anyone with the link: closed items anonymised
    PERSONAL = "personlig"  # behind a personal token: the person's own cases in full


@dataclass(frozen=True, slots=True)
class CaseFacts:
    municipality: str
    journal_number: str
    title: str
    closed_item: bool
    route_name: str
    stages: int
    owner_name: str = ""
    manager_name: str = ""
    department: str = ""
    url: str = ""  # the case's page


@dataclass(frozen=True, slots=True)
class StepFacts:
    """One consultation: a body's treatment of the case in a stage, in a round."""

    stage: int
    round: int
    body_key: str
    body_name: str
    meeting: Meeting
    deadline: dt.date
    deadline_time: dt.time | None
    latest_meeting: Meeting | None = None
    outcome: str = ""  # the decision, once recorded ('godkendt', 'udsat', …)
    decision_text: str = ""


def meeting_status(meeting: Meeting) -> Status:
    if meeting.cancelled:
        return Status.CANCELLED
    return Status.TENTATIVE if meeting.provisional else Status.CONFIRMED


def titled(summary: str, meeting: Meeting) -> str:
    """'AFLYST: …' for a cancelled meeting, '… (foreløbig)' for a provisional one."""
    if meeting.cancelled:
        return CANCELLED_PREFIX + summary
    return summary + PROVISIONAL_SUFFIX if meeting.provisional else summary


def _start(meeting: Meeting) -> dt.datetime:
    return dt.datetime.combine(meeting.day, meeting.time, COPENHAGEN)


def _when(meeting: Meeting) -> str:
    text = f"{long_date(meeting.day)} {clock_time(meeting.time)}"
    return text + (f", {meeting.place}" if meeting.place else "")


def _deadline_start(day: dt.date, time: dt.time | None) -> dt.datetime | dt.date:
    return dt.datetime.combine(day, time, COPENHAGEN) if time else day


def _deadline_text(day: dt.date, time: dt.time | None) -> str:
    return long_date(day) + (f" {clock_time(time)}" if time else "")


def _meeting_notes(meeting: Meeting) -> list[str]:
    notes = []
    if meeting.cancelled:
        notes.append("Mødet er aflyst.")
    elif meeting.provisional:
        notes.append("Mødet er foreløbigt: datoen følger organets mødekadence og er endnu ikke vedtaget.")
    if meeting.moved_from:
        notes.append(f"Flyttet fra {long_date(meeting.moved_from)}.")
    return notes


# --- a body's meetings ---------------------------------------------------------------------------


def body_events(profile: Profile, body: Body, meeting: Meeting, changed: dt.datetime, url: str = "") -> list[FeedEvent]:
    """The meeting, its submission deadline and (for bodies with an agenda rule) the day the agenda
    goes out. Keys follow the meeting's own key, which survives moves and firming up."""
    calendar = profile.calendar
    key = f"{profile.key}/meeting/{meeting.key}"
    deadline = calendar.day_at(body.deadline.position(calendar, meeting.day))
    agenda = (
        agenda_calendar(profile, body.agenda).add_working_days(meeting.day, -body.agenda.working_days_before)
        if body.agenda
        else None
    )
    status = meeting_status(meeting)
    dates = [f"Møde: {_when(meeting)}", f"Sagsfrist: {_deadline_text(deadline, body.deadline.time)}"]
    if agenda:
        dates.append(f"Dagsorden udsendes: {long_date(agenda)}")
    notes = _meeting_notes(meeting)
    events = [
        FeedEvent(
            key=key,
            summary=titled(f"{body.name} – møde", meeting),
            start=_start(meeting),
            end=_start(meeting) + dt.timedelta(minutes=meeting.duration_minutes),
            status=status,
            location=meeting.place,
            description="\n".join([f"Møde i {body.name}.", *notes, *dates]),
            url=url,
            categories=("Møde", body.name),
            stamp=changed,
        ),
        FeedEvent(
            key=key + "/deadline",
            summary=titled(f"{body.name} – sagsfrist", meeting),
            start=_deadline_start(deadline, body.deadline.time),
            status=status,
            description="\n".join(
                [
                    f"Sagsfrist for sager til {body.name}s møde {_when(meeting)}: "
                    f"{_deadline_text(deadline, body.deadline.time)} "
                    f"({body.deadline.describe()}).",
                    *notes,
                ]
            ),
            url=url,
            categories=("Sagsfrist", body.name),
            transparent=True,
            alarm_before=ALARM_TIMED if body.deadline.time else ALARM_ALL_DAY,
            stamp=changed,
        ),
    ]
    if agenda:
        events.append(
            FeedEvent(
                key=key + "/agenda",
                summary=titled(f"{body.name} – dagsorden udsendes", meeting),
                start=agenda,
                status=status,
                description="\n".join(
                    [f"Dagsordenen til {body.name}s møde {_when(meeting)} udsendes senest i dag.", *notes]
                ),
                url=url,
                categories=("Dagsorden", body.name),
                transparent=True,
                stamp=changed,
            )
        )
    return events


# --- a case's route ----------------------------------------------------------------------------


def case_events(
    case: CaseFacts, step: StepFacts, audience: Audience, changed: dt.datetime, with_meeting: bool = True
) -> list[FeedEvent]:
    """The step's submission deadline and (with_meeting) the case on the meeting.

    Keys name the case, stage, body and round, not the meeting: when the case is postponed or a
    meeting moved, the same event moves (and its SEQUENCE goes up) instead of a new one appearing.
    """
    hidden = case.closed_item and audience is Audience.PUBLIC
    title = CLOSED_TITLE if hidden else case.title
    key = f"{case.municipality}/case/{case.journal_number}/{step.stage}/{step.body_key}/{step.round}"
    meeting = step.meeting
    decided = bool(step.outcome)
    lines = [f"Sag: {title}"]
    if hidden:
        lines.append("Punktet behandles for lukkede døre; sagens oplysninger offentliggøres ikke.")
    else:
        lines.append(f"Journalnr.: {case.journal_number}")
        if case.closed_item:
            lines.append("Lukket punkt: behandles for lukkede døre.")
    lines.append(f"Trin {step.stage} af {case.stages} ({case.route_name}): {step.body_name}")
    if step.round > 1:
        lines.append(f"{step.round}. behandling i {step.body_name}.")
    lines += _meeting_notes(meeting)
    lines += [f"Sagsfrist: {_deadline_text(step.deadline, step.deadline_time)}", f"Møde: {_when(meeting)}"]
    if step.latest_meeting and step.latest_meeting.key != meeting.key and not decided:
        lines.append(f"Senest mulige møde: {_when(step.latest_meeting)}")
    if decided:
        lines.append(
            f"Beslutning: {step.outcome}."
            if hidden or not step.decision_text
            else f"Beslutning: {step.outcome}. {step.decision_text}"
        )
    if audience is Audience.PERSONAL:
        people = [
            f"Sagsansvarlig: {case.owner_name}" if case.owner_name else "",
            f"Leder: {case.manager_name}" if case.manager_name else "",
            f"Afdeling: {case.department}" if case.department else "",
        ]
        lines += [line for line in people if line]
    url = "" if hidden else case.url
    if url:
        lines.append(f"Se sagen: {url}")
    description = "\n".join(lines)
    status = meeting_status(meeting)
    events = [
        FeedEvent(
            key=key + "/deadline",
            summary=titled(f"Deadline for sag til {step.body_name}: {title}", meeting),
            start=_deadline_start(step.deadline, step.deadline_time),
            status=status,
            description=description,
            url=url,
            categories=("Sagsfrist", step.body_name),
            transparent=True,
            # Nobody needs reminding of a deadline that is behind the case.
            alarm_before=None if decided else (ALARM_TIMED if step.deadline_time else ALARM_ALL_DAY),
            stamp=changed,
        )
    ]
    if with_meeting:
        events.append(
            FeedEvent(
                key=key + "/meeting",
                summary=titled(f"Sag på møde i {step.body_name}: {title}", meeting),
                start=_start(meeting),
                end=_start(meeting) + dt.timedelta(minutes=meeting.duration_minutes),
                status=status,
                location=meeting.place,
                description=description,
                url=url,
                categories=("Møde", step.body_name),
                stamp=changed,
            )
        )
    return events
