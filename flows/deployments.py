"""The lifecycle's deployments in the Prefect work pool `sagsgang` (type process), so `prefect
worker` processes on any machine run them and the Prefect UI can start them (with Danish forms):

opret-sag/sagsgang        launch a case (form: Ny sag)
sagsforloeb/sagsgang      advance a case, optionally recording a decision (form: Beslutning)
moedeaendring/sagsgang    re-plan the cases on a moved or cancelled meeting
daglig-kontrol/sagsgang   the daily backstop, Cron 08:00 Europe/Copenhagen
vaekning/sagsgang         the wake-up: advance every case whose wake-up time has come, every 5 minutes
offentliggoer-kalendere/sagsgang  the static feeds, one run per 30 s slot that a case's run booked

Each entrypoint is a module path (flows.lifecycle.advance_case, …) with no pull steps: a worker's
flow run imports the installed package, checkout or wheel alike, and no image is built. So each
deployment names the flow run's command itself (`engine_command`): a process worker given none
first starts a workspace supervisor for every run, a Python process of its own that imports
Prefect to prepare a workspace (pull steps, dependencies) and then execs the engine — some 2 s of
CPU per run for nothing these deployments have.
`register()` is idempotent: `sagsgang tjeneste` and `sagsgang arbejder` call it at every start, and
each start asks for one wake-up at once (the catch-up of what fell due meanwhile).
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from contextlib import suppress
from typing import Any

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron, Interval, Schedule
from prefect.workers.process import ProcessWorker

from flows.daily import daily_check
from flows.feed_publishing import publish_feeds
from flows.lifecycle import DEPLOYMENT, advance_case, launch_case, meeting_changed
from flows.wakeup import WAKE_UP_FLOW, wake_up

POOL = DEPLOYMENT  # the work pool every deployment runs in
DAILY = Cron("0 8 * * *", timezone="Europe/Copenhagen")
WAKE_UP = Interval(dt.timedelta(minutes=5), timezone="Europe/Copenhagen")


def deployments() -> list[RunnerDeployment]:
    return [
        _deployment(launch_case, "Opret en sag og start dens forløb."),
        _deployment(advance_case, "Registrér en beslutning og før sagen videre."),
        _deployment(meeting_changed, "Planlæg sagerne på et flyttet eller aflyst møde igen."),
        _deployment(daily_check, "Daglig kontrol: påmindelser, eskaleringer og mandagsoversigt.", [DAILY]),
        _deployment(wake_up, "Væk de sager, hvis påmindelse eller frist er kommet.", [WAKE_UP]),
        _deployment(publish_feeds, "Offentliggør de statiske kalendere efter sagernes seneste ændringer."),
    ]


def engine_command() -> str:
    """The flow run's process: Prefect's engine under this Python (the installation registering
    the deployments, which every worker machine has at the same path), started by the worker itself."""
    return shlex.join([sys.executable, "-m", "prefect.engine"])


def _deployment(flow: Flow[..., Any], description: str, schedules: list[Schedule] | None = None) -> RunnerDeployment:
    # to_deployment dispatches on the caller: called from sync code it returns the deployment itself.
    return flow.to_deployment(  # type: ignore[return-value]
        DEPLOYMENT,
        description=description,
        schedules=schedules,
        entrypoint_type=EntrypointType.MODULE_PATH,
        tags=["sagsgang"],
    )


def register() -> list[str]:
    """The work pool (if missing) and every deployment in it, on the server PREFECT_API_URL names,
    and a wake-up run at once; the deployments' full names."""
    with get_client(sync_client=True) as client:
        # Made by an earlier start, the pool is kept as it is: its settings (concurrency, …) are IT's.
        with suppress(ObjectAlreadyExists):
            client.create_work_pool(
                WorkPoolCreate(
                    name=POOL, type="process", base_job_template=ProcessWorker.get_default_base_job_template()
                )
            )
        names = []
        for deployment in deployments():
            deployment.job_variables = {"command": engine_command()}  # job variables need the pool
            deployment.apply(work_pool_name=POOL)
            names.append(deployment.full_name)
        # What fell due while no service ran (a reminder a command left for it, a restart) goes
        # out now, not at the schedule's next slot up to five minutes on. A wake-up advances a
        # case once per wake-up time (flows.wakeup), so one more never advances a case twice.
        client.create_flow_run_from_deployment(client.read_deployment_by_name(f"{WAKE_UP_FLOW}/{DEPLOYMENT}").id)
    return names
