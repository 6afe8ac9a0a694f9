"""What must hold before a meeting is moved or cancelled, for the CLI (`mødeplan flyt|aflys`) and
the web alike: the meeting is still to come, and a new day that is a holiday, a closing day, a
weekend or in a recess is taken only when the secretariat confirms it by name ("25. marts 2027
er skærtorsdag"). The names come from the municipality's calendar (calendars.workdays).
"""

from __future__ import annotations

import datetime as dt

from calendars.danish import long_date, short_date
from calendars.profiles import Profile
from sagsgang.danish_words import join
from sagsgang.inputs import UserError


class DayNeedsConfirmation(UserError):
    """The new day is not an ordinary meeting day; `reasons` name why (one sentence each)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            f"{join(reasons)}. Bekræft, at mødet alligevel skal ligge den dag.",
            "new_day",
        )
        self.reasons = reasons


def unusual_day(profile: Profile, day: dt.date) -> list[str]:
    """Why `day` is no ordinary meeting day, in Danish ("25. marts 2027 er skærtorsdag"); empty
    when it is one."""
    calendar = profile.calendar
    named = short_date(day)
    reasons = []
    if day.weekday() >= 5:
        reasons.append(f"{named} er en {long_date(day).split()[0]}")
    if calendar.covers(day):
        if (off := calendar.day_off(day)) is not None:
            what = off.name[0].lower() + off.name[1:]
            reasons.append(f"{named} er {what}" + (" (rådhuset er lukket)" if off.kind == "lukkedag" else ""))
        if (recess := calendar.recess_at(day)) is not None:
            reasons.append(f"{named} ligger i {recess.name.lower()}, hvor der ikke holdes ordinære møder")
    return reasons


def check_change(
    profile: Profile,
    body_name: str,
    day: dt.date,
    starts_at: dt.datetime,
    new_day: dt.date | None,
    now: dt.datetime,
    confirmed: bool = False,
) -> None:
    """UserError unless the meeting on `day`, starting at `starts_at`, may be moved to `new_day`
    (None: cancelled) now; DayNeedsConfirmation when only a confirmation is missing."""
    if starts_at <= now:
        raise UserError(
            f"Mødet i {body_name} {long_date(day)} er allerede begyndt eller afholdt. "
            "Kun kommende møder kan flyttes eller aflyses.",
            "day",
        )
    if new_day is None:
        return
    if new_day < now.date():
        raise UserError(f"{long_date(new_day)} er gået. Vælg en dato fra i dag og frem.", "new_day")
    reasons = unusual_day(profile, new_day)
    if reasons and not confirmed:
        raise DayNeedsConfirmation(reasons)
