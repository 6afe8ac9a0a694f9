"""How the web app runs a case's lifecycle after it stored a change: the same Prefect flows the
CLI runs (`sagsgang sag opret`, `sag beslut`, `mødeplan flyt`), called in this process.

SAGSGANG_WEB_FLOWS=direkte runs the flows' steps as plain functions instead (no Prefect server;
reminder mails are then left to the daily check): for tests and for trying the app without
Prefect. Both go through sagsgang.cases.lifecycle; nothing is planned in the web layer.
"""

from __future__ import annotations

import os
from typing import Protocol

from calendars.clock import Clock
from sagsgang.cases.advance import Steps, follow_route
from sagsgang.cases.lifecycle import LaunchRequest

FLOWS_VARIABLE = "SAGSGANG_WEB_FLOWS"


class Runner(Protocol):
    def launch(self, request: LaunchRequest) -> None: ...

    def advance(self, journal_number: str, municipality: str) -> None: ...

    def meeting_changed(self, municipality: str, meeting_key: str) -> list[str]: ...


class PrefectRunner:
    """flows.lifecycle's flows, as the CLI calls them (a temporary local Prefect server unless
    PREFECT_API_URL points at one)."""

    def launch(self, request: LaunchRequest) -> None:
        from flows.lifecycle import launch_case

        launch_case(request)

    def advance(self, journal_number: str, municipality: str) -> None:
        from flows.lifecycle import advance_case

        advance_case(journal_number, municipality=municipality)

    def meeting_changed(self, municipality: str, meeting_key: str) -> list[str]:
        from flows.lifecycle import meeting_changed

        return sorted(meeting_changed(municipality, meeting_key)["sager"])


class DirectRunner:
    """The flows' own steps (flows.lifecycle's tasks, called as plain functions) on the same route
    (sagsgang.cases.advance.follow_route), without Prefect's bookkeeping: store, plan, remind (missed
    deadlines are escalated and re-planned; mails go to the outbox and out by SAGSGANG_SMTP_*
    settings), route on until the case must wait; no next run is scheduled. Uses the configured
    database, like the flows."""

    def __init__(self, engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def launch(self, request: LaunchRequest) -> None:
        from flows import lifecycle as flows

        case_id = flows.store_case.fn(request, self.clock.now())
        flows.publish_feeds.fn()
        self._follow(case_id)

    def advance(self, journal_number: str, municipality: str) -> None:
        from flows import lifecycle as flows

        self._follow(flows.find_case.fn(journal_number, municipality))

    def meeting_changed(self, municipality: str, meeting_key: str) -> list[str]:
        from flows import lifecycle as flows

        journal_numbers = flows.cases_on_meeting.fn(municipality, meeting_key)
        for journal_number in journal_numbers:
            self.advance(journal_number, municipality)
        return journal_numbers

    def _follow(self, case_id: int) -> None:
        from flows import lifecycle as flows

        follow_route(
            case_id,
            self.clock.now(),
            Steps(
                current_stage=flows.current_stage.fn,
                put_on_meetings=flows.put_on_meetings.fn,
                remind=flows.remind.fn,
                decision_on=flows.decision_on.fn,
                wait_for_decision=lambda _case_id, _now: None,  # the daily check is the backstop
                route_on=flows.route_on.fn,
                close_if_ended=flows.close_if_ended.fn,
                publish_feeds=flows.publish_feeds.fn,
            ),
        )


def runner_from_env(engine, clock: Clock) -> Runner:
    return DirectRunner(engine, clock) if os.environ.get(FLOWS_VARIABLE) == "direkte" else PrefectRunner()
