"""Following a case's route, written once: for each stage put the case on the next meeting, remind
the owner, wait for the decision, move on; until it must wait, or its route has ended.

The steps are passed in, so the same loop runs as Prefect tasks (flows.lifecycle.follow_route), as
the plain functions those tasks wrap (the web app's direkte runner) and in the caller's session
without mails (in_session: the tests). No Prefect here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from models.tables import Case
from sagsgang.cases import lifecycle
from sagsgang.cases.lifecycle import StageStatus

MAX_STEPS = 50  # a route has a handful of stages; more loops than this is a bug, not a case


@dataclass(frozen=True)
class Steps:
    """What following the route does to a case (by id), one callable per step, in route order."""

    current_stage: Callable[[int], int | None]
    put_on_meetings: Callable[[int], bool]  # True when the plan changed
    remind: Callable[[int, dt.datetime | None], list[str]]  # the mails sent
    decision_on: Callable[[int, int], StageStatus]
    wait_for_decision: Callable[[int, dt.datetime | None], dt.datetime | None]  # when to look again
    route_on: Callable[[int, int], int | None]
    close_if_ended: Callable[[int], bool]
    publish_feeds: Callable[[], bool]


@dataclass(frozen=True)
class Followed:
    waiting_at: int | None  # the stage waiting for a decision; None when the route has ended
    sent: list[str]
    wake: dt.datetime | None  # when to look again: the next reminder or deadline


def follow_route(case_id: int, now: dt.datetime | None, steps: Steps) -> Followed:
    """The route, stage by stage, as far as the facts allow; then wait."""
    stage, sent, changed = steps.current_stage(case_id), [], False
    for _ in range(MAX_STEPS):
        if stage is None:
            break
        changed |= steps.put_on_meetings(case_id)
        sent += steps.remind(case_id, now)
        if steps.decision_on(case_id, stage) is StageStatus.WAITING:
            if changed:
                steps.publish_feeds()
            return Followed(stage, sent, steps.wait_for_decision(case_id, now))
        stage = steps.route_on(case_id, stage)
    else:
        raise RuntimeError(f"Sag nr. {case_id} kom ikke til ro efter {MAX_STEPS} skridt.")
    steps.close_if_ended(case_id)  # the route is done, or a body rejected the case
    steps.publish_feeds()
    return Followed(None, sent, None)


def in_session(session: Session, case: Case) -> int | None:
    """follow_route in the caller's session, without mails, feeds or a next run: plan and route on
    until the case must wait for a decision (returns that stage) or has ended (None)."""

    def state() -> lifecycle.CaseState:
        return lifecycle.load_state(session, case)

    return follow_route(
        case.id,
        None,
        Steps(
            current_stage=lambda _: state().current_stage,
            put_on_meetings=lambda _: lifecycle.put_on_meetings(session, case),
            remind=lambda _, __: [],
            decision_on=lambda _, stage: state().status(stage),
            wait_for_decision=lambda _, __: None,
            route_on=lambda _, stage: lifecycle.route_on(session, case, stage),
            close_if_ended=lambda _: lifecycle.close_if_ended(session, case),
            publish_feeds=lambda: False,
        ),
    ).waiting_at
