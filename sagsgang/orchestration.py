"""The orchestration port: the four operations of a case's lifecycle that the CLI and the web app
start (launch, advance, meeting changed, daily check), returning plain summaries.

Two implementations, registered in pyproject.toml under the entry point group
`sagsgang.orchestration` and chosen at start-up by the setting `orchestration`
(SAGSGANG_ORCHESTRATION): `prefect` (flows.orchestrator: the Prefect flows, in this process) and
`inline` (sagsgang.cases.inline: the same steps as plain function calls). sagsgang never imports
flows: the entry point names it.
"""

from __future__ import annotations

import datetime as dt
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol, TypedDict

from sagsgang.inputs import UserError

if TYPE_CHECKING:
    from sagsgang.cases.decisions import DecisionForm
    from sagsgang.cases.launch import LaunchRequest
    from sagsgang.settings import Settings

GROUP = "sagsgang.orchestration"


class CaseSummary(TypedDict):
    """A case after a run: what the CLI prints."""

    sag: str  # journal number
    status: str
    sendt: list[str]  # outbox keys of the mails sent
    naeste_koersel: str | None  # ISO time of the next reminder or deadline check
    beskrivelse: list[str]  # sagsgang.cases.description.describe


class MeetingChanged(TypedDict):
    sager: dict[str, CaseSummary]  # journal number -> the case re-planned


# The daily check's counts, keyed as the CLI and the Prefect UI show them.
class DailySummary(TypedDict):
    påmindelser: int
    eskaleringer: int
    fejl: int
    ugeoversigter: int
    forældede: int
    sendt: int
    ikke_sendt: int
    opgivet: int  # mails given up on in this run (marked failed, shown to the secretariat)


class Orchestrator(Protocol):
    def launch(self, request: LaunchRequest, now: dt.datetime | None = None) -> CaseSummary: ...

    def advance(
        self,
        journal_number: str,
        municipality: str | None = None,
        decision: DecisionForm | None = None,
        now: dt.datetime | None = None,
    ) -> CaseSummary: ...

    def meeting_changed(
        self, municipality: str, meeting_key: str, now: dt.datetime | None = None
    ) -> MeetingChanged: ...

    def daily_check(self, now: dt.datetime | None = None) -> DailySummary: ...


class Worker(Protocol):
    """An implementation that can also serve its deployments (`sagsgang worker`)."""

    def serve(self, limit: int | None = None) -> None: ...


def implementation(name: str) -> type:
    """The class registered under `name` in the entry point group."""
    found = entry_points(group=GROUP, name=name)
    if not found:
        known = ", ".join(sorted(point.name for point in entry_points(group=GROUP))) or "ingen"
        raise UserError(
            f"Orkestreringen '{name}' kendes ikke (SAGSGANG_ORCHESTRATION). Installerede: {known}. "
            "Er Sagsgang installeret (pip install -e .)?"
        )
    loaded: type = next(iter(found)).load()
    return loaded


def orchestrator(settings: Settings) -> Orchestrator:
    """The implementation the settings choose."""
    made: Orchestrator = implementation(settings.orchestration)(settings)
    return made


def worker(settings: Settings) -> Worker:
    """The Prefect implementation, whatever the settings choose: only it has deployments to serve."""
    made: Worker = implementation("prefect")(settings)
    return made
