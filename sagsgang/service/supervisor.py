"""`sagsgang tjeneste` on one machine: a Prefect server of its own (SQLite under
SAGSGANG_HOME/prefect, PREFECT_HOME there) unless PREFECT_API_URL names one, the lifecycle's
deployments in the work pool `sagsgang` (registered by `sagsgang arbejder --kun-opsaetning` in a
child process, so Prefect's import and English output stay out of this one), N `prefect worker`
processes, and `tjeneste.json` for the other commands to find it (with a local token for the CLI's
actions, local_token.py). The web app runs in this process
(sagsgang.cli.service_commands) between `started` and `stopped`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sagsgang.logs import log_file
from sagsgang.service import discovery, local_token, processes

if TYPE_CHECKING:
    from sagsgang.settings import Settings

SETUP_SECONDS = 300  # registering five deployments takes seconds; a slow machine gets minutes


@dataclass(frozen=True)
class Plan:
    """What to start: `own_server` unless PREFECT_API_URL is given; `workers` worker processes."""

    settings: Settings
    web_url: str
    prefect_host: str = "127.0.0.1"
    prefect_port: int = 4200
    workers: int = 1
    wait_seconds: float = 180
    api_url_given: str | None = None

    @property
    def api_url(self) -> str:
        return self.api_url_given or f"http://{self.prefect_host}:{self.prefect_port}/api"


def prefect_home(settings: Settings) -> Path:
    return settings.home_folder / "prefect"


def child_environment(settings: Settings, api_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every child: this one, plus the Prefect server to talk to, Prefect's own
    folder under SAGSGANG_HOME, and these settings as SAGSGANG_* (the flow runs read them there)."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "PREFECT_API_URL": api_url,
            "PREFECT_HOME": str(prefect_home(settings)),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_API_URL": api_url,
        }
    )
    env.setdefault("PREFECT_WORKER_QUERY_SECONDS", "2")  # a handed-off run starts within seconds
    # The service's own choice of orchestration is not its children's: they keep the environment's.
    env.update({name: value for name, value in settings.as_environment().items() if name != "SAGSGANG_ORCHESTRATION"})
    return env


def setup_command() -> list[str]:
    """`sagsgang arbejder --kun-opsaetning`, with this Python (the checkout's venv or the wheel's)."""
    return [sys.executable, "-m", "sagsgang.cli", "arbejder", "--kun-opsaetning"]


@contextmanager
def started(plan: Plan) -> Iterator[discovery.Running]:
    """The Prefect pieces running, and tjeneste.json written, while the block runs; all stopped
    and the file removed afterwards, however the block ends."""
    settings, children = plan.settings, processes.Children()
    env = child_environment(settings, plan.api_url)
    running = discovery.Running(plan.api_url, plan.web_url, os.getpid())
    token = local_token.create(settings.home_folder)  # this run's own: the CLI's actions go to the web app
    try:
        if plan.api_url_given is None:
            prefect_home(settings).mkdir(parents=True, exist_ok=True)
            children.add(
                processes.prefect_server(
                    plan.api_url,
                    plan.prefect_host,
                    plan.prefect_port,
                    env,
                    log_file(settings, "prefect-server"),
                    plan.wait_seconds,
                )
            )
        setup_log = log_file(settings, "prefect-opsaetning")
        if processes.run(setup_command(), env, setup_log, SETUP_SECONDS) != 0:
            raise processes.StartFailed("Sagsgangs deployments kunne ikke oprettes i Prefect.", setup_log)
        for number in range(1, plan.workers + 1):
            children.add(processes.prefect_worker(number, env, log_file(settings, f"prefect-worker-{number}")))
        discovery.write(settings, running)
        yield running
    finally:
        discovery.remove(settings, running.pid)
        local_token.remove(settings.home_folder, token)
        children.stop()
