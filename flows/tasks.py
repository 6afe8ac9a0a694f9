"""The lifecycle's coarse steps as Prefect tasks: each wraps a plain function of sagsgang.cases
(steps, or advance.follow_route with its fine steps inside) or sagsgang.notifications.daily,
under the Danish name the Prefect UI shows. `run_as_task(step, *args)` is how flows run a step (sagsgang.cases.advance.Run).

A case that must wait records when to look again (cases.wake_at); the service's wake-up flow
(flows.wakeup, every five minutes) advances it then. The daily deployment is the backstop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

from flows import feed_publishing
from sagsgang.cases import advance, steps
from sagsgang.cases.state import ConflictError
from sagsgang.notifications import daily, heartbeat

DEPLOYMENT = "sagsgang"  # the name of every deployment, and of the work pool they run in
ADVANCE_FLOW = "sagsforloeb"  # flows.lifecycle.advance_case, which a hand-off or a wake-up runs

T = TypeVar("T")


def _retry_on_conflict(_task: Task[..., Any], _task_run: TaskRun, state: State[Any]) -> bool:
    """Someone changed the case meanwhile: read the facts again and redo the step."""
    try:
        state.result()
    except ConflictError:
        return True
    except Exception:
        return False
    return False


def step(name: str, fn: Callable[..., T]) -> Task[..., T]:
    return task(
        name=name,
        cache_policy=NO_CACHE,
        retries=3,
        retry_delay_seconds=1,
        retry_condition_fn=_retry_on_conflict,
    )(fn)


# One task per coarse step: each task run costs Prefect bookkeeping (API calls, state changes,
# events) far beyond what a fine step itself does, so the route's fine steps are plain calls
# inside "følg sagens rute" (sagsgang.cases.advance.follow_route).
TASKS: dict[Callable[..., Any], Task[..., object]] = {
    steps.store_case: step("opret sagen", steps.store_case),
    steps.record_decision: step("registrér beslutningen", steps.record_decision),
    advance.follow_route: step("følg sagens rute", advance.follow_route),
    advance.follow_routes: step("følg sagernes ruter", advance.follow_routes),
    steps.replan_meeting: step("planlæg mødets sager igen", steps.replan_meeting),
    # Under the service the run books the coming slot's publish run (flows.feed_publishing).
    steps.publish_feeds: step("bestil offentliggørelse af kalendere", feed_publishing.publish_soon),
    steps.due_cases: step("sager der skal vækkes", steps.due_cases),
    steps.send_outbox: step("send udbakken", steps.send_outbox),
    steps.warn_if_daily_check_missing: step("kontrollér at dagens kontrol er kørt", steps.warn_if_daily_check_missing),
    daily.drop_stale_reminders: step("drop forældede påmindelser", daily.drop_stale_reminders),
    daily.find_due: step("find det der forfalder", daily.find_due),
    daily.queue_due: step("læg påmindelser og eskaleringer i udbakken", daily.queue_due),
    daily.queue_digests: step("ugeoversigt", daily.queue_digests),
    daily.send_mails: step("send mails", daily.send_mails),
    heartbeat.record_completed: step("dagens kontrol er kørt", heartbeat.record_completed),
}


def run_as_task(step: Callable[..., T], /, *args: Any) -> T:
    """Run the step as a task of the calling flow run (not a subflow: a subflow run costs a second
    or more of Prefect bookkeeping)."""
    return cast(T, TASKS[step](*args))  # a task returns what its step returns


def warn(message: str) -> None:
    from prefect import get_run_logger

    get_run_logger().warning(message)
