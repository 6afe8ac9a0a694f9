"""The static calendar feeds (SAGSGANG_FEEDS_DIR) under the service. A flow run that changed a
plan does not publish them itself: it books the publish run of the coming time slot (every
SLOT_SECONDS), one run per slot however many runs ask (Prefect's idempotency key). A publish
writes every feed from what the database says when it starts, so each change is published by a
publish that starts after it was committed, within a slot and a publish; and 400 flow runs in ten
minutes cost some twenty publishes, not 400 (each one's cost grows with the cases: with 200 cases
the runs spent most of their CPU on publishing, issue 11).

Outside a deployment run (the in-process Prefect orchestrator, its tests) the run publishes at
once, as the inline lifecycle does. Feeds served over HTTP (`sagsgang tjeneste`) are read from
the database at each request and are not delayed.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.runtime import deployment

from flows.run_settings import read_settings
from sagsgang.cases import steps
from sagsgang.settings import Settings

PUBLISH_FLOW = "offentliggoer-kalendere"
SLOT_SECONDS = 30


def slot_after(moment: dt.datetime) -> dt.datetime:
    """The start of the next time slot after `moment` (aware), in UTC."""
    start = (int(moment.timestamp()) // SLOT_SECONDS + 1) * SLOT_SECONDS
    return dt.datetime.fromtimestamp(start, dt.UTC)


def publish_soon(settings: Settings, moment: dt.datetime | None = None) -> bool:
    """Book the publish of the slot after `moment` (default: now on the real clock, which Prefect's
    schedules and workers run on, not the pinned SAGSGANG_TODAY); or, outside a deployment run,
    publish now. False when there is nowhere to publish."""
    if settings.feeds_dir is None:
        return False
    if deployment.id is None:
        return steps.publish_feeds(settings)
    from flows.tasks import DEPLOYMENT  # flows.tasks imports this module

    at = slot_after(moment or dt.datetime.now(dt.UTC))
    run_deployment(
        f"{PUBLISH_FLOW}/{DEPLOYMENT}",
        timeout=0,
        as_subflow=False,
        scheduled_time=at,
        idempotency_key=f"{PUBLISH_FLOW}@{at.isoformat()}",
    )
    return True


@task(name="offentliggør kalendere", cache_policy=NO_CACHE)
def _publish(settings: Settings) -> bool:
    return steps.publish_feeds(settings)


@flow(name=PUBLISH_FLOW, log_prints=True)
def publish_feeds() -> bool:
    """Offentliggør de statiske kalendere efter de seneste ændringer (bestilt af sagernes kørsler)."""
    return _publish(read_settings())
