"""The one place that knows what time it is. Logic takes a Clock; tests and demos pin it
(sagsgang.settings.Settings.clock() reads SAGSGANG_TODAY)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import pendulum

from calendars.danish import TIMEZONE


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
