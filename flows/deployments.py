"""The deployments `sagsgang worker` serves, so the Prefect UI can run them (with Danish forms):

opret-sag/sagsgang        launch a case (form: Ny sag)
sagsforloeb/sagsgang      advance a case, optionally recording a decision (form: Beslutning)
moedeaendring/sagsgang    re-plan the cases on a moved or cancelled meeting
daglig-kontrol/sagsgang   the daily backstop, Cron 08:00 Europe/Copenhagen
"""

from __future__ import annotations

from typing import Any

from prefect import Flow, serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Schedule

from flows.daily import daily_check
from flows.lifecycle import DEPLOYMENT, advance_case, launch_case, meeting_changed

DAILY = Cron("0 8 * * *", timezone="Europe/Copenhagen")


def deployments() -> list[RunnerDeployment]:
    return [
        _deployment(launch_case, "Opret en sag og start dens forløb."),
        _deployment(advance_case, "Registrér en beslutning og før sagen videre."),
        _deployment(meeting_changed, "Planlæg sagerne på et flyttet eller aflyst møde igen."),
        _deployment(daily_check, "Daglig kontrol: påmindelser, eskaleringer og mandagsoversigt.", [DAILY]),
    ]


def _deployment(flow: Flow[..., Any], description: str, schedules: list[Schedule] | None = None) -> RunnerDeployment:
    # to_deployment dispatches on the caller: called from sync code it returns the deployment itself.
    return flow.to_deployment(  # type: ignore[return-value]
        DEPLOYMENT,
        description=description,
        schedules=schedules,
        entrypoint_type=EntrypointType.MODULE_PATH,
        tags=["sagsgang"],
    )


def serve_all(limit: int | None = None) -> None:
    serve(*deployments(), limit=limit)
