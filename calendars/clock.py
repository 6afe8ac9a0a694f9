"""The one place that knows what time it is. Logic takes a Clock; tests and demos pin it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Protocol

import pendulum

from calendars.danish import TIMEZONE, parse_date


class Clock(Protocol):
    def now(self) -> pendulum.DateTime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    def now(self) -> pendulum.DateTime:
        return pendulum.now(TIMEZONE)

    def today(self) -> dt.date:
        return self.now().date()


@dataclass(frozen=True)
class FixedClock:
    at: pendulum.DateTime

    @classmethod
    def on(cls, day: dt.date, hour: int = 8) -> FixedClock:
        return cls(pendulum.datetime(day.year, day.month, day.day, hour, tz=TIMEZONE))

    def now(self) -> pendulum.DateTime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()


def clock_from_env() -> Clock:
    """SAGSGANG_TODAY=2027-01-04 pins the date (demos, tests); otherwise the system clock."""
    if pinned := os.environ.get("SAGSGANG_TODAY"):
        return FixedClock.on(parse_date(pinned))
    return SystemClock()
