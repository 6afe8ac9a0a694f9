"""Scale-out as production runs it: PostgreSQL, `prefect server` on PostgreSQL, the Prefect work pool
`sagsgang` (process type) with exactly two `sagsgang arbejder` processes, and web processes started as
`sagsgang tjeneste --uden-prefect` that hand each follow-up to the Prefect server.

200 cases are launched at once through the JSON API (spread over two web processes), and as soon as
they are stored, 200 decisions (Direktionen godkendt) at once through a third web process whose date
is after the meeting. Then, polling with a deadline, every case must be advanced by exactly one
`sagsforloeb` run per hand-off (launch, decision): runs are counted per case through the Prefect API,
so a duplicate (two runs for one hand-off) or a lost one (none) fails the test. The p95 from a launch
to its case's run having planned it, and from a decision to the case's next stage, is printed.

Own Prefect and Sagsgang databases (scaleout_prefect, scaleout): the other e2e tests' deployments
and workers are not counted.

Dates: Slagelse, route 'politisk', ready Monday 1 March 2027: Direktionen 9 March (deadline 4 March),
then Strategisk Chefforum 8 April.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.e2e.conftest import VENV_BIN, running_prefect_server
from tests.servers import answers, free_port, stop, wait_for

# Part of `make e2e`; `make e2e-skalering` runs only this (marker skalering).
pytestmark = [pytest.mark.e2e, pytest.mark.skalering]

CASES = int(os.environ.get("SKALERING_SAGER", "200"))  # fewer while iterating
WORKERS = 2
POOL = "sagsgang"
ADVANCE = "sagsforloeb/sagsgang"
DEADLINE_SECONDS = max(12 * 60, 10 * CASES)  # two runs a case at ~3–5 s of CPU each, on two cores, with room
RUNS_PER_WORKER = 4  # flow runs at once per worker (each is a Python process of its own)
USER = ("skalering@slagelse.dk", "skalering-kode-2027")
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def journal(number: int) -> str:
    return f"27.00.00-G01-{number}-27"


@pytest.fixture(scope="module")
def scaleout(postgres, e2e_env):
    """The whole set-up; yields (env, Prefect API URL, [launch web URLs], decision web URL)."""
    host, port, user = postgres
    home = Path(e2e_env["SAGSGANG_HOME"]).parent / "scaleout"
    home.mkdir(exist_ok=True)
    env = {
        **e2e_env,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{user}@{host}:{port}/scaleout_prefect",
        "SAGSGANG_DATABASE_URL": f"postgresql+psycopg://{user}@{host}:{port}/scaleout",
        "SAGSGANG_HOME": str(home / "sagsgang"),
        "SAGSGANG_FEEDS_DIR": str(home / "kalender"),
        "SAGSGANG_TODAY": "2027-03-01",
        "SAGSGANG_SECRET_KEY": "skalering-test-noegle",  # every web process signs sessions alike
        # As the README's scale-out set-up says: Prefect's default pool (5 + 10 connections) runs dry
        # under 400 hand-offs at once plus the runs' own reports, and the server then answers 500.
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE": "20",
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW": "20",
    }
    env.pop("PREFECT_API_URL", None)
    with ExitStack() as stack:
        api = stack.enter_context(running_prefect_server(env, home / "prefect-server.log"))
        env["PREFECT_API_URL"] = api
        for command, stdin in (
            (["db", "opgrader"], ""),
            (
                [
                    "bruger",
                    "opret",
                    USER[0],
                    "--rolle",
                    "sekretariat",
                    "--navn",
                    "Skalering",
                    "--adgangskode-fra-stdin",
                ],
                USER[1] + "\n",
            ),
        ):
            done = subprocess.run(
                [str(VENV_BIN / "sagsgang"), *command],
                env=env,
                input=stdin,
                text=True,
                capture_output=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
        # A process worker starts every scheduled run at once unless limited: 400 Python processes
        # would exhaust the machine, so each worker runs at most RUNS_PER_WORKER at a time.
        workers = [
            start(stack, ["arbejder", "--samtidige", str(RUNS_PER_WORKER)], env, home / f"arbejder-{n}.log")
            for n in range(WORKERS)
        ]
        wait_until(lambda: online_workers(api) == WORKERS, "two workers online in pool 'sagsgang'", workers, home)
        wait_until(lambda: ADVANCE in deployment_names(api), "the deployments registered", workers, home)
        launch_urls = [serve(stack, env, home / f"web-{n}.log") for n in range(2)]
        decision_url = serve(stack, {**env, "SAGSGANG_TODAY": "2027-03-10"}, home / "web-beslutning.log")
        yield env, api, launch_urls, decision_url


def start(stack: ExitStack, args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = stack.enter_context(open(log_path, "w"))  # noqa: SIM115  (closed by the stack)
    process = subprocess.Popen([str(VENV_BIN / "sagsgang"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop, process, 30)
    return process


def serve(stack: ExitStack, env: dict, log_path: Path) -> str:
    port = free_port()
    args = ["tjeneste", "--uden-prefect", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    process = start(stack, args, env, log_path)
    url = f"http://127.0.0.1:{port}"
    wait_for(answers(f"{url}/login"), process, log_path, "sagsgang tjeneste --uden-prefect", seconds=300, pause=0.5)
    return url


def wait_until(ready, what: str, processes: list[subprocess.Popen], home: Path, seconds: float = 300) -> None:
    """Until `ready()`; fails with the ends of the workers' logs if one exits or time runs out."""
    deadline = time.monotonic() + seconds
    while not ready():
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            logs = sorted(home.glob("arbejder-*.log")) + sorted(home.glob("sagsgang/logs/*.log"))
            tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}" for log in logs)
            pytest.fail(f"no {what}: a worker exited or {seconds} s passed\n{tails}")
        time.sleep(1)


def prefect(api: str, path: str, body: dict | None = None):
    response = httpx.post(f"{api}{path}", json=body or {}, timeout=30)
    response.raise_for_status()
    return response.json()


def online_workers(api: str) -> int:
    try:
        workers = prefect(api, f"/work_pools/{POOL}/workers/filter")
    except httpx.HTTPError:
        return 0
    return sum(1 for worker in workers if worker.get("status") == "ONLINE")


def deployment_names(api: str) -> set[str]:
    names = {flow["id"]: flow["name"] for flow in prefect(api, "/flows/filter")}
    return {f"{names.get(d['flow_id'])}/{d['name']}" for d in prefect(api, "/deployments/filter")}


def advance_runs(api: str) -> list[dict]:
    """Every run of the advance deployment (the API pages by 200)."""
    flow, name = ADVANCE.split("/")
    deployment = httpx.get(f"{api}/deployments/name/{flow}/{name}", timeout=30).json()
    runs: list[dict] = []
    while True:
        page = prefect(
            api,
            "/flow_runs/filter",
            {"deployments": {"id": {"any_": [deployment["id"]]}}, "limit": 200, "offset": len(runs)},
        )
        runs += page
        if len(page) < 200:
            return runs


def logged_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("/api/login", json={"brugernavn": USER[0], "adgangskode": USER[1]})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.get("/api/mig").json()["csrf_token"]
    return client


def launch(client: httpx.Client, number: int) -> float:
    body = {
        "kommune": "slagelse",
        "titel": f"Skaleringssag {number}",
        "journalnummer": journal(number),
        "sagsbehandler": "Mette Hansen",
        "sagsbehandler_email": "meha@slagelse.dk",
        "leder": "Lars Berg",
        "leder_email": "labe@slagelse.dk",
        "rute": "politisk",
        "klar": "01-03-2027",
    }
    started = time.time()
    response = client.post("/api/sager", json=body)
    assert response.status_code == 201, response.text
    return started


def decide(client: httpx.Client, number: int) -> float:
    started = time.time()
    response = client.post(
        f"/api/sager/slagelse/{journal(number)}/beslutninger",
        json={"organ": "direktion", "udfald": "godkendt", "tekst": "Direktionen godkendte indstillingen."},
    )
    assert response.status_code == 200, response.text
    return started


def p95(values: list[float]) -> str:
    return f"{statistics.quantiles(values, n=20)[-1]:.1f} s" if len(values) > 1 else "– (for få kørsler færdige)"


def test_two_workers_advance_every_case_once_per_hand_off(scaleout):
    env, api, launch_urls, decision_url = scaleout
    numbers = range(1, CASES + 1)
    launchers = [logged_in(url) for url in launch_urls]
    decider = logged_in(decision_url)
    with ThreadPoolExecutor(max_workers=32) as pool:
        launched = dict(zip(numbers, pool.map(lambda n: launch(launchers[n % 2], n), numbers), strict=True))
        decided = dict(zip(numbers, pool.map(lambda n: decide(decider, n), numbers), strict=True))
    for client in (*launchers, decider):
        client.close()

    # Poll with a deadline until every hand-off's run has finished (or the deadline says not).
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        runs = advance_runs(api)
        finished = [r for r in runs if r["state_type"] in TERMINAL]
        if len(finished) >= 2 * CASES and len(finished) == len(runs) or time.monotonic() > deadline:
            break
        time.sleep(2)

    per_case = Counter(r["parameters"]["journal_number"] for r in runs)
    duplicates = {j: n - 2 for j, n in per_case.items() if n > 2}
    lost = {journal(n): 2 - per_case.get(journal(n), 0) for n in numbers if per_case.get(journal(n), 0) < 2}
    states = Counter(r["state_type"] for r in runs)
    ran_on = Counter(r.get("work_pool_name") for r in runs)
    keys = Counter(r.get("idempotency_key") for r in runs if r.get("idempotency_key"))

    # What the cases look like in Sagsgang's database: decided at Direktionen, planned at stage 2.
    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])
    with engine.connect() as connection:
        decided_cases = connection.execute(
            sa.text(
                "SELECT count(DISTINCT c.case_id) FROM decisions d JOIN consultations c ON c.id = d.consultation_id"
            )
        ).scalar_one()
        next_stage = connection.execute(
            sa.text("SELECT count(DISTINCT case_id) FROM consultations WHERE stage = 2 AND meeting_id IS NOT NULL")
        ).scalar_one()
    engine.dispose()

    # Each case's first run (by creation) is its launch's hand-off, the second its decision's.
    by_case: dict[str, list[dict]] = defaultdict(list)
    for run in sorted(runs, key=lambda r: r["created"]):
        by_case[run["parameters"]["journal_number"]].append(run)

    def ended(number: int, index: int, since: dict[int, float]) -> float | None:
        found = by_case[journal(number)]
        if len(found) <= index or not found[index].get("end_time"):
            return None
        return dt.datetime.fromisoformat(found[index]["end_time"]).timestamp() - since[number]

    to_planned = [t for n in numbers if (t := ended(n, 0, launched)) is not None]
    to_advanced = [t for n in numbers if (t := ended(n, 1, decided)) is not None]
    print(
        f"\n{CASES} starter + {CASES} beslutninger, {WORKERS} arbejdere: {len(runs)} kørsler af {ADVANCE} "
        f"({dict(states)}, puljer {dict(ran_on)}); dubletter {sum(duplicates.values())}, tabte {sum(lost.values())}; "
        f"p95 start → planlagt {p95(to_planned)}, beslutning → næste trin {p95(to_advanced)}"
    )

    assert not duplicates, (
        f"{len(duplicates)} cases ran more than once per hand-off, e.g. {list(duplicates.items())[:3]}"
    )
    assert not lost, f"{len(lost)} hand-offs never ran, e.g. {list(lost.items())[:3]}"
    assert states == Counter({"COMPLETED": 2 * CASES}), states
    assert set(ran_on) == {POOL}, ran_on
    assert all(n == 1 for n in keys.values()), "two runs share an idempotency key"
    assert decided_cases == CASES
    assert next_stage == CASES
