"""Benchmark: the CPU one `sagsforloeb` flow run costs under the service (a real `prefect server`
and `prefect worker`, as `sagsgang tjeneste` starts them).

What is measured
    `sagsgang tjeneste` starts in a temporary SAGSGANG_HOME on SQLite (its own Prefect server, the
    deployments, one worker). Once it is ready, RUNS cases are launched one after another with
    `sagsgang sag opret --vent` (each a hand-off, then the worker's `sagsforloeb` run). For each run:
    the user+sys CPU of the worker's child process (the flow run: Python, Prefect's engine, our
    steps; read from the worker's reaped-children times in /proc), the worker's own CPU delta over
    the run (polling for runs, starting and watching the process) and the Prefect server's own CPU
    delta (its API work for the flow run and its tasks). Reported: the mean of each per finished
    run, and their sum. CPU, not wall time: on a shared machine wall time means little.

Run:  .venv/bin/python bench/flow_run_cpu.py [--runs N]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

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


def opret(number: int) -> list[str]:
    return [
        "sag", "opret", "--kommune", "slagelse", "--titel", f"Målesag {number}",
        "--journalnummer", f"27.00.00-G01-{number}-27", "--sagsbehandler", "Mette Hansen",
        "--sagsbehandler-email", "meha@slagelse.dk", "--leder", "Lars Berg", "--leder-email",
        "labe@slagelse.dk", "--rute", "politisk", "--klar", "01-03-2027",
    ]  # fmt: skip


def sagsgang(env: dict, *args: str) -> None:
    done = subprocess.run([str(BIN / "sagsgang"), *args, "--vent"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"sagsgang {args[:2]} fejlede ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}"
        )


def finished_runs(api: str) -> dict[str, str]:
    """Every finished flow run on the server: id → flow name."""
    flows = {f["id"]: f["name"] for f in httpx.post(f"{api}/flows/filter", json={}).json()}
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}).json()
    return {r["id"]: flows.get(r["flow_id"], "?") for r in runs if r.get("state_type") in FINAL}


FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def measured(
    env: dict, api: str, worker: int, server: int, action: Callable[[int], None]
) -> tuple[float, float, float, Counter]:
    """CPU per flow run of the worker's children, of the worker itself and of the server, over
    RUNS actions, and the flow runs that finished meanwhile (all of them are counted: a wake-up
    run is one too)."""
    before_runs = finished_runs(api)
    (own_before, child_before), (server_before, _) = times(worker), times(server)
    for number in range(1, RUNS + 1):
        action(number)
    time.sleep(3)  # the worker reaps its last child
    (own_after, child_after), (server_after, _) = times(worker), times(server)
    new = Counter(name for run, name in finished_runs(api).items() if run not in before_runs)
    count = sum(new.values()) or 1
    return (
        (child_after - child_before) / count,
        (own_after - own_before) / count,
        (server_after - server_before) / count,
        new,
    )


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
            sagsgang(env, *opret(900))  # warm-up: the server's and worker's first requests
            api = json.loads((home / "home" / "tjeneste.json").read_text())["prefect_api_url"]
            found = {
                "efter sag opret (offentliggør kalendere)": measured(
                    env, api, worker, server, lambda n: sagsgang(env, *opret(n))
                ),
                "efter sag indsend (ingen planændring)": measured(
                    env, api, worker, server, lambda n: sagsgang(env, "sag", "indsend", f"27.00.00-G01-{n}-27")
                ),
            }
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(timeout=60)
            except subprocess.TimeoutExpired:
                service.kill()
    print("CPU (user+sys) per færdig flow-kørsel under prefect server + prefect worker:")
    for name, (child, worker_own, on_server, runs) in found.items():
        print(
            f"  {name:<42} kørslens proces {child:5.2f} s, arbejderen {worker_own:5.2f} s, "
            f"Prefect-serveren {on_server:5.2f} s, i alt {child + worker_own + on_server:5.2f} s   ({dict(runs)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
