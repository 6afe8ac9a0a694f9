"""Benchmark: the CPU time (user + sys) each lifecycle action costs, with the service running and
without it, and where a command's imports go (`python -X importtime`).

CPU time, not wall time: on a shared machine wall time measures the neighbours; the CPU a command
burns is what it costs whoever runs it. Each CLI action runs REPEAT times (default 5) as a new
process under `/usr/bin/time`, and its median user+sys is reported; the web actions (Start sag,
beslutning, materiale modtaget, mødeændring through the JSON API) are measured as the CPU the web
process (`sagsgang tjeneste --workers 1`: one process) spends between sending the request and its
answer, read from /proc/<pid>/stat (10 ms ticks). The follow-up the service's worker does after a
hand-off is not an action's cost and is not counted.

With the service, its CLI actions take the thin path (sagsgang.cli.service_client: sent to the
service's web app); `sag opret` and `sag indsend` are also measured on the command's own path
("eget spor": the service's local token moved aside, so the command stores the fact and hands the
follow-up to Prefect itself), and the web process's CPU for each thin action is reported with it.

Then `-X importtime` of `sag opret` and `sag indsend`: the ten top-level packages whose own import
time (self) is largest.

Python writes no bytecode with PYTHONDONTWRITEBYTECODE set (as on this project's build machines):
every one of our modules would then be compiled from source at each command, which no installed
Sagsgang does; the variable is removed for the commands measured here.

Run:  .venv/bin/python bench/action_cpu.py [--gentag N] [--uden-tjeneste | --kun-tjeneste]
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from lifecycle import (
    BIN,
    LAUNCH_DAY,
    SERVICE_DAY,
    USER,
    direktion_days,
    dmy,
    environment,
    journal,
    opret,
    start_service,
    stop_service,
)

from sagsgang.service import local_token

REPEAT = int(sys.argv[sys.argv.index("--gentag") + 1]) if "--gentag" in sys.argv else 5
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of_command(env: dict, *args: str, today: str = SERVICE_DAY) -> float:
    """user + sys seconds of one `sagsgang` command (it must succeed)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as measured:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S", "-o", measured.name, str(BIN / "sagsgang"), *args],
            env={**env, "SAGSGANG_TODAY": today},
            text=True,
            capture_output=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"sagsgang {' '.join(args[:3])} fejlede ({done.returncode}): {done.stderr[-400:]}")
        user, system = measured.read().split()[-2:]
    return float(user) + float(system)


def cpu_of_process(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def imports(env: dict, *args: str, today: str) -> list[tuple[str, float]]:
    """The ten top-level packages with the most own import time (ms) in one run of the command."""
    done = subprocess.run(
        [str(BIN / "python"), "-X", "importtime", "-m", "sagsgang.cli", *args],
        env={**env, "SAGSGANG_TODAY": today},
        text=True,
        capture_output=True,
    )
    own: collections.Counter[str] = collections.Counter()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, _cumulative, name = line.removeprefix("import time:").split("|")
            own[name.strip().split(".")[0]] += int(self_us)
    return [("(alle)", sum(own.values()) / 1000)] + [(name, us / 1000) for name, us in own.most_common(10)]


def prepare(env: dict) -> None:
    """Cases 1..2×REPEAT launched on 1 March with their material in, inline (no worker re-plans them
    on the service's day meanwhile): decided on 10 March, after Direktionen's meeting of 9 March."""
    inline = {**env, "SAGSGANG_ORCHESTRATION": "inline"}
    for n in range(2 * REPEAT):
        cpu_of_command(inline, *opret(1 + n, ready="01-03-2027"), today=LAUNCH_DAY)
        cpu_of_command(inline, "sag", "indsend", journal(1 + n), today=LAUNCH_DAY)


def cli_actions(env: dict, days: list[dt.date]) -> dict[str, list[float]]:
    """New cases 101.. launched and their material handed in on the service's day; cases 1..REPEAT decided."""
    found = {
        "sag opret": [cpu_of_command(env, *launched_today(101 + n)) for n in range(REPEAT)],
        "sag indsend": [cpu_of_command(env, "sag", "indsend", journal(101 + n)) for n in range(REPEAT)],
        "sag beslut": [
            cpu_of_command(env, "sag", "beslut", journal(1 + n), "direktion", "godkendt", "--tekst", "Godkendt.")
            for n in range(REPEAT)
        ],
    }
    found["mødeplan flyt"] = [
        cpu_of_command(
            env,
            "mødeplan",
            "flyt",
            "direktion",
            dmy(days[n]),
            dmy(days[n] + ONE_DAY),
            "--bekræft-dag",
            "--kommune",
            "slagelse",
        )
        for n in range(REPEAT)
    ]
    found["mødeplan aflys"] = [
        cpu_of_command(env, "mødeplan", "aflys", "direktion", dmy(days[REPEAT + n]), "--kommune", "slagelse")
        for n in range(REPEAT)
    ]
    found["sagsgang plan (ingen database)"] = [
        cpu_of_command(env, "plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027")
        for _ in range(REPEAT)
    ]
    return found


def own_and_thin(env: dict, home: Path, pid: int) -> dict[str, list[float]]:
    """`sag opret` (cases 201..) and `sag indsend` on the command's own path, and thin again
    (cases 301..) with the web process's CPU per action."""
    token = local_token.path(home)
    aside = token.with_suffix(".aside")
    token.rename(aside)
    try:
        found = {
            "sag opret (eget spor)": [cpu_of_command(env, *launched_today(201 + n)) for n in range(REPEAT)],
            "sag indsend (eget spor)": [cpu_of_command(env, "sag", "indsend", journal(201 + n)) for n in range(REPEAT)],
        }
    finally:
        aside.rename(token)
    for action, command in (
        ("sag opret", lambda n: launched_today(301 + n)),
        ("sag indsend", lambda n: ["sag", "indsend", journal(301 + n)]),
    ):
        web = []
        for n in range(REPEAT):
            before = cpu_of_process(pid)
            cpu_of_command(env, *command(n))
            web.append(cpu_of_process(pid) - before)
        found[f"{action}: tjenestens webproces"] = web
    return found


def launched_today(number: int) -> list[str]:
    """`sag opret` for case `number`, ready on the service's day."""
    arguments = opret(number)
    arguments[arguments.index("--klar") + 1] = "10-03-2027"
    return arguments


def web_actions(env: dict, web_url: str, pid: int, days: list[dt.date]) -> dict[str, list[float]]:
    """Start sag (cases 1000+), beslutning (the CLI's cases REPEAT+1..2×REPEAT), materiale (the web's
    cases), mødeændring (the meetings the CLI moved, a day on): the web process's CPU per request."""
    subprocess.run(
        [str(BIN / "sagsgang"), "bruger", "opret", USER[0], "--rolle", "sekretariat", "--adgangskode-fra-stdin"],
        env=env,
        input=USER[1] + "\n",
        text=True,
        capture_output=True,
        check=True,
    )
    moved = [day + ONE_DAY for day in days[:REPEAT]]  # where the CLI moved them
    with httpx.Client(base_url=web_url, timeout=120) as client:
        assert client.post("/api/login", json={"brugernavn": USER[0], "adgangskode": USER[1]}).status_code == 200
        client.headers["X-CSRF-Token"] = client.get("/api/mig").json()["csrf_token"]

        def measured(method: str, path: str, body: dict) -> float:
            before = cpu_of_process(pid)
            answer = client.request(method, path, json=body)
            spent = cpu_of_process(pid) - before
            if answer.status_code >= 300:
                raise SystemExit(f"{path}: HTTP {answer.status_code} {answer.text[:300]}")
            return spent

        found = {
            "web: Start sag": [
                measured(
                    "POST",
                    "/api/sager",
                    {
                        "kommune": "slagelse",
                        "titel": f"Websag {n}",
                        "journalnummer": journal(1000 + n),
                        "sagsbehandler": "Mette Hansen",
                        "sagsbehandler_email": "meha@slagelse.dk",
                        "leder": "Lars Berg",
                        "leder_email": "labe@slagelse.dk",
                        "rute": "politisk",
                        "klar": "10-03-2027",
                    },
                )  # fmt: skip
                for n in range(REPEAT)
            ]
        }
        found["web: beslutning"] = [
            measured(
                "POST",
                f"/api/sager/slagelse/{journal(1 + REPEAT + n)}/beslutninger",
                {"organ": "direktion", "udfald": "godkendt", "tekst": "Godkendt."},
            )
            for n in range(REPEAT)
        ]
        found["web: materiale modtaget"] = [
            measured("POST", f"/api/sager/slagelse/{journal(1000 + n)}/materiale", {"organ": "direktion"})
            for n in range(REPEAT)
        ]
        found["web: mødeændring (flyt)"] = [
            measured(
                "POST",
                f"/api/moeder/slagelse/direktion/{moved[n].isoformat()}",
                {"handling": "flyt", "ny_dato": dmy(moved[n] + ONE_DAY), "bekraeft": True, "bekraeft_dag": True},
            )
            for n in range(REPEAT)
        ]
    return found


ONE_DAY = dt.timedelta(days=1)


def run(prefect: bool) -> None:
    name = "med tjenesten" if prefect else "uden tjeneste"
    print(f"CPU (user+sys) per handling, {name}: median af {REPEAT} (min–maks)", flush=True)
    with tempfile.TemporaryDirectory(prefix="sagsgang-cpu-", ignore_cleanup_errors=True) as folder:
        home = Path(folder)
        env = environment(home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        (home / "home").mkdir()
        subprocess.run([str(BIN / "sagsgang"), "db", "opgrader"], env=env, check=True, capture_output=True)
        service, web_url = start_service(env, home / "home", prefect=prefect)
        try:
            prepare(env)
            days = direktion_days(env, 2 * REPEAT)
            report(cli_actions(env, days))
            if prefect:
                report(own_and_thin(env, home / "home", service.pid))
            top = {
                "sag opret": imports(env, *opret(900), today=LAUNCH_DAY),
                "sag indsend": imports(env, "sag", "indsend", journal(900), today=LAUNCH_DAY),
            }
            if prefect:  # on the service's day: the thin path
                top["sag opret (tynd)"] = imports(env, *launched_today(950), today=SERVICE_DAY)
                top["sag indsend (tynd)"] = imports(env, "sag", "indsend", journal(950), today=SERVICE_DAY)
            for action, packages in top.items():
                print(
                    f"  importtime, {action}: " + ", ".join(f"{package} {ms:.0f}" for package, ms in packages) + " (ms)"
                )
            report(web_actions(env, web_url, service.pid, days))
        finally:
            stop_service(service)


def report(found: dict[str, list[float]]) -> None:
    """Each action's median CPU time, as soon as it is measured (a later failure keeps it)."""
    for action, times in found.items():
        print(
            f"  {action:<34} {statistics.median(times) * 1000:6.0f} ms  ({min(times) * 1000:.0f}–{max(times) * 1000:.0f})"
        )
    sys.stdout.flush()


def main() -> int:
    if "--uden-tjeneste" not in sys.argv:
        run(prefect=True)
    if "--kun-tjeneste" not in sys.argv:
        run(prefect=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
