"""The deployments `sagsgang worker` serves, so the Prefect UI can run them (with Danish forms):

opret-sag/sagsgang        launch a case (form: Ny sag)
sagsforloeb/sagsgang      advance a case, optionally recording a decision (form: Beslutning)
moedeaendring/sagsgang    re-plan the cases on a moved or cancelled meeting
daglig-kontrol/sagsgang   the daily backstop, Cron 08:00 Europe/Copenhagen
"""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from flows.daily import daily_check
from flows.lifecycle import DEPLOYMENT, advance_case, launch_case, meeting_changed

DAILY = Cron("0 8 * * *", timezone="Europe/Copenhagen")


def deployments() -> list:
    options = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": ["sagsgang"]}
    return [
        launch_case.to_deployment(DEPLOYMENT, description="Opret en sag og start dens forløb.", **options),
        advance_case.to_deployment(DEPLOYMENT, description="Registrér en beslutning og før sagen videre.", **options),
        meeting_changed.to_deployment(
            DEPLOYMENT, description="Planlæg sagerne på et flyttet eller aflyst møde igen.", **options
        ),
        daily_check.to_deployment(
            DEPLOYMENT,
            schedules=[DAILY],
            **options,
            description="Daglig kontrol: påmindelser, eskaleringer og mandagsoversigt.",
        ),
    ]


def serve_all(limit: int | None = None) -> None:
    serve(*deployments(), limit=limit)
