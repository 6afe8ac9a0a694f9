"""Benchmark: the CPU one `sagsforloeb` flow run costs under the service (a real `prefect server`
and `prefect worker`, as `sagsgang tjeneste` starts them).

What is measured
    `sagsgang tjeneste` starts in a temporary SAGSGANG_HOME on SQLite (its own Prefect server, the
    deployments, one worker). Once it is ready, RUNS cases are launched one after another with
    `sagsgang sag opret --vent` (each a hand-off, then the worker's `sagsforloeb` run). For each run:
    the user+sys CPU of the worker's child process (the flow run: Python, Prefect's engine, our
    steps; read from the worker's reaped-children times in /proc) and the Prefect server's own CPU
    delta over the run (its API work for the flow run and its tasks). Reported: the median of each
    and of their sum. CPU, not wall time: on a shared machine wall time means little.

Run:  .venv/bin/python bench/flow_run_cpu.py [--runs N]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def times(pid: int) -> tuple[float, float]:
    """(own user+sys, reaped children's user+sys) of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def find(root: int, *words: str) -> int:
    for pid in descendants(root):
        line = command_line(pid)
        if all(word in line for word in words):
            return pid
    raise SystemExit(f"no process {' '.join(words)} under {root}")


def launch(env: dict, number: int) -> None:
    done = subprocess.run(
        [
            str(BIN / "sagsgang"), "sag", "opret", "--kommune", "slagelse", "--titel", f"Målesag {number}",
            "--journalnummer", f"27.00.00-G01-{number}-27", "--sagsbehandler", "Mette Hansen",
            "--sagsbehandler-email", "meha@slagelse.dk", "--leder", "Lars Berg", "--leder-email",
            "labe@slagelse.dk", "--rute", "politisk", "--klar", "01-03-2027", "--vent",
        ],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"sag opret fejlede ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sagsgang-flowcpu-", ignore_cleanup_errors=True) as folder:
        home = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGSGANG_", "PREFECT_"))}
        env.update(
            {
                "SAGSGANG_HOME": str(home / "home"),
                "SAGSGANG_DATABASE_URL": f"sqlite:///{home / 'sagsgang.db'}",
                "SAGSGANG_FEEDS_DIR": str(home / "kalender"),
                "SAGSGANG_SECRET_KEY": "bench",
                "SAGSGANG_TODAY": "2027-03-01",
            }
        )
        (home / "home").mkdir()
        subprocess.run([str(BIN / "sagsgang"), "db", "opgrader"], env=env, check=True, capture_output=True)
        out = open(home / "tjeneste.out", "w")  # noqa: SIM115
        service = subprocess.Popen(
            [str(BIN / "sagsgang"), "tjeneste", "--host", "127.0.0.1", "--port", str(free_port()),
             "--prefect-port", str(free_port()), "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while not (home / "home" / "tjeneste.json").exists():
                if service.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((home / "tjeneste.out").read_text()[-3000:])
                time.sleep(0.5)
            json.loads((home / "home" / "tjeneste.json").read_text())
            time.sleep(5)  # the worker's first poll
            server, worker = find(service.pid, "prefect", "server"), find(service.pid, "prefect", "worker")
            launch(env, 900)  # warm-up: the server's and worker's first requests
            run_cpu, server_cpu = [], []
            for number in range(1, RUNS + 1):
                (_, worker_before), (server_before, _) = times(worker), times(server)
                launch(env, number)
                time.sleep(1)  # the worker reaps its child
                (_, worker_after), (server_after, _) = times(worker), times(server)
                run_cpu.append(worker_after - worker_before)
                server_cpu.append(server_after - server_before)
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(timeout=60)
            except subprocess.TimeoutExpired:
                service.kill()
    total = [a + b for a, b in zip(run_cpu, server_cpu)]
    print(f"{RUNS} sagsforloeb-kørsler efter sag opret (CPU, user+sys, median):")
    print(f"  flow-kørslens proces   {statistics.median(run_cpu):6.2f} s   ({', '.join(f'{v:.2f}' for v in run_cpu)})")
    print(
        f"  Prefect-serveren       {statistics.median(server_cpu):6.2f} s   ({', '.join(f'{v:.2f}' for v in server_cpu)})"
    )
    print(f"  i alt                  {statistics.median(total):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
