"""The meetings a case is planned on: the profile's meeting plan kept in the database as far as
each plan needs (calendars.horizon.planning_period), bodies' meetings moved or cancelled, and
planning a route on them with a Danish reason when it cannot be done (docs/architecture.md § 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pendulum
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from calendars.clock import FixedClock
from calendars.danish import long_date
from calendars.horizon import planning_period
from calendars.meetings import Meeting as MeetingValue
from calendars.meetings import Schedule, meeting_plan
from calendars.planner import LateAddition, NoMeetingError, Plan, PlanningError, Target, plan
from calendars.profiles import Profile, Route
from calendars.workdays import CalendarRangeError
from models.store import cancel_meeting, load_meetings, move_meeting, sync_profile
from models.tables import Body, Case, Consultation, Decision, Meeting
from sagsgang.cases import history
from sagsgang.cases.history import Editor
from sagsgang.cases.meeting_guard import check_change
from sagsgang.inputs import UserError

# Meetings kept before the earliest day a plan refers to: the recent past the feeds and agendas show.
LOOKBACK = dt.timedelta(days=62)
# And at least this far ahead, however short the plan: the bodies' calendars (feeds) show the year ahead.
AHEAD = dt.timedelta(days=400)


def plan_route(
    session: Session,
    profile: Profile,
    route: Route,
    ready: dt.date,
    target: Target | None,
    held_after: dict[str, dt.date] | None = None,
    late: Sequence[LateAddition] = (),
    keep_going: bool = False,
    since: dt.date | None = None,
) -> Plan:
    """Plan on the stored meetings, storing first as many of the profile's meetings as the plan
    needs (from `since` too, when given); or a UserError saying why not. With keep_going, a target
    that can no longer be reached (after 'udsat', a missed deadline) gives the earliest plan instead."""
    held_after = held_after or {}
    start, end = _kept_period(session, profile, route, ready, target, held_after, late)
    end = min(max(end, max(ready, since or ready) + AHEAD), profile.calendar.last_day)
    start = min(start, since or start) - LOOKBACK
    last_day = profile.calendar.last_day
    while True:
        schedule = _schedule(session, profile, start, end)
        try:
            return _plan(route, schedule, ready, target, held_after, late, keep_going)
        except NoMeetingError as error:
            # Meetings moved or cancelled here can push the plan past the profile's own plan.
            if end >= last_day:
                raise UserError(str(error), "target_date" if target is not None else "ready") from None
            end = min(last_day, end + 2 * (end - start))
        except PlanningError as error:
            raise UserError(str(error), "target_date" if target is not None else "ready") from None
        except CalendarRangeError as error:
            raise UserError(str(error), "ready") from None


SCHEDULES = "sagsgang.schedules"  # session.info key of a transaction's kept schedules (keep_schedules)


def keep_schedules(session: Session) -> None:
    """Plan every case of this transaction on the meetings as first loaded: a bulk re-plan (many
    cases on the same meetings) loads them once, not once per case. Only for a transaction that
    moves no meeting itself."""
    session.info[SCHEDULES] = {}


def _schedule(session: Session, profile: Profile, start: dt.date, end: dt.date) -> Schedule:
    """The stored meetings from `start` as a Schedule, the profile's stored first as far as `end`."""
    kept = session.info.get(SCHEDULES)
    if kept is not None and (profile.key, start, end) in kept:
        return kept[profile.key, start, end]
    ensure_meetings(session, profile, start, end)
    schedule = Schedule.build(profile, load_meetings(session, profile.key, start))
    if kept is not None:
        kept[profile.key, start, end] = schedule
    return schedule


def _plan(route, schedule, ready, target, held_after, late, keep_going) -> Plan:
    try:
        return plan(route, schedule, ready, target, held_after=held_after, late=late)
    except NoMeetingError:
        raise
    except PlanningError:
        if target is not None and keep_going:
            return plan(route, schedule, ready, None, held_after=held_after, late=late)
        raise


def _kept_period(session, profile, route, ready, target, held_after, late) -> tuple[dt.date, dt.date]:
    """_period, kept for the transaction like its schedules (keep_schedules): cases on the same
    meeting mostly ask for the same days."""
    kept = session.info.get(SCHEDULES)
    if kept is None:
        return _period(profile, route, ready, target, held_after, late)
    key = ("period", profile.key, route, ready, target, tuple(sorted(held_after.items())), tuple(late))
    if key not in kept:
        kept[key] = _period(profile, route, ready, target, held_after, late)
    return kept[key]


def _period(profile, route, ready, target, held_after, late) -> tuple[dt.date, dt.date]:
    """The days the plan needs meetings for, planned on the profile's own meeting plan."""
    for wanted in (target, None):
        try:
            return planning_period(profile, route, ready, wanted, held_after=held_after, late=late)
        except (PlanningError, CalendarRangeError):
            continue
    # The plan cannot be made; planning on the stored meetings says why.
    return min([ready, *held_after.values()]), max(ready, target.day if target else ready)


def ensure_meetings(session: Session, profile: Profile, start: dt.date, end: dt.date) -> None:
    """The profile's meetings in [start, end] are in the database (only missing ends are added,
    so moves and cancellations made here are kept).

    Concurrent transactions may add the same missing bodies and meetings (many cases launched at
    once on a new database): the one that commits first wins, the others' inserts fail on the
    unique (municipality, key); each of those rolls back its savepoint and looks again, now seeing
    the winner's rows, so nobody stores a meeting twice and no launch fails for it. (On SQLite the
    write lock is taken when the transaction begins, models.db, so there the race cannot happen.)"""
    for attempt in range(1, STORE_TRIES + 1):
        missing = _missing_meetings(session, profile, start, end)
        if not missing:
            return
        try:
            with session.begin_nested():
                for meetings in missing:
                    sync_profile(session, profile, meetings)
            return
        except IntegrityError:
            if attempt == STORE_TRIES:
                raise


def meetings_missing(session: Session, profile: Profile, start: dt.date, end: dt.date) -> bool:
    """Whether `ensure_meetings` would store any: a reader asks first, and writes only then."""
    return bool(_missing_meetings(session, profile, start, end))


# Each retry sees what the transaction that beat it committed, so one retry is normally enough.
STORE_TRIES = 3


def _missing_meetings(session: Session, profile: Profile, start: dt.date, end: dt.date) -> list[list[MeetingValue]]:
    """The profile's meetings of each end of [start, end] not stored yet: before the first stored
    meeting and after the last. A span the profile plans no meeting in (past the end of its plan,
    say) is left out: storing it anyway would read every stored meeting again at each launch. With
    nothing stored yet, the whole period, which stores the bodies too."""
    first, last = session.exec(
        select(func.min(Meeting.day), func.max(Meeting.day)).where(Meeting.municipality == profile.key)
    ).one()
    if first is None:
        return [meeting_plan(profile, start, end)]
    spans = [(start, first - dt.timedelta(days=1)), (last + dt.timedelta(days=1), end)]
    plans = [meeting_plan(profile, span_start, span_end) for span_start, span_end in spans if span_start <= span_end]
    return [meetings for meetings in plans if meetings]


def stored_meeting(session: Session, profile: Profile, body: str, day: dt.date, consequence: str = "") -> Meeting:
    """The body's meeting on `day` (not cancelled), stored first if needed; UserError (Danish) when
    there is none, with `consequence` (", så …") after the reason."""
    ensure_meetings(session, profile, day, day)
    row = session.exec(
        select(Meeting)
        .join(Body, col(Body.id) == col(Meeting.body_id))
        .where(Meeting.municipality == profile.key, Body.key == body, Meeting.day == day)
    ).first()
    if row is None or row.cancelled:
        state = "er aflyst" if row is not None else "findes ikke"
        raise UserError(
            f"Mødet i {profile.bodies[body].name} {long_date(day)} {state}{consequence}. "
            f"Se mødeplanen med: sagsgang møder --kommune {profile.key} --organ {body} --fra … --til …"
        )
    return row


def change_meeting(
    session: Session,
    profile: Profile,
    body: str,
    day: dt.date,
    new_day: dt.date | None = None,
    new_time: dt.time | None = None,
    *,
    now: dt.datetime | None = None,
    confirmed: bool = False,
    editor: Editor | None = None,
) -> Meeting:
    """Move (new_day) or cancel the body's meeting on `day`; the cases on it are re-planned by
    put_on_meetings (the lifecycle flow). Raises UserError (Danish) when there is no such meeting.
    With `now` (the users' edges pass it), only a meeting still to come may change, and an unusual
    new day needs `confirmed` (sagsgang.cases.meeting_guard). With `editor` (and `now`), each
    case planned on the meeting gets an entry in its history ("Mødet flyttet")."""
    if body not in profile.bodies:
        raise UserError(f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.")
    ensure_meetings(session, profile, min(day, new_day or day) - LOOKBACK, max(day, new_day or day))
    row = stored_meeting(session, profile, body, day)
    if now is not None:
        check_change(profile, profile.bodies[body].name, row.day, row.starts_at, new_day, now, confirmed)
    try:
        changed = (
            cancel_meeting(session, profile.key, row.key)
            if new_day is None
            else move_meeting(session, profile.key, row.key, new_day, new_time)
        )
    except (ValueError, LookupError) as error:
        raise UserError(str(error)) from None
    if editor is not None and now is not None:
        cases = session.exec(select(Case).where(col(Case.id).in_(planned_case_ids(session, changed)))).all()
        clock = FixedClock(pendulum.instance(now))
        moved_to = changed.day if new_day is not None else None
        history.meeting_moved(session, list(cases), editor, clock, profile.bodies[body].name, day, moved_to)
    return changed


def undecided():
    """The consultation has no decision yet (a condition on Consultation rows)."""
    return ~select(Decision.id).where(Decision.consultation_id == Consultation.id).exists()


def planned_case_ids(session: Session, meeting: Meeting) -> list[int]:
    """The undecided cases planned on the meeting (not those whose latest possible meeting it is)."""
    query = select(Consultation.case_id).where(Consultation.meeting_id == meeting.id, undecided()).distinct()
    return list(session.exec(query).all())
