"""Stopping the service's children: an impatient second Ctrl+C must not leave a Prefect server behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sagsgang.service import processes

# A child that, when told to stop, interrupts its parent (the user pressing Ctrl+C again) and then ends.
INTERRUPTS_PARENT = """
import os, signal, sys, time
def stop(*_):
    os.kill(os.getppid(), signal.SIGINT)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("klar", flush=True)
while True:
    time.sleep(1)
"""
WAITS = "import time\nprint('klar', flush=True)\nwhile True:\n    time.sleep(1)\n"


def started(tmp_path: Path, name: str, program: str) -> processes.Child:
    log = tmp_path / f"{name}.log"
    child = processes.start(name, [sys.executable, "-c", program], {}, log)
    assert processes.wait_until(lambda: "klar" in log.read_text(), child, seconds=30, pause=0.05)
    return child


def test_a_second_interrupt_while_stopping_still_stops_every_child(tmp_path: Path) -> None:
    children = processes.Children()
    server = children.add(started(tmp_path, "server", WAITS))
    worker = children.add(started(tmp_path, "worker", INTERRUPTS_PARENT))  # stopped first

    children.stop()  # must not raise KeyboardInterrupt half-way

    assert not worker.running()
    assert not server.running()
    assert children.started == []


# A child that starts a process of its own (as a Prefect worker starts a flow run) and waits.
STARTS_A_RUN = """
import subprocess, sys, time
run = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(1)"])
print("klar", run.pid, flush=True)
while True:
    time.sleep(1)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stopping_a_worker_also_stops_the_flow_run_it_started(tmp_path: Path) -> None:
    worker = started(tmp_path, "worker", STARTS_A_RUN)
    run_pid = int((tmp_path / "worker.log").read_text().split()[1])
    assert running(run_pid)

    worker.stop()

    assert not worker.running()
    assert not running(run_pid)  # no flow run goes on without the service
