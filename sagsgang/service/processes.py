"""The service's child processes: `prefect server start` and `prefect worker start`, each with its
output in a log file under SAGSGANG_HOME/logs (English, for IT; never the user's terminal), each in
a session of its own so that a Ctrl+C in the terminal reaches the service alone, which then stops
them in order (workers first, then the server).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
        """SIGTERM to the child and to what it started (its session's process group: a worker's
        flow-run processes, which would otherwise go on without a Prefect server to report to), and
        SIGKILL to whatever of them has not ended after `seconds`."""
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + seconds
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait()
        while self._group_alive():
            if time.monotonic() > deadline:
                self._signal_group(signal.SIGKILL)
                break
            time.sleep(0.1)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # every process of the group has ended
            os.killpg(self.process.pid, signum)  # start(): the child leads a session of its own

    def _group_alive(self) -> bool:
        """A process of the child's group still runs (ended ones awaiting their parent's wait count as
        gone). Read from Linux's /proc; elsewhere nothing is waited for after the child itself."""
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
            except OSError:  # it ended while we looked
                continue
            if int(fields[2]) == self.process.pid and fields[0] != "Z":  # pgrp; state Z: a zombie
                return True
        return False


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent() -> None:
    """In the child, before it runs: SIGTERM when the service dies, even by SIGKILL (Linux), so a
    killed service leaves no Prefect server or worker behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


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
            preexec_fn=_end_with_parent,
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
        """Every child stopped; a second Ctrl+C or SIGTERM meanwhile (an impatient user, systemd)
        is ignored, so a stop that takes a while never leaves a Prefect server behind."""
        with _interruptions_ignored():
            for child in reversed(self.started):
                child.stop()
            self.started.clear()


@contextmanager
def _interruptions_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread has handlers
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
