"""The Prefect implementation of the orchestration port (sagsgang.orchestration), registered as the
entry point `prefect`: the flows called in this process, as the CLI always has. Without
PREFECT_API_URL, Prefect starts a temporary local server for them (first call ~7–15 s).

The flows (and so Prefect, ~1 s to import) load only when a case runs: `sagsgang serve`'s workers
make an orchestrator when they build the app, and most of them never run a flow.

The flows run with this orchestrator's settings (flows.run_settings.given); the same flows run by a
Prefect worker read the worker's own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagsgang.cases.decisions import DecisionForm
    from sagsgang.cases.launch import LaunchRequest
    from sagsgang.orchestration import CaseSummary, DailySummary, MeetingChanged
    from sagsgang.settings import Settings


class PrefectOrchestrator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def launch(self, request: LaunchRequest, now: dt.datetime | None = None) -> CaseSummary:
        from sagsgang.cases.launch import check_launch

        # Bad input refused (UserError, nothing written) before Prefect is imported and a flow starts.
        check_launch(self.settings.engine(), request, self.settings.clock())
        from flows.lifecycle import launch_case
        from flows.run_settings import given

        with given(self.settings):
            return launch_case(request, now)

    def advance(
        self,
        journal_number: str,
        municipality: str | None = None,
        decision: DecisionForm | None = None,
        now: dt.datetime | None = None,
    ) -> CaseSummary:
        from flows.lifecycle import advance_case
        from flows.run_settings import given

        with given(self.settings):
            return advance_case(journal_number, decision=decision, municipality=municipality, now=now)

    def meeting_changed(self, municipality: str, meeting_key: str, now: dt.datetime | None = None) -> MeetingChanged:
        from flows.lifecycle import meeting_changed
        from flows.run_settings import given

        with given(self.settings):
            return meeting_changed(municipality, meeting_key, now)

    def daily_check(self, now: dt.datetime | None = None) -> DailySummary:
        from flows.daily import daily_check
        from flows.run_settings import given

        with given(self.settings):
            return daily_check(now)

    def register(self) -> list[str]:
        """The work pool and the deployments on the server PREFECT_API_URL names (`sagsgang arbejder`)."""
        from flows.deployments import register

        return register()
