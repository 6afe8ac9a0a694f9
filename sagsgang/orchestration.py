"""The orchestration port: the four operations of a case's lifecycle that the CLI and the web app
start (launch, advance, meeting changed, daily check), returning plain summaries.

Three implementations, registered in pyproject.toml under the entry point group
`sagsgang.orchestration` and chosen at start-up by the setting `orchestration`
(SAGSGANG_ORCHESTRATION): `tjeneste` (flows.handoff: store the fact, hand the follow-up to the
running service as a flow run, return at once), `inline` (sagsgang.cases.inline: the same steps as
plain function calls, here) and `prefect` (flows.orchestrator: the Prefect flows, in this process).
The default `auto` picks `tjeneste` when the service answers, else `inline`. sagsgang never imports
flows: the entry point names it.
"""

from __future__ import annotations

import datetime as dt
from importlib.metadata import EntryPoints, PackageNotFoundError, distribution, entry_points
from typing import TYPE_CHECKING, NotRequired, Protocol, TypedDict, final, runtime_checkable

from sagsgang.inputs import UserError

if TYPE_CHECKING:
    from sagsgang.cases.decisions import DecisionForm
    from sagsgang.cases.launch import LaunchRequest
    from sagsgang.settings import Settings

GROUP = "sagsgang.orchestration"
DISTRIBUTION = "sagsgang"  # pyproject.toml's [project] name: it declares the implementations


class CaseSummary(TypedDict):
    """A case after a run: what the CLI prints."""

    sag: str  # journal number
    status: str
    sendt: list[str]  # outbox keys of the mails sent
    naeste_koersel: str | None  # ISO time of the next reminder or deadline check
    beskrivelse: list[str]  # sagsgang.cases.description.describe
    venter: NotRequired[list[str]]  # mails due, left for the service to send (what each is about)
    koersel_id: NotRequired[str]  # handed to the service: the flow run that follows it up
    koersel_url: NotRequired[str]  # … and its page in the Prefect UI
    optaget: NotRequired[bool]  # the service runs but was busy: the follow-up ran here instead


class MeetingChanged(TypedDict):
    sager: dict[str, CaseSummary]  # journal number -> the case re-planned (handed off: to be re-planned)
    koersel_id: NotRequired[str]
    koersel_url: NotRequired[str]
    optaget: NotRequired[bool]


@final  # so that `"koersel_id" in summary` tells it from a DailySummary
class RunStarted(TypedDict):
    """A follow-up handed to the service whose outcome only the run will tell (the daily check)."""

    koersel_id: str
    koersel_url: str


class WokenUp(TypedDict):
    sager: list[str]  # journal numbers of the cases whose wake-up time had come, handed on
    sendt: int  # mails sent from the outbox (due ones, and retries whose backoff has passed)
    driftsadvarsler: int  # heartbeat mails queued: the daily check had not run by 09:00


# The daily check's counts, keyed as the CLI and the Prefect UI show them.
@final
class DailySummary(TypedDict):
    påmindelser: int
    eskaleringer: int
    fejl: int
    ugeoversigter: int
    forældede: int
    sendt: int
    ikke_sendt: int
    opgivet: int  # mails given up on in this run (marked failed, shown to the secretariat)
    optaget: NotRequired[bool]  # the service was busy: the check ran here instead


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

    def daily_check(self, now: dt.datetime | None = None) -> DailySummary | RunStarted: ...


class Worker(Protocol):
    """The implementation that registers the deployments in the work pool (`sagsgang arbejder`)."""

    def register(self) -> list[str]: ...


@runtime_checkable
class HandOff(Protocol):
    """An orchestrator that hands the follow-up to the service: its summaries carry `koersel_id`
    and `koersel_url`, and the run can be waited for (`--vent`)."""

    def wait(self, run_id: str, timeout: float, poll: float = 0.5) -> str | None: ...


def implementation(name: str) -> type:
    """The class registered under `name` in the entry point group."""
    found = registered(name)
    if not found:
        known = ", ".join(sorted(point.name for point in entry_points(group=GROUP))) or "ingen"
        raise UserError(
            f"Orkestreringen '{name}' kendes ikke (SAGSGANG_ORCHESTRATION). Installerede: {known}. "
            "Er Sagsgang installeret (pip install -e .)?"
        )
    loaded: type = next(iter(found)).load()
    return loaded


def registered(name: str) -> EntryPoints:
    """The entry points named `name` in the group: looked for in Sagsgang's own distribution first
    (one small file), and in every installed distribution only if it has none (entry_points()
    reads each one's metadata, a cost every action would pay)."""
    try:
        own = distribution(DISTRIBUTION).entry_points.select(group=GROUP, name=name)
    except PackageNotFoundError:  # run from a checkout that was never installed
        own = EntryPoints(())
    return own or entry_points(group=GROUP, name=name)


def chosen(settings: Settings) -> tuple[str, str | None]:
    """The implementation's name: the setting, with `auto` resolved — the hand-off to the service
    when one answers (sagsgang.service.discovery), else inline (no Prefect in this process); and
    with `auto` the Prefect API discovery found (None: not looked for, or none answers)."""
    if settings.orchestration != "auto":
        return settings.orchestration, None
    from sagsgang.service import discovery

    found = discovery.api_url(settings)
    return ("tjeneste" if found else "inline"), found


def orchestrator(settings: Settings, remind_here: bool = True) -> Orchestrator:
    """The implementation the settings choose. With `auto`, the hand-off is given the Prefect API
    discovery found (it does not look again); what happens when that server is busy or gone by the
    time of the hand-off is the hand-off's own business (it follows up inline and says why).
    Without `remind_here`, `auto` that found no service follows up inline but leaves the mails due
    to the service (sagsgang.cases.inline): the command line, which must answer at once."""
    name, api_url = chosen(settings)
    made: Orchestrator
    if api_url:
        made = implementation(name)(settings, api_url=api_url)
    elif settings.orchestration == "auto" and not remind_here:  # no service answered: `name` is inline
        made = implementation(name)(settings, remind_here=False)
    else:
        made = implementation(name)(settings)
    return made


def hand_off(orchestrator: Orchestrator) -> HandOff | None:
    """The orchestrator as a hand-off to the service (runs can be followed), or None (inline, in-process)."""
    return orchestrator if isinstance(orchestrator, HandOff) else None


def worker(settings: Settings) -> Worker:
    """The Prefect implementation, whatever the settings choose: only it has deployments to register."""
    made: Worker = implementation("prefect")(settings)
    return made
