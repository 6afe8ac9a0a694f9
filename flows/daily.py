"""The daily backstop as a Prefect flow (Cron 08:00 Europe/Copenhagen, flows.deployments): the steps
of sagsgang.notifications.daily, each a task (flows.tasks).
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.run_settings import read_settings
from flows.tasks import run_as_task, warn
from sagsgang.notifications import daily
from sagsgang.orchestration import DailySummary


@flow(name="daglig-kontrol", log_prints=True)
def daily_check(now: dt.datetime | None = None) -> DailySummary:
    """Dagens kontrol: påmindelser før sagsfrister, eskalering af overskredne frister, mandagsoversigt.

    Args:
        now: Tidspunkt – kun til afprøvning eller en genkørsel; tomt betyder nu
    """
    return daily.check(read_settings(), now, run_as_task, warn)
