"""Real servers in tests (`sagsgang serve`, Radicale, Prefect, SMTP): a free port on loopback,
waiting for one to answer, and stopping it whatever state it is in."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: `url` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    return check


def listening(port: int) -> Callable[[], bool]:
    """A readiness check: something accepts connections on 127.0.0.1:`port`."""

    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return check


def wait_for(
    ready: Callable[[], bool], process: subprocess.Popen, log: Path, what: str, seconds: float = 30, pause: float = 0.2
) -> None:
    """Until `ready()`; fails the test with the end of `log` if `process` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{Path(log).read_text(errors='replace')[-3000:]}")
        time.sleep(pause)


def stop(process: subprocess.Popen | None, seconds: float = 10) -> None:
    """Terminate, and kill if it has not ended after `seconds`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
