"""Following a case's route, written once: for each stage put the case on the next meeting, remind
the owner, wait for the decision, move on; until it must wait, or its route has ended. And the
orchestration port's case operations (launch, advance, meeting changed) built on it.

The steps are the plain functions of sagsgang.cases.steps, each given the run's settings (read
once by the orchestration's entry point: the orchestrator, or a flow run); how each one runs is passed in as
`run(step, *args)`: inline it just calls the step (sagsgang.cases.inline), under Prefect it runs
the step as a task of the calling flow run (flows/). No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
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


Warn = Callable[[str], None]


@dataclass(frozen=True)
class Followed:
    waiting_at: int | None  # the stage waiting for a decision; None when the route has ended
    sent: list[str]
    wake: dt.datetime | None  # when to look again: the next reminder or deadline


def follow_route(
    settings: Settings, case_id: int, now: dt.datetime | None, run: Run, warn: Warn = log.warning
) -> Followed:
    """The route, stage by stage, as far as the facts allow; then wait."""
    stage, changed = run(steps.current_stage, settings, case_id), False
    sent: list[str] = []
    for _ in range(MAX_STEPS):
        if stage is None:
            break
        changed |= run(steps.put_on_meetings, settings, case_id)
        report = run(steps.remind, settings, case_id, now)
        sent += report.sent
        if report.failed:
            warn(f"Ikke sendt (prøves igen): {report.failed}")
        if run(steps.decision_on, settings, case_id, stage) is StageStatus.WAITING:
            if changed:
                run(steps.publish_feeds, settings)
            follow_up = run(steps.wait_for_decision, settings, case_id, now)
            return Followed(stage, sent, follow_up.at if follow_up else None)
        stage = run(steps.route_on, settings, case_id, stage)
    else:
        raise RuntimeError(f"Sag nr. {case_id} kom ikke til ro efter {MAX_STEPS} skridt.")
    run(steps.close_if_ended, settings, case_id)  # the route is done, or a body rejected the case
    run(steps.publish_feeds, settings)
    return Followed(None, sent, None)


def summarised(
    settings: Settings, case_id: int, now: dt.datetime | None, run: Run, warn: Warn = log.warning
) -> CaseSummary:
    """follow_route, and the case as it stands afterwards."""
    followed = follow_route(settings, case_id, now, run, warn)
    return steps.summary(settings, case_id, followed.sent, followed.wake)


def launch(
    settings: Settings, request: LaunchRequest, now: dt.datetime | None, run: Run, warn: Warn = log.warning
) -> CaseSummary:
    """Store the case, plan its whole route, publish the feeds and follow the route."""
    case_id = run(steps.store_case, settings, request, now)
    run(steps.publish_feeds, settings)
    return summarised(settings, case_id, now, run, warn)


def advance(
    settings: Settings,
    journal_number: str,
    decision: DecisionForm | None,
    municipality: str | None,
    now: dt.datetime | None,
    run: Run,
    warn: Warn = log.warning,
) -> CaseSummary:
    """Record the decision, if any, then follow the case's route."""
    if decision is not None:
        run(steps.record_decision, settings, journal_number, decision, municipality, now)
    return summarised(settings, run(steps.find_case, settings, journal_number, municipality), now, run, warn)


def meeting_changed(
    settings: Settings, municipality: str, meeting_key: str, now: dt.datetime | None, run: Run, warn: Warn = log.warning
) -> MeetingChanged:
    """Follow the route of every case on a moved or cancelled meeting (which re-plans it)."""
    return {
        "sager": {
            journal_number: summarised(
                settings, run(steps.find_case, settings, journal_number, municipality), now, run, warn
            )
            for journal_number in run(steps.cases_on_meeting, settings, municipality, meeting_key)
        }
    }


HandOn = Callable[[steps.Due, dt.datetime | None], object]


def wake_up(settings: Settings, now: dt.datetime | None, run: Run, hand_on: HandOn) -> WokenUp:
    """Every case whose wake-up time has come, handed on (with the run's `now`) to be advanced once
    for that time: by the service a `sagsforloeb` run each (flows.wakeup), inline right here."""
    due = run(steps.due_cases, settings, now)
    for case in due:
        hand_on(case, now)
    return {"sager": [case.journal_number for case in due]}
