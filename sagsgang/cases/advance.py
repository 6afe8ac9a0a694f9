"""Following a case's route, written once: for each stage put the case on the next meeting, remind
the owner, wait for the decision, move on; until it must wait, or its route has ended. And the
orchestration port's case operations (launch, advance, meeting changed) built on it.

The steps are the plain functions of sagsgang.cases.steps, each given the run's settings (read
once by the orchestration's entry point: the orchestrator, or a flow run). How the coarse steps
run is passed in as `run(step, *args)`: inline it just calls the step (`run_inline`), under
Prefect it runs the step as a task of the calling flow run (flows/). The coarse steps are few:
store the case or the decision, follow the route (`follow_route`, whose fine steps are plain
calls), re-plan a meeting's cases, publish the feeds. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sagsgang.cases import steps
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.launch import LaunchRequest
from sagsgang.cases.state import StageStatus
from sagsgang.orchestration import CaseSummary, MeetingChanged, WokenUp
from sagsgang.settings import Settings

MAX_STEPS = 50  # a route has a handful of stages; more loops than this is a bug, not a case

T = TypeVar("T")
log = logging.getLogger(__name__)


class Run(Protocol):
    """One way of running a step: call it (inline), or run it as a Prefect task."""

    def __call__(self, step: Callable[..., T], /, *args: Any) -> T: ...


def run_inline(step: Callable[..., T], /, *args: Any) -> T:
    """Run the step by calling it, in this process."""
    return step(*args)


Warn = Callable[[str], None]


@dataclass(frozen=True)
class Followed:
    waiting_at: int | None  # the stage waiting for a decision; None when the route has ended
    sent: list[str]
    wake: dt.datetime | None  # when to look again: the next reminder or deadline
    changed: bool = False  # a plan was stored anew or the route ended: the feeds show it
    left: list[str] = field(default_factory=list)  # mails due, left for the service (remind_here=False)


def follow_route(
    settings: Settings,
    case_id: int,
    now: dt.datetime | None,
    run: Run = run_inline,
    warn: Warn = log.warning,
    remind_here: bool = True,
) -> Followed:
    """The route, stage by stage, as far as the facts allow; then wait. Publishing the feeds is the
    caller's (once per run, and only when `changed`). Under Prefect this whole loop is one task
    ("følg sagens rute") whose fine steps are called plainly: a task run per step cost more Prefect
    bookkeeping than the steps' own work. Without `remind_here` (an action while no service runs)
    the reminders and escalations due are not built and sent here: the case wakes now, and the
    service's wake-up sends them once it runs."""
    stage, changed = run(steps.current_stage, settings, case_id), False
    sent: list[str] = []
    left: list[str] = []
    for _ in range(MAX_STEPS):
        if stage is None:
            break
        changed |= run(steps.put_on_meetings, settings, case_id)
        if remind_here:
            report = run(steps.remind, settings, case_id, now)
            sent += report.sent
            if report.failed:
                warn(f"Ikke sendt (prøves igen): {report.failed}")
        else:
            left += run(steps.reminders_left, settings, case_id, now)
        if run(steps.decision_on, settings, case_id, stage) is StageStatus.WAITING:
            follow_up = run(steps.wait_for_decision, settings, case_id, now, bool(left))
            return Followed(stage, sent, follow_up.at if follow_up else None, changed, left)
        stage = run(steps.route_on, settings, case_id, stage)
    else:
        raise RuntimeError(f"Sag nr. {case_id} kom ikke til ro efter {MAX_STEPS} skridt.")
    run(steps.close_if_ended, settings, case_id)  # the route is done, or a body rejected the case
    return Followed(None, sent, None, changed=True)


def summarised(
    settings: Settings,
    case_id: int,
    now: dt.datetime | None,
    run: Run,
    warn: Warn = log.warning,
    publish: bool = False,
    remind_here: bool = True,
) -> CaseSummary:
    """The route followed (one step of `run`), the feeds published if that changed a plan (or
    `publish`: a new case), and the case as it stands afterwards."""
    followed = run(follow_route, settings, case_id, now, run_inline, warn, remind_here)
    if publish or followed.changed:
        run(steps.publish_feeds, settings)
    return steps.summary(settings, case_id, followed.sent, followed.wake, followed.left)


def launch(
    settings: Settings,
    request: LaunchRequest,
    now: dt.datetime | None,
    run: Run,
    warn: Warn = log.warning,
    remind_here: bool = True,
) -> CaseSummary:
    """Store the case, plan its whole route, follow the route and publish the feeds."""
    case_id = run(steps.store_case, settings, request, now)
    return summarised(settings, case_id, now, run, warn, publish=True, remind_here=remind_here)


def advance(
    settings: Settings,
    journal_number: str,
    decision: DecisionForm | None,
    municipality: str | None,
    now: dt.datetime | None,
    run: Run,
    warn: Warn = log.warning,
    publish: bool = False,
    remind_here: bool = True,
) -> CaseSummary:
    """Record the decision, if any, then follow the case's route. The feeds are published when the
    plan changed, when a decision was recorded (the feeds show it, "Beslutning: godkendt.") or when
    `publish` asks (the case or its decision was stored by a hand-off just before)."""
    if decision is not None:
        run(steps.record_decision, settings, journal_number, decision, municipality, now)
    case_id = steps.find_case(settings, journal_number, municipality)
    return summarised(settings, case_id, now, run, warn, publish or decision is not None, remind_here)


def follow_routes(
    settings: Settings, case_ids: list[int], now: dt.datetime | None, warn: Warn = log.warning
) -> dict[int, Followed]:
    """follow_route for each case, one after another, as one step."""
    return {case_id: follow_route(settings, case_id, now, run_inline, warn) for case_id in case_ids}


def meeting_changed(
    settings: Settings,
    municipality: str,
    meeting_key: str,
    now: dt.datetime | None,
    run: Run,
    warn: Warn = log.warning,
    remind_here: bool = True,
) -> MeetingChanged:
    """Re-plan every case on a moved or cancelled meeting in bulk (one step: each case in a
    transaction of its own, its wake-up time set for its next reminder), publish the feeds once,
    then follow the route of the cases that have a reminder due already (one step for them all;
    until it has, their wake-up time is now, so the service's wake-up would; without
    `remind_here` that is left to it)."""
    replanned = run(steps.replan_meeting, settings, municipality, meeting_key, now)
    if replanned.changed:
        run(steps.publish_feeds, settings)
    due_now = replanned.due_now if remind_here else []
    followed = run(follow_routes, settings, due_now, now, warn) if due_now else {}
    if any(case.changed for case in followed.values()):
        run(steps.publish_feeds, settings)
    sent = {case_id: case.sent for case_id, case in followed.items()}
    wake = {**replanned.wake, **{case_id: case.wake for case_id, case in followed.items()}}
    return {"sager": steps.summaries(settings, replanned.cases, sent, wake)}


HandOn = Callable[[steps.Due, dt.datetime | None], object]


def wake_up(settings: Settings, now: dt.datetime | None, run: Run, hand_on: HandOn) -> WokenUp:
    """Every case whose wake-up time has come, handed on (with the run's `now`) to be advanced once
    for that time: by the service a `sagsforloeb` run each (flows.wakeup), inline right here."""
    due = run(steps.due_cases, settings, now)
    for case in due:
        hand_on(case, now)
    warnings = run(steps.warn_if_daily_check_missing, settings, now)
    return {
        "sager": [case.journal_number for case in due],
        "sendt": run(steps.send_outbox, settings, now),
        "driftsadvarsler": warnings,
    }
