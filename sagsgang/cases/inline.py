"""The inline orchestration: the lifecycle's steps (sagsgang.cases.steps) called as plain
functions in this process, without Prefect. For tests and for trying Sagsgang without a Prefect
server (SAGSGANG_ORCHESTRATION=inline, and the automatic choice when no service runs). Nothing
wakes a case by itself here: `wake_up` advances the cases that are due when it is called.

The static feeds are the one step not run here by default: a process of their own writes them
once the action has answered (sagsgang.publishing.background), as the service books a publish
run for them. Pass `publish=steps.publish_feeds` to write them before the call returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from calendars.clock import Clock
from sagsgang.cases import advance as route
from sagsgang.cases import steps
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.launch import LaunchRequest
from sagsgang.notifications import daily
from sagsgang.orchestration import CaseSummary, DailySummary, MeetingChanged, WokenUp
from sagsgang.publishing import background
from sagsgang.settings import Settings

T = TypeVar("T")


class InlineOrchestrator:
    """The steps run with `settings` (database, mail, feeds; read once by the entry point that made
    this orchestrator). `clock` (default: the settings' clock, read by each step) is the time of a
    run started without `now`; `publish` writes the static feeds after a plan changed. Without
    `remind_here` (a command while no service runs) the launch, advance and meeting change leave
    the reminders and escalations due to the service's wake-up (advance.follow_route): the command
    answers without building or sending mail."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        publish: Callable[[Settings], bool] = background.publish_later,
        remind_here: bool = True,
    ) -> None:
        self.settings, self.clock, self.publish, self.remind_here = settings, clock, publish, remind_here

    def _at(self, now: dt.datetime | None) -> dt.datetime | None:
        return now if now is not None or self.clock is None else self.clock.now()

    def _run(self, step: Callable[..., T], /, *args: Any) -> T:
        """Call the step here (advance.run_inline), except the feeds' publish: `publish`'s."""
        if step is steps.publish_feeds:
            return self.publish(*args)  # type: ignore[return-value]
        return step(*args)

    def launch(self, request: LaunchRequest, now: dt.datetime | None = None) -> CaseSummary:
        return route.launch(self.settings, request, self._at(now), self._run, remind_here=self.remind_here)

    def advance(
        self,
        journal_number: str,
        municipality: str | None = None,
        decision: DecisionForm | None = None,
        now: dt.datetime | None = None,
    ) -> CaseSummary:
        return route.advance(
            self.settings,
            journal_number,
            decision,
            municipality,
            self._at(now),
            self._run,
            remind_here=self.remind_here,
        )

    def meeting_changed(self, municipality: str, meeting_key: str, now: dt.datetime | None = None) -> MeetingChanged:
        return route.meeting_changed(
            self.settings, municipality, meeting_key, self._at(now), self._run, remind_here=self.remind_here
        )

    def daily_check(self, now: dt.datetime | None = None) -> DailySummary:
        return daily.check(self.settings, self._at(now), self._run)

    def wake_up(self, now: dt.datetime | None = None) -> WokenUp:
        """Advance every case whose wake-up time has come, here and now."""
        at = self._at(now)

        def advance_now(due: steps.Due, at: dt.datetime | None) -> None:
            route.advance(self.settings, due.journal_number, None, due.municipality, at, self._run)

        return route.wake_up(self.settings, at, self._run, advance_now)
