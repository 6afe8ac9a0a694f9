"""The hand-off: the orchestration port as the CLI and the web app use it while the service runs
(registered as the entry point `tjeneste`; chosen automatically, sagsgang.orchestration). The fact
is stored first, in its own transaction (the same plain steps the flows run), then the follow-up is
handed to the service as a flow run of its deployment, and the call returns at once.

The flow run is created through Prefect's documented REST API with httpx (about 20 ms), not with
Prefect's client: `import prefect` alone costs over a second, and an action must answer in well
under one. POST /deployments/name/{flow}/{deployment} is not needed: GET finds the deployment,
POST /deployments/{id}/create_flow_run starts it, GET /flow_runs/{id} follows it (`wait`).

When the hand-off fails after the fact is stored, the follow-up runs here (the steps are idempotent,
so a run the server did create after all finds nothing left to do), and the summary says why: a
server that stays busy (429/502/503 after the retries, or no answer in time) is marked `optaget`,
for the CLI and web to say the service was busy, not that it is down.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

import httpx

from sagsgang.cases import steps
from sagsgang.service import discovery

if TYPE_CHECKING:
    from sagsgang.cases.decisions import DecisionForm
    from sagsgang.cases.inline import InlineOrchestrator
    from sagsgang.cases.launch import LaunchRequest
    from sagsgang.orchestration import CaseSummary, DailySummary, MeetingChanged, RunStarted
    from sagsgang.settings import Settings

DEPLOYMENT = "sagsgang"  # flows.tasks.DEPLOYMENT, named again here so this module imports no Prefect
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
# Seconds for one request to a Prefect server on this machine or the local network: connecting is
# quick or the server is down; an answer may take longer while the server works off a burst (the
# requests are limited by IN_FLIGHT, so waiting longer does not pile them up).
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
RETRY_STATUS = {429, 502, 503}
RETRY_PAUSES = (0.1, 0.3, 1.0)
# Requests one process has at the Prefect server at once. Under a burst (hundreds of launches at
# once) more would not be served sooner: they would time out together, be sent again and bury the
# server (congestion collapse); these wait here instead, each with its full timeout once sent.
IN_FLIGHT = 4
_in_flight = threading.BoundedSemaphore(IN_FLIGHT)
log = logging.getLogger(__name__)


def _inline(settings: Settings) -> InlineOrchestrator:
    """The follow-up run here, after a failed hand-off (imported then: most actions never need it)."""
    from sagsgang.cases.inline import InlineOrchestrator

    return InlineOrchestrator(settings)


class NotRunning(RuntimeError):
    """No Prefect server answers, or it lacks our deployments."""


class Busy(RuntimeError):
    """The Prefect server answers, but stays busy (429/502/503 or too slow) after the retries."""


class HandOffOrchestrator:
    """`transport` is for tests (httpx.MockTransport); `api_url` defaults to the running service's."""

    def __init__(
        self, settings: Settings, api_url: str | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        url = api_url or discovery.api_url(settings)
        if url is None:
            raise NotRunning("Tjenesten kører ikke (ingen Prefect-server svarer).")
        self.settings, self.api_url = settings, url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.api_url + "/", timeout=TIMEOUT, transport=transport, **discovery.tls_options(self.api_url)
        )
        self._deployments: dict[str, str] = {}  # flow name → deployment id
        if found := discovery.advance_deployment_id(self.api_url):  # discovery has just asked for it
            self._deployments[discovery.ADVANCE_FLOW] = found

    # --- the port ---------------------------------------------------------------------------------

    def launch(self, request: LaunchRequest, now: dt.datetime | None = None) -> CaseSummary:
        # The feeds are the service's run to publish (half of this call's time when done here).
        case_id = steps.store_case(self.settings, request, now)
        return self._follow(case_id, now, publish_feeds=True)

    def advance(
        self,
        journal_number: str,
        municipality: str | None = None,
        decision: DecisionForm | None = None,
        now: dt.datetime | None = None,
    ) -> CaseSummary:
        if decision is not None:
            steps.record_decision(self.settings, journal_number, decision, municipality, now)
        case_id = steps.find_case(self.settings, journal_number, municipality)
        return self._follow(case_id, now, publish_feeds=decision is not None)  # the feeds show the decision

    def meeting_changed(self, municipality: str, meeting_key: str, now: dt.datetime | None = None) -> MeetingChanged:
        statuses = steps.cases_on_meeting(self.settings, municipality, meeting_key)
        if not statuses:
            return {"sager": {}}  # nothing planned on it: nothing to follow up
        parameters: dict[str, Any] = {"municipality": municipality, "meeting_key": meeting_key}
        try:
            run = self.create_run("moedeaendring", parameters, now, key=f"{municipality}/{meeting_key}")
        except (httpx.HTTPError, NotRunning, Busy) as error:
            log.warning("Hand-off of meeting %s failed (%s); re-planning inline", meeting_key, error)
            changed = _inline(self.settings).meeting_changed(municipality, meeting_key, now)
            return {**changed, "optaget": True} if isinstance(error, Busy) else changed
        return {"sager": _to_re_plan(statuses), **run}  # type: ignore[typeddict-item]

    def daily_check(self, now: dt.datetime | None = None) -> DailySummary | RunStarted:
        """The daily check asked for by hand: a run of the service's own deployment (08:00)."""
        try:
            return self.create_run("daglig-kontrol", {}, now, key="daglig-kontrol")  # type: ignore[return-value]
        except (httpx.HTTPError, NotRunning, Busy) as error:
            log.warning("Hand-off of the daily check failed (%s); running it inline", error)
            checked = _inline(self.settings).daily_check(now)
            return {**checked, "optaget": True} if isinstance(error, Busy) else checked

    # --- flow runs ----------------------------------------------------------------------------------

    def _follow(self, case_id: int, now: dt.datetime | None, publish_feeds: bool = False) -> CaseSummary:
        summary = steps.summary(self.settings, case_id, [], None)
        municipality = steps.municipality_of(self.settings, case_id)
        parameters: dict[str, Any] = {"journal_number": summary["sag"], "municipality": municipality}
        if publish_feeds:
            parameters["publish_feeds"] = True
        try:
            run = self.create_run(discovery.ADVANCE_FLOW, parameters, now, key=f"{municipality}/{summary['sag']}")
        except (httpx.HTTPError, NotRunning, Busy) as error:
            # The fact is stored; the follow-up must not be lost: it runs here instead.
            log.warning("Hand-off of %s failed (%s); following it up inline", summary["sag"], error)
            followed = _inline(self.settings).advance(summary["sag"], municipality, now=now)
            if publish_feeds:
                steps.publish_feeds(self.settings)
            return {**followed, "optaget": True} if isinstance(error, Busy) else followed
        return {**summary, **run}  # type: ignore[typeddict-item]

    def create_run(
        self, flow_name: str, parameters: dict[str, Any], now: dt.datetime | None, key: str
    ) -> dict[str, str]:
        """A flow run of `<flow_name>/sagsgang`, due now: its id and its page in the Prefect UI."""
        if now is not None:
            parameters = {**parameters, "now": now.isoformat()}
        # One hand-off, one run: the retries below send the same key, so they never start a second.
        body = {"parameters": parameters, "idempotency_key": f"{key}/{uuid.uuid4()}"}
        created = self._request("POST", f"deployments/{self._deployment_id(flow_name)}/create_flow_run", json=body)
        if created.status_code == 404:  # the deployment was registered anew (the service restarted)
            self._deployments.pop(flow_name, None)
            created = self._request("POST", f"deployments/{self._deployment_id(flow_name)}/create_flow_run", json=body)
        created.raise_for_status()
        run_id = str(created.json()["id"])
        return {"koersel_id": run_id, "koersel_url": f"{discovery.ui_url(self.api_url)}/runs/flow-run/{run_id}"}

    def _deployment_id(self, flow_name: str) -> str:
        """The deployment's id, asked for once per process (it changes only when it is registered anew)."""
        if flow_name not in self._deployments:
            found = self._request("GET", f"deployments/name/{flow_name}/{DEPLOYMENT}")
            if found.status_code == 404:
                raise NotRunning(
                    f"Prefect-serveren på {self.api_url} kender ikke deploymentet {flow_name}/{DEPLOYMENT}."
                )
            found.raise_for_status()
            self._deployments[flow_name] = str(found.json()["id"])
        return self._deployments[flow_name]

    def _request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """The request, tried again after a short pause while the server answers 429/502/503 (a busy
        Prefect server on SQLite does), as Prefect's own client does, or does not answer in time (a
        busy server under many hand-offs at once: a repeated POST carries the same idempotency key,
        so the server answers with the run it may have created already, not a second one). Busy if
        it stays so after the retries."""
        for pause in RETRY_PAUSES:
            try:
                answer = self._send(method, url, **options)
            except httpx.TimeoutException as error:
                log.info("Prefect server slow (%s %s: %s); trying again", method, url, error)
            else:
                if answer.status_code not in RETRY_STATUS:
                    return answer
            time.sleep(pause)
        try:
            answer = self._send(method, url, **options)
        except httpx.TimeoutException as error:
            raise Busy(f"Prefect-serveren på {self.api_url} svarede ikke i tide ({error})") from error
        if answer.status_code in RETRY_STATUS:
            raise Busy(f"Prefect-serveren på {self.api_url} svarede {answer.status_code}")
        return answer

    def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        with _in_flight:
            return self.http.request(method, url, **options)

    def state(self, run_id: str) -> str:
        """The flow run's state type: SCHEDULED, PENDING, RUNNING, COMPLETED, FAILED, …"""
        answer = self._request("GET", f"flow_runs/{run_id}")
        answer.raise_for_status()
        state = answer.json().get("state") or {}
        return str(state.get("type") or "SCHEDULED")

    def wait(self, run_id: str, timeout: float, poll: float = 0.5) -> str | None:
        """The run's final state type, or None if it is not final within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self.state(run_id)
            except Busy:  # asked again at the next poll
                state = "UNKNOWN"
            if state in FINAL:
                return state
            if time.monotonic() >= deadline:
                return None
            time.sleep(poll)


def _to_re_plan(statuses: dict[str, str]) -> dict[str, CaseSummary]:
    """The cases the run re-plans, as they stand now (read with the cases on the meeting, one
    query): their new plan, mails and next wake-up are the run's to tell (`--vent` prints them
    after it), so none is described here (a moved meeting may carry hundreds of cases; the request
    answers at once)."""
    return {
        journal: {"sag": journal, "status": status, "sendt": [], "naeste_koersel": None, "beskrivelse": []}
        for journal, status in statuses.items()
    }
