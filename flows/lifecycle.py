"""The case lifecycle as Prefect flows. They read like the route (sagsgang.cases.advance); the work
is in plain functions (sagsgang.cases.steps), the coarse ones run as tasks of the flow run (flows.tasks).

Each run is short and idempotent: it advances what the facts in our database allow, then waits.
It waits for a decision (recorded with `sagsgang sag beslut` or the Prefect UI, which runs this
flow again) or for the next reminder or deadline: the case's wake-up time (cases.wake_at), when
the wake-up flow (flows.wakeup) runs it again. The daily deployment (flows.daily) is the backstop.
A run has a few coarse tasks ("opret sagen", "følg sagens rute", "offentliggør kalendere"), not
one per fine step: each task run costs Prefect bookkeeping. Each flow run reads the settings once,
at its entry (flows.run_settings), and passes them to the steps.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.run_settings import read_settings
from flows.tasks import ADVANCE_FLOW, DEPLOYMENT, run_as_task, warn
from sagsgang.cases import advance
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.launch import LaunchRequest
from sagsgang.orchestration import CaseSummary, MeetingChanged

__all__ = ["DEPLOYMENT", "advance_case", "launch_case", "meeting_changed"]


@flow(name="opret-sag", log_prints=True)
def launch_case(request: LaunchRequest, now: dt.datetime | None = None) -> CaseSummary:
    """Opret en sag: gem den, planlæg hele ruten, offentliggør kalendere og start sagsforløbet.

    Args:
        request: Sagens oplysninger
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
    """
    return advance.launch(read_settings(), request, now, run_as_task, warn)


@flow(name=ADVANCE_FLOW, log_prints=True)
def advance_case(
    journal_number: str,
    decision: DecisionForm | None = None,
    municipality: str | None = None,
    now: dt.datetime | None = None,
    publish_feeds: bool = False,
) -> CaseSummary:
    """Før sagen videre: for hvert trin sæt den på næste møde, påmind, vent på beslutningen, gå videre.

    Args:
        journal_number: Sagens journalnummer, fx 27.00.00-G01-1-24
        decision: Et organs beslutning efter mødet (tom: før blot sagen videre)
        municipality: Kommunen – kun hvis journalnummeret findes i flere
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
        publish_feeds: Offentliggør kalendere, også hvis planen ikke ændres (en netop oprettet sag)
    """
    settings = read_settings()
    return advance.advance(settings, journal_number, decision, municipality, now, run_as_task, warn, publish_feeds)


@flow(name="moedeaendring", log_prints=True)
def meeting_changed(municipality: str, meeting_key: str, now: dt.datetime | None = None) -> MeetingChanged:
    """Et møde er flyttet eller aflyst: planlæg hver sag på mødet igen.

    Args:
        municipality: Kommunen, fx slagelse
        meeting_key: Mødets nøgle, fx direktion/2027-03-09 (organ/oprindelig dato)
        now: Tidspunkt – kun til afprøvning; tomt betyder nu
    """
    return advance.meeting_changed(read_settings(), municipality, meeting_key, now, run_as_task, warn)
