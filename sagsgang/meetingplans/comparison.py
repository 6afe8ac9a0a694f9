"""What importing a meeting plan would change: the file's meetings compared with the body's
meetings in the database, and the days that need a second look (holidays, closing days, weekends,
recesses).

Per body, the file is the adopted plan from its first to its last meeting. A file meeting on the
day of a stored one is that meeting (its time or place may change); a stored meeting the file does
not have is paired with the nearest file meeting within MOVE_WINDOW (a move: the key, the cases and
the calendar subscribers follow it); what is left is new, or cancelled when it lies inside the
file's period. Meetings outside that period are left alone.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from calendars.danish import WEEKDAYS, short_date
from calendars.profiles import Profile
from models.tables import Body, Case, Consultation, Decision, Meeting
from sagsgang.cases.scheduling import AHEAD, LOOKBACK, ensure_meetings
from sagsgang.meetingplans.reading import PlanFileError, PlanRow, RowProblem

MOVE_WINDOW = dt.timedelta(days=14)


class ChangeKind(enum.StrEnum):
    NEW = "nyt"
    MOVED = "flyttet"
    CHANGED = "ændret"  # same day: new time, place, or a cancelled meeting held after all
    CANCELLED = "aflyst"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    body: str
    body_name: str
    row: int | None  # the file's row; None for a cancellation
    key: str | None  # the stored meeting's key; None for a new meeting
    day: dt.date  # the meeting's day after the import (for a cancellation: its day)
    time: dt.time
    place: str
    old_day: dt.date | None = None
    old_time: dt.time | None = None
    cases: tuple[str, ...] = ()  # journal numbers of the cases planned on the stored meeting

    @property
    def replans(self) -> bool:
        """Its cases are planned again (a deadline counts working days back from the day)."""
        return self.kind in (ChangeKind.MOVED, ChangeKind.CANCELLED) and bool(self.cases)


@dataclass(frozen=True)
class DayFlag:
    row: int
    message: str  # "25. marts 2027 er skærtorsdag"

    def __str__(self) -> str:
        return f"Række {self.row}: {self.message}"


@dataclass(frozen=True)
class Preview:
    municipality: str
    changes: tuple[Change, ...]
    flags: tuple[DayFlag, ...]
    unchanged: int

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]

    @property
    def cases(self) -> list[str]:
        """The cases that would be planned again."""
        return sorted({number for change in self.changes if change.replans for number in change.cases})


def preview_plan(session: Session, profile: Profile, rows: Sequence[PlanRow]) -> Preview:
    """Compare; writes the profile's provisional meetings for the period into `session` first (as
    moving a meeting does), so a dry run must roll the session back. PlanFileError on a row that
    cannot be stored (outside the calendar's years, or a day a moved meeting's key holds)."""
    problems = [
        RowProblem(r.row, f"{short_date(r.day)} ligger uden for kalenderens år.")
        for r in rows
        if not profile.calendar.covers(r.day)
    ]
    if problems:
        raise PlanFileError(problems)
    ensure_meetings(session, profile, min(r.day for r in rows) - LOOKBACK, max(r.day for r in rows) + AHEAD)
    changes: list[Change] = []
    unchanged = 0
    for body in dict.fromkeys(r.body for r in rows):
        body_rows = [r for r in rows if r.body == body]
        body_changes, same = _compare_body(session, profile, body, body_rows)
        changes += body_changes
        unchanged += same
    cases = _cases_on(session, profile.key, [c.key for c in changes if c.key])
    changes = [
        Change(**{**c.__dict__, "cases": cases.get(c.key, ())}) if c.key else c
        for c in sorted(changes, key=lambda c: (c.day, c.body))
    ]
    flagged = {c.row for c in changes if c.row is not None and c.kind is not ChangeKind.CANCELLED}
    flags = [
        flag
        for r in sorted(rows, key=lambda r: r.row)
        if r.row in flagged and (flag := day_flag(profile, r)) is not None
    ]
    return Preview(profile.key, tuple(changes), tuple(flags), unchanged)


def day_flag(profile: Profile, row: PlanRow) -> DayFlag | None:
    """Why the body would not normally meet on the row's day, if so."""
    calendar = profile.calendar
    day = row.day
    if (off := calendar.day_off(day)) is not None:
        if off.kind == "helligdag":  # "25. marts 2027 er skærtorsdag"
            return DayFlag(row.row, f"{short_date(day)} er {off.name[:1].lower()}{off.name[1:]} (helligdag)")
        return DayFlag(row.row, f"{short_date(day)}: {off.name} ({off.kind})")
    if not calendar.is_working_day(day):
        return DayFlag(row.row, f"{short_date(day)} er en {WEEKDAYS[day.weekday()]}")
    recess = calendar.recess_at(day)
    if recess is not None and not profile.bodies[row.body].meets_in_recess:
        return DayFlag(
            row.row, f"{short_date(day)} ligger i {recess.name.lower()}, hvor der ikke holdes ordinære møder"
        )
    return None


def _compare_body(session: Session, profile: Profile, body: str, rows: Sequence[PlanRow]) -> tuple[list[Change], int]:
    name = profile.bodies[body].name
    first, last = rows[0].day, rows[-1].day
    stored = list(
        session.exec(
            select(Meeting)
            .join(Body, col(Body.id) == col(Meeting.body_id))
            .where(
                Meeting.municipality == profile.key,
                Body.key == body,
                Meeting.day >= first - MOVE_WINDOW,
                Meeting.day <= last + MOVE_WINDOW,
            )
        )
    )
    by_day = {m.day: m for m in sorted(stored, key=lambda m: m.cancelled, reverse=True)}  # a live one wins
    changes: list[Change] = []
    unchanged = 0
    open_rows: list[PlanRow] = []
    matched: set[int] = set()
    for row in rows:
        meeting = by_day.get(row.day)
        if meeting is None:
            open_rows.append(row)
            continue
        matched.add(id(meeting))
        if (meeting.local_time, meeting.place, meeting.cancelled) == (row.time, row.place, False):
            unchanged += 1
        else:
            changes.append(_change(ChangeKind.CHANGED, name, row, meeting))
    waiting = [m for m in stored if id(m) not in matched and not m.cancelled]
    pairs = sorted(
        ((abs((r.day - m.day).days), r.day, m.day, r, m) for r in open_rows for m in waiting),
        key=lambda p: p[:3],
    )
    moved_rows: set[int] = set()
    for distance, _, _, row, meeting in pairs:
        if distance <= MOVE_WINDOW.days and row.row not in moved_rows and id(meeting) not in matched:
            moved_rows.add(row.row)
            matched.add(id(meeting))
            changes.append(_change(ChangeKind.MOVED, name, row, meeting))
    taken = {m.key for m in stored}
    problems = []
    for row in open_rows:
        if row.row in moved_rows:
            continue
        key = f"{body}/{row.day.isoformat()}"
        if key in taken:
            problems.append(
                RowProblem(
                    row.row,
                    f"Mødet i {name} {short_date(row.day)} er tidligere flyttet til en anden dag. "
                    "Flyt det tilbage med 'sagsgang mødeplan flyt', eller fjern rækken.",
                )
            )
        changes.append(Change(ChangeKind.NEW, body, name, row.row, None, row.day, row.time, row.place))
    if problems:
        raise PlanFileError(problems)
    for meeting in waiting:
        if id(meeting) not in matched and first <= meeting.day <= last:
            changes.append(
                Change(
                    ChangeKind.CANCELLED, body, name, None, meeting.key, meeting.day, meeting.local_time, meeting.place
                )
            )
    return changes, unchanged


def _change(kind: ChangeKind, name: str, row: PlanRow, meeting: Meeting) -> Change:
    return Change(
        kind, row.body, name, row.row, meeting.key, row.day, row.time, row.place, meeting.day, meeting.local_time
    )


def _cases_on(session: Session, municipality: str, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Journal numbers of the cases with an undecided consultation on each meeting."""
    wanted = list(keys)
    if not wanted:
        return {}
    undecided = ~select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()
    found: dict[str, set[str]] = {}
    for column in (Consultation.meeting_id, Consultation.latest_meeting_id):
        rows = session.exec(
            select(Meeting.key, Case.journal_number)
            .join(Consultation, col(column) == col(Meeting.id))
            .join(Case, col(Case.id) == col(Consultation.case_id))
            .where(Meeting.municipality == municipality, col(Meeting.key).in_(wanted), undecided)
        ).all()
        for key, number in rows:
            found.setdefault(key, set()).add(number)
    return {key: tuple(sorted(numbers)) for key, numbers in found.items()}
