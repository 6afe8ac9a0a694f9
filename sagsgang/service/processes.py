"""The service's child processes: `prefect server start` and `prefect worker start`, each with its
output in a log file under SAGSGANG_HOME/logs (English, for IT; never the user's terminal), each in
a session of its own so that a Ctrl+C in the terminal reaches the service alone, which then stops
them in order (workers first, then the server).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sagsgang.service import discovery

POOL = "sagsgang"  # the Prefect work pool of the lifecycle's deployments (flows.deployments.POOL)
STOP_SECONDS = 20


class StartFailed(RuntimeError):
    """A child did not come up: the Danish sentence to show, and the log file that says why."""

    def __init__(self, message: str, log: Path) -> None:
        super().__init__(message)
        self.log = log


def prefect_program() -> str:
    """The `prefect` installed next to this Python (a virtual environment), else the one on PATH."""
    installed = Path(sys.executable).parent / "prefect"
    return str(installed) if installed.exists() else shutil.which("prefect") or "prefect"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, seconds: float = STOP_SECONDS) -> None:
        """SIGTERM, and SIGKILL if it has not ended after `seconds`."""
        if not self.running():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(name: str, command: list[str], env: Mapping[str, str], log: Path) -> Child:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Child(name, process, log)


def run(command: list[str], env: Mapping[str, str], log: Path, seconds: float) -> int:
    """Run a command to its end with its output in `log`; its exit code."""
    child = start(command[0], command, env, log)
    try:
        return child.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        child.stop()
        return -1


def wait_until(ready: Callable[[], bool], child: Child, seconds: float, pause: float = 0.5) -> bool:
    """Until `ready()`; False if the child ended or the time ran out first."""
    deadline = time.monotonic() + seconds
    while not ready():
        if not child.running() or time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def prefect_server(api_url: str, host: str, port: int, env: Mapping[str, str], log: Path, seconds: float) -> Child:
    """`prefect server start` on `host:port`, answering its health check within `seconds`."""
    server = start(
        "prefect server", [prefect_program(), "server", "start", "--host", host, "--port", str(port)], env, log
    )
    if not wait_until(lambda: discovery.answers(api_url, timeout=2), server, seconds):
        server.stop()
        raise StartFailed(
            f"Prefect-serveren svarede ikke inden {seconds:.0f} sekunder (port {port}). "
            "Er porten optaget? Vælg en anden med --prefect-port, eller giv maskinen mere tid med --ventetid.",
            log,
        )
    return server


def prefect_worker(number: int, env: Mapping[str, str], log: Path) -> Child:
    name = f"sagsgang-{os.uname().nodename}-{os.getpid()}-{number}"
    command = [prefect_program(), "worker", "start", "--pool", POOL, "--type", "process", "--name", name]
    return start(f"prefect worker {number}", command, env, log)


@dataclass
class Children:
    """Started children, stopped in reverse order (workers before the server they talk to)."""

    started: list[Child] = field(default_factory=list)

    def add(self, child: Child) -> Child:
        self.started.append(child)
        return child

    def stop(self) -> None:
        for child in reversed(self.started):
            child.stop()
        self.started.clear()
