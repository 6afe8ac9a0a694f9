"""The wake-up (vaekning, every five minutes under the service, flows.deployments): every case whose
wake-up time (cases.wake_at) has come gets one `sagsforloeb` run, keyed by case and time so that a
wake-up that comes round again before the run has finished does not start a second one.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.deployments import run_deployment

from flows.run_settings import read_settings
from flows.tasks import ADVANCE_FLOW, DEPLOYMENT, run_as_task
from sagsgang.cases import advance, steps
from sagsgang.orchestration import WokenUp

WAKE_UP_FLOW = "vaekning"


def advance_later(due: steps.Due, now: dt.datetime | None) -> None:
    """A run of the advance deployment, now, for this case and wake-up time (at most one). A
    wake-up run for a given time (`now`: a re-run, a test) advances the case as of that time."""
    parameters: dict[str, object] = {"journal_number": due.journal_number, "municipality": due.municipality}
    if now is not None:
        parameters["now"] = now.isoformat()
    run_deployment(
        f"{ADVANCE_FLOW}/{DEPLOYMENT}",
        timeout=0,
        as_subflow=False,
        parameters=parameters,
        idempotency_key=due.idempotency_key,
    )


@flow(name=WAKE_UP_FLOW, log_prints=True)
def wake_up(now: dt.datetime | None = None) -> WokenUp:
    """Væk de sager, hvis næste påmindelse eller frist er kommet, og før hver af dem videre.

    Args:
        now: Tidspunkt – kun til afprøvning eller en genkørsel; tomt betyder nu
    """
    return advance.wake_up(read_settings(), now, run_as_task, advance_later)
