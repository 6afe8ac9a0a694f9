"""Benchmark: machine instructions each CLI action executes without the service, next to named baselines.

Why: on a shared 2-core machine the same command's wall and CPU time vary by ±50 % from one
minute to the next (bench/lifecycle.py's figures), which hides a change of 5–10 %. The number of
instructions a process executes does not depend on its neighbours: valgrind's cachegrind counts
them (`--cache-sim=no`: counting only, about 10 s per second of Python). The figure to compare
across machines is the ratio to the baseline in the same run; a second on a quiet machine is
roughly 3,400 M instructions here (December 2026: `import sqlmodel`, 1,524 M, took about 0.45 s).

What is measured (one temporary SAGSGANG_HOME on SQLite, no service; the actions follow up inline,
as bench/lifecycle.py's variant without the service):
    baselines: `python -c pass`; `python -c 'import sqlmodel'` (the database layer every action
    imports first); `sagsgang plan` (no database);
    actions: sag opret (a reminder falls due at once; without the service the command leaves it to the
    service, as in bench/lifecycle.py),
    sag indsend, mødeplan flyt and mødeplan aflys, each on the service's day of bench/lifecycle.py.
The background feed publish each action starts is its own process and is not counted (valgrind
follows no child); each action starts once the last one's publish is done.

Run:  .venv/bin/python bench/instructions.py      (needs valgrind: apt-get install valgrind)
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lifecycle import (
    BIN,
    IMPORT_FLOOR,
    NAME_WIDTH,
    SERVICE_DAY,
    direktion_days,
    dmy,
    environment,
    journal,
    opret,
    publishes_done,
    sagsgang,
)

BASELINE = IMPORT_FLOOR  # the same baseline, under the same name, as lifecycle.py's
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(env: dict, command: list[str]) -> int:
    """Instructions `command` executed (cachegrind's I refs), once earlier publishes are done."""
    publishes_done()
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *command],
        env={**env, "SAGSGANG_TODAY": SERVICE_DAY},
        capture_output=True,
        text=True,
    )
    found = REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(command[1:4])} fejlede ({done.returncode}): {done.stderr.strip()[-300:]}")
    return int(found[1].replace(",", ""))


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind mangler: apt-get install valgrind", file=sys.stderr)
        return 1
    python, command = sys.executable, str(BIN / "sagsgang")
    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-instr-", ignore_cleanup_errors=True) as folder:
        home = Path(folder)
        env = environment(home)
        (home / "home").mkdir()
        sagsgang(env, "db", "opgrader")
        runs = {
            "python -c pass": [python, "-c", "pass"],
            BASELINE: [python, "-c", "import sqlmodel"],
            "sagsgang plan (ingen database)": [
                python, command, "plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027",
            ],
            "sag opret": [python, command, *opret(1)],
            "sag indsend": [python, command, "sag", "indsend", journal(1)],
        }  # fmt: skip
        found = {name: instructions(env, run) for name, run in runs.items()}
        days = direktion_days(env, count=2)  # the launch stored the meeting plan
        moves = {
            "mødeplan flyt": [
                python, command, "mødeplan", "flyt", "direktion", dmy(days[0]), dmy(days[0] + dt.timedelta(days=1)),
                "--kommune", "slagelse",
            ],
            "mødeplan aflys": [python, command, "mødeplan", "aflys", "direktion", dmy(days[1]), "--kommune", "slagelse"],
        }  # fmt: skip
        found.update({name: instructions(env, run) for name, run in moves.items()})
    print("Instruktioner pr. kommando uden tjenesten (valgrind cachegrind; forhold = / databaselaget)")
    for name, count in found.items():
        print(f"{name:<{NAME_WIDTH}} {count / 1e6:>9,.0f} M {count / found[BASELINE]:>6.2f}×", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
