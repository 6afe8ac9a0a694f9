"""Benchmark: the lifecycle's actions against the running service and without it, next to named baselines.

What is measured (one run, one temporary SAGSGANG_HOME on SQLite, the service started and stopped here)
    `sagsgang tjeneste` runs as a user starts it: web app, its own Prefect server, the deployments
    and one worker. Each action is timed from the command's start (or the HTTP request) to its
    answer, REPEAT times, and reported as p50 and p95:
        sag opret, sag indsend, sag beslut, mødeplan flyt, mødeplan aflys (the CLI, a new process each
        time, as a secretary types it) and the web's Start sag and decision (the JSON API, logged in).
    Baselines in the same run: an empty Prefect flow run on the service's Prefect server (in this
    process), a plain database transaction (one UPDATE, committed), and `sagsgang plan` (a CLI
    command that touches neither database nor Prefect: the cost of starting Python). Each action's
    p50 is given as a ratio to the empty flow run and to the transaction.
    Re-planning: 1,000 cases stored on one Strategisk Chefforum meeting as a municipality has them
    on the service's day (seed_moved_cases: launched over weeks, Direktionen's decisions and
    material in, the earlier days' mails sent; bulk inserts, planned by plan_many as
    bench/find_due.py does, feeds published once, untimed); then `mødeplan flyt` moves the meeting,
    and the time until every case's consultation has its new deadline and every case's published
    feed shows the new date is reported (polled every 0.2 s), with the number of mails the move
    caused (the reminders falling due that day). Measured with the service (its `moedeaendring`
    run re-plans) and without it (the command re-plans in its own process and leaves the mails to
    the service: 0).

Without the service (the inline variant, a second temporary SAGSGANG_HOME): the same CLI actions
    follow up in their own process without Prefect, and the web's (`sagsgang tjeneste --uden-prefect`,
    the web app alone) in the request; marked "(uden tjeneste)". Each such command starts a
    background publish of the feeds as it answers (sagsgang.publishing.background), which the
    next command, started at once, shares the machine with; the CLI actions are timed that way
    (back to back) and again each "alene": once the earlier commands' publishes are done, as a
    secretary's next command usually finds the machine. Baselines in the same run: Python
    importing the database layer (`python -c 'import sqlmodel'`), which every action pays before
    its own work, and `sagsgang plan`; each action's p50 is given as a ratio to the first.

Dates: the service's "today" is pinned to Wednesday 10 March 2027 (SAGSGANG_TODAY), and every
timed command runs on that day too (the service refuses a command pinned to another day, which
then takes its own path). The timed launches are ready on 10 March (route 'politisk'). The cases
that `sag beslut` and the web app decide are launched beforehand without the service, ready on
1 March with their material in before Direktionen's deadline of 4 March, so they stay on its
9 March meeting, which has passed on the service's day.

Run:  .venv/bin/python bench/lifecycle.py [--gentag N] [--kun-uden-tjeneste]
(`--kun-uden-tjeneste`: only the variant without the service.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx

BIN = Path(sys.executable).parent
REPEAT = int(sys.argv[sys.argv.index("--gentag") + 1]) if "--gentag" in sys.argv else 20
SERVICE_DAY = "2027-03-10"
LAUNCH_DAY = "2027-03-01"
MOVED_CASES = 1_000
CLI_DECIDED, WEB_DECIDED = 300, 500  # the journal serials of the cases `sag beslut` and the web decide (decided_cases)
CHEFFORUM, OLD_DAY, NEW_DAY = "strategisk_chefforum", "08-04-2027", "15-04-2027"
MATERIAL_IN = 0.8  # the share of the cases not yet treated by Direktionen whose material is in already
USER = ("bench@slagelse.dk", "bench-kode-2027-abc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sagsgang(env: dict, *args: str, today: str = SERVICE_DAY, stdin: str = "") -> float:
    """Run one command; its wall time (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "sagsgang"), *args],
        env={**env, "SAGSGANG_TODAY": today},
        input=stdin,
        text=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise ActionFailed(f"sagsgang {' '.join(args[:2])} fejlede ({done.returncode}): {done.stderr.strip()[-300:]}")
    return elapsed


class ActionFailed(RuntimeError):
    """An action answered with an error: counted and shown, not timed."""


NAME_WIDTH = 62  # the longest name: the import baseline, "(uden tjeneste)"
FAILURES: dict[str, list[str]] = {}
VARIANT = ""  # appended to each action's name: " (uden tjeneste)" while the inline variant runs


def opret(number: int, ready: str = "10-03-2027") -> list[str]:
    return [
        "sag", "opret", "--kommune", "slagelse", "--titel", f"Målesag {number}",
        "--journalnummer", journal(number), "--sagsbehandler", "Mette Hansen",
        "--sagsbehandler-email", "meha@slagelse.dk", "--leder", "Lars Berg",
        "--leder-email", "labe@slagelse.dk", "--rute", "politisk", "--klar", ready,
    ]  # fmt: skip


def journal(number: int) -> str:
    return f"27.00.00-G01-{number}-27"


def start_service(env: dict, home: Path, prefect: bool = True) -> tuple[subprocess.Popen, str]:
    """`sagsgang tjeneste` (with its Prefect server, deployments and worker; or `--uden-prefect`: the
    web app alone, whose actions then follow up inline); the process and the web app's address."""
    port = free_port()
    log = open(home / "tjeneste.out", "w")  # noqa: SIM115  (the service's own output, kept for a failed start)
    options = ["--prefect-port", str(free_port())] if prefect else ["--uden-prefect"]
    process = subprocess.Popen(
        [str(BIN / "sagsgang"), "tjeneste", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", *options],
        env={**env, "SAGSGANG_TODAY": SERVICE_DAY},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    web_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    state = home / "tjeneste.json"

    def ready() -> bool:
        if not prefect:
            return answers(web_url)
        return state.exists() and deployed(json.loads(state.read_text())["prefect_api_url"])

    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"sagsgang tjeneste startede ikke:\n{(home / 'tjeneste.out').read_text()[-3000:]}")
        time.sleep(0.5)
    return process, web_url


def answers(web_url: str) -> bool:
    try:
        return httpx.get(f"{web_url}/login", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def deployed(api: str) -> bool:
    try:
        return httpx.get(f"{api}/deployments/name/sagsforloeb/sagsgang", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def stop_service(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def figures(name: str, times: list[float], baselines: dict[str, float]) -> str:
    failed = f"  ({len(FAILURES[name])} fejlede)" if name in FAILURES else ""
    if len(times) < 2:
        return f"{name:<{NAME_WIDTH}} {'–':>11} {'–':>11}{failed}"
    p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    ratios = "  ".join(f"{p50 / value:6.1f}×" for value in baselines.values())
    return f"{name:<{NAME_WIDTH}} {p50 * 1000:8.0f} ms {p95 * 1000:8.0f} ms  {ratios}{failed}"


def timed(action: Callable[[int], float | None], count: int, name: str = "") -> list[float]:
    times = []
    for number in range(count):
        started = time.perf_counter()
        try:
            measured = action(number)
        except (ActionFailed, httpx.HTTPError) as failure:  # e.g. a timeout: counted and shown
            FAILURES.setdefault(name + VARIANT, []).append(str(failure))
            continue
        times.append(measured if measured is not None else time.perf_counter() - started)
    return times


def baselines(env: dict, api: str) -> dict[str, list[float]]:
    os.environ["PREFECT_API_URL"] = api
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    import sqlalchemy as sa
    from prefect import flow

    @flow(name="tom")
    def empty() -> None:
        return None

    empty()  # warm-up: imports and the first round trips
    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])

    def transaction(_number: int) -> None:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE cases SET updated_at = updated_at WHERE id = (SELECT min(id) FROM cases)")
            )

    found = {
        "tom flow-kørsel": timed(lambda _n: empty(), REPEAT),
        "databasetransaktion": timed(transaction, REPEAT),
        "sagsgang plan (ingen database)": timed(
            lambda _n: sagsgang(env, "plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027"),
            REPEAT,
        ),
    }
    engine.dispose()
    return found


def direktion_meeting(env: dict, journal_number: str) -> str:
    """The day (åååå-mm-dd) of the Direktion meeting the case is planned on now, read from the case."""
    import sqlalchemy as sa

    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])
    query = sa.text(
        "SELECT m.day FROM consultations c JOIN cases s ON s.id = c.case_id JOIN meetings m ON m.id = c.meeting_id "
        "JOIN bodies b ON b.id = c.body_id WHERE s.journal_number = :j AND b.key = 'direktion' "
        "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.consultation_id = c.id)"
    )
    with engine.connect() as connection:
        day = connection.execute(query, {"j": journal_number}).scalar_one()
    engine.dispose()
    return str(day)[:10]


def decided_cases(env: dict, first: int) -> None:
    """REPEAT cases to decide (untimed), from journal serial `first`: launched 1 March without the
    service and their material in before the deadline, so they stay on Direktionen's 9 March
    meeting, which has passed on the service's day (10 March), the day the decisions are made on."""
    inline = {**env, "SAGSGANG_ORCHESTRATION": "inline"}
    for n in range(REPEAT):
        sagsgang(inline, *opret(first + n, ready="01-03-2027"), today=LAUNCH_DAY)
        sagsgang(inline, "sag", "indsend", journal(first + n), today=LAUNCH_DAY)
        day = direktion_meeting(env, journal(first + n))
        if day > SERVICE_DAY:
            raise SystemExit(f"{journal(first + n)} er planlagt på Direktionen {day}, efter tjenestens dag")


def web_actions(env: dict, web_url: str, first: int) -> dict[str, list[float]]:
    sagsgang(env, "bruger", "opret", USER[0], "--rolle", "sekretariat", "--adgangskode-fra-stdin", stdin=USER[1] + "\n")
    decided_cases(env, WEB_DECIDED)
    with httpx.Client(base_url=web_url, timeout=60) as client:
        assert client.post("/api/login", json={"brugernavn": USER[0], "adgangskode": USER[1]}).status_code == 200
        client.headers["X-CSRF-Token"] = client.get("/api/mig").json()["csrf_token"]

        def start_case(n: int) -> None:
            body = {
                "kommune": "slagelse", "titel": f"Websag {n}", "journalnummer": journal(first + n),
                "sagsbehandler": "Mette Hansen", "sagsbehandler_email": "meha@slagelse.dk", "leder": "Lars Berg",
                "leder_email": "labe@slagelse.dk", "rute": "politisk", "klar": "10-03-2027",
            }  # fmt: skip
            answered(client.post("/api/sager", json=body), "web: Start sag")

        def decide(n: int) -> None:
            response = client.post(
                f"/api/sager/slagelse/{journal(WEB_DECIDED + n)}/beslutninger",  # see decided_cases
                json={"organ": "direktion", "udfald": "godkendt", "tekst": "Godkendt."},
            )
            answered(response, "web: beslutning")

        return {
            "web: Start sag": timed(start_case, REPEAT, "web: Start sag"),
            "web: beslutning": timed(decide, REPEAT, "web: beslutning"),
        }


def answered(response: httpx.Response, name: str) -> None:
    if response.status_code >= 300:
        raise ActionFailed(f"{name}: HTTP {response.status_code} {response.text[:200]}")


def cli_actions(
    env: dict,
    first: int = 1,
    decided: int = CLI_DECIDED,
    since: str = "2027-08-20",
    run: Callable[..., float] | None = None,
) -> dict[str, list[float]]:
    # Every command on the service's day: the service refuses one pinned to another day (421), and
    # the command then takes its own path (the database and the hand-off in its own process).
    # Cases first..first+REPEAT are launched and get their material in; cases decided.. are
    # decided; Direktionen's planned meetings from `since` on are moved and cancelled.
    # `run` runs each timed command (default: `sagsgang`, at once).
    decided_cases(env, decided)
    run = run or sagsgang
    found = {"sag opret": timed(lambda n: run(env, *opret(first + n)), REPEAT, "sag opret")}
    found["sag indsend"] = timed(lambda n: run(env, "sag", "indsend", journal(first + n)), REPEAT, "sag indsend")
    found["sag beslut"] = timed(
        lambda n: run(env, "sag", "beslut", journal(decided + n), "direktion", "godkendt", "--tekst", "Godkendt."),
        REPEAT,
        "sag beslut",
    )
    days = direktion_days(env, since=since)  # each moved (to the next day) or cancelled once
    # --bekræft-dag: the next day may lie in a recess (efterårsferie), which the command asks to confirm.
    found["mødeplan flyt"] = timed(
        lambda n: run(env, "mødeplan", "flyt", "direktion", dmy(days[n]), dmy(days[n] + dt.timedelta(days=1)),
                           "--kommune", "slagelse", "--bekræft-dag"),
        REPEAT, "mødeplan flyt",
    )  # fmt: skip
    found["mødeplan aflys"] = timed(
        lambda n: run(env, "mødeplan", "aflys", "direktion", dmy(days[REPEAT + n]), "--kommune", "slagelse"),
        REPEAT,
        "mødeplan aflys",
    )
    return found


def publishing() -> bool:
    """A background feed publish (sagsgang.publishing.background) of an earlier command still runs."""
    found = subprocess.run(["pgrep", "-f", "sagsgang.publishing.background"], capture_output=True)
    return found.returncode == 0


def settled(env: dict, *args: str, **options: str) -> float:
    """`sagsgang(...)` once the earlier commands' background feed publishes are done (waited for
    up to a minute): the command alone on the machine, as a secretary's next command usually is."""
    publishes_done()
    return sagsgang(env, *args, **options)


def publishes_done(seconds: float = 60) -> None:
    """Wait (up to `seconds`) until no background feed publish of an earlier command runs."""
    deadline = time.monotonic() + seconds
    while publishing() and time.monotonic() < deadline:
        time.sleep(0.1)


IMPORT_FLOOR = "python -c 'import sqlmodel' (databaselaget)"


def python_baselines(env: dict) -> dict[str, list[float]]:
    """What every command pays before its own work, in the same run: Python with the database
    layer's import (sqlmodel, which imports SQLAlchemy and pydantic), and `sagsgang plan`."""

    def imported(_number: int) -> None:
        subprocess.run([sys.executable, "-c", "import sqlmodel"], env=env, check=True)

    return {
        IMPORT_FLOOR: timed(imported, REPEAT),
        "sagsgang plan (ingen database)": timed(
            lambda _n: sagsgang(env, "plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027"),
            REPEAT,
        ),
    }


def direktion_days(env: dict, count: int | None = None, since: str = "2027-08-20") -> list[dt.date]:
    """`count` (default 2×REPEAT) of Direktionen's planned meetings from `since` (late August 2027;
    no case is planned on them yet)."""
    count = 2 * REPEAT if count is None else count
    import sqlalchemy as sa

    from models.types import COPENHAGEN, AwareDateTime

    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])
    query = sa.text(
        "SELECT m.starts_at FROM meetings m JOIN bodies b ON b.id = m.body_id WHERE b.key = 'direktion' "
        "AND m.status = 'planlagt' AND m.starts_at > :since ORDER BY m.starts_at"
    ).columns(starts_at=AwareDateTime())
    with engine.connect() as connection:
        starts = connection.execute(query, {"since": since}).scalars().all()
    engine.dispose()
    if len(starts) < count:
        raise SystemExit(f"Direktionen har kun {len(starts)} planlagte møder efter {since}")
    return [start.astimezone(COPENHAGEN).date() for start in starts[:count]]


def dmy(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def count_waiting(engine, body: int, old: set) -> int:
    """The moved meeting's cases whose consultation still has an old deadline."""
    import sqlalchemy as sa

    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM consultations WHERE case_id >= 100000 AND body_id = :b AND deadline IN :d")
            .bindparams(sa.bindparam("d", expanding=True)),
            {"b": body, "d": sorted(old)},
        ).scalar_one()  # fmt: skip


def seed_moved_cases(env: dict, engine) -> tuple[int, set]:
    """MOVED_CASES cases planned on the Strategisk Chefforum meeting of OLD_DAY, as a municipality has
    them on the service's day (bulk inserts, untimed): launched over the weeks before, with ready
    dates spread over the days that reach that meeting (Direktionen 9–30 March); a case whose
    Direktion meeting was held has its material in and a decision, of the others MATERIAL_IN have
    their material in; and every mail that fell due before the service's day went out with the
    daily checks of the days before (`sagsgang daglig` inline on the day before, mails to files).
    So only a reminder that falls due on the service's day itself is left to go out. The body's id
    and the cases' Chefforum deadlines before the move."""
    import random

    import sqlalchemy as sa
    from find_due import planned_rows

    from models.outbox import Submission
    from models.tables import Case, Consultation, Decision, Outcome
    from models.types import COPENHAGEN

    with engine.connect() as connection:
        body = connection.execute(sa.text("SELECT id FROM bodies WHERE key = :k"), {"k": CHEFFORUM}).scalar_one()
        meeting = connection.execute(
            sa.text("SELECT id FROM meetings WHERE body_id = :b AND day = :d"),
            {"b": body, "d": dt.datetime.strptime(OLD_DAY, "%d-%m-%Y").date().isoformat()},
        ).scalar_one()
    candidates = [dt.date(2027, 2, 15) + dt.timedelta(days=n) for n in range(45)]
    _cases, planned = planned_rows(engine, candidates, first=1)
    reaching = [
        candidates[row["case_id"] - 1] for row in planned if row["body_id"] == body and row["meeting_id"] == meeting
    ]
    rng = random.Random(20270310)
    cases, consultations = planned_rows(engine, [rng.choice(reaching) for _ in range(MOVED_CASES)], first=100_000)
    service_day = dt.date.fromisoformat(SERVICE_DAY)
    with engine.begin() as connection:
        connection.execute(sa.insert(Case.__table__), cases)
        connection.execute(sa.insert(Consultation.__table__), consultations)
        direktion = connection.execute(
            sa.text(
                "SELECT c.id, c.case_id, c.body_id, c.deadline, m.starts_at, m.day FROM consultations c "
                "JOIN meetings m ON m.id = c.meeting_id JOIN bodies b ON b.id = c.body_id "
                "WHERE c.case_id >= 100000 AND c.stage = 1 AND b.key = 'direktion'"
            )
        ).all()
        held = [row for row in direktion if dt.date.fromisoformat(str(row.day)[:10]) < service_day]
        material = held + [row for row in direktion if row not in held and rng.random() < MATERIAL_IN]

        def at(day: object, hour: int) -> dt.datetime:
            day = dt.date.fromisoformat(str(day)[:10])
            return dt.datetime(day.year, day.month, day.day, hour, tzinfo=COPENHAGEN)

        connection.execute(
            sa.insert(Submission.__table__),
            [
                dict(case_id=r.case_id, stage=1, body_id=r.body_id, round=1, submitted_at=at(r.deadline, 10))
                for r in material
            ],
        )
        if held:
            connection.execute(
                sa.insert(Decision.__table__),
                [dict(consultation_id=r.id, outcome=Outcome.APPROVED, text="Godkendt.", decided_at=at(r.day, 11),
                      created_at=at(r.day, 11)) for r in held],
            )  # fmt: skip
        old = set(connection.execute(
            sa.text("SELECT DISTINCT deadline FROM consultations WHERE case_id >= 100000 AND body_id = :b"), {"b": body}
        ).scalars())  # fmt: skip
    day_before = (service_day - dt.timedelta(days=1)).isoformat()
    despite_publishing(lambda: sagsgang({**env, "SAGSGANG_ORCHESTRATION": "inline"}, "daglig", today=day_before))
    return body, old


def despite_publishing(command: Callable[[], float], tries: int = 5) -> None:
    """Run `command`, again while it finds the database locked (models.db.BUSY_TIMEOUT passed):
    a guard for a busy machine; a feed publish holds SQLite's write lock only while it stores each
    feed's stamps, so this should not happen."""
    for attempt in range(1, tries + 1):
        try:
            command()
            return
        except ActionFailed as failure:
            if attempt == tries or "optaget af en anden" not in str(failure):
                raise
            print(f"(databasen var optaget; forsøg {attempt + 1})", flush=True)


def outbox_rows(engine) -> tuple[int, int]:
    """The outbox's highest id, and how many of its mails still wait to go out."""
    import sqlalchemy as sa

    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT coalesce(max(id), 0), count(*) FILTER (WHERE status IN ('afventer', 'sendes')) FROM outbox")
        ).one()


def replan_thousand(env: dict) -> tuple[float | None, float | None, int | None]:
    """Seconds until the 1,000 cases on the moved meeting have new deadlines, and until their feeds
    show it (None for what had not happened after 10 minutes: reported, not fatal); and how many
    mails the move caused (counted once none waits to go out)."""
    import sqlalchemy as sa

    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])
    body, old = seed_moved_cases(env, engine)
    feeds = Path(env["SAGSGANG_FEEDS_DIR"])
    despite_publishing(lambda: sagsgang(env, "kalender", "offentliggør", str(feeds)))
    files = [feeds / "slagelse" / "sag" / f"{journal(100_000 + i)}.ics" for i in range(MOVED_CASES)]
    new_date = dt.datetime.strptime(NEW_DAY, "%d-%m-%Y").strftime("%Y%m%d")
    last_before, _waiting = outbox_rows(engine)

    started = time.perf_counter()
    # Polled while the command runs: without the service, it re-plans in its own process (and then
    # sends the reminders that are due), and the figures are when the cases and feeds show it.
    command = subprocess.Popen(
        [str(BIN / "sagsgang"), "mødeplan", "flyt", CHEFFORUM, OLD_DAY, NEW_DAY, "--kommune", "slagelse"],
        env={**env, "SAGSGANG_TODAY": SERVICE_DAY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    replanned = published = None
    while published is None or replanned is None:
        if time.perf_counter() - started > 600:
            break
        if replanned is None:
            try:
                waiting = count_waiting(engine, body, old)
            except sa.exc.OperationalError as error:  # reported: readers should never wait (WAL)
                print(f"Optælling mislykkedes: {error}".splitlines()[0], flush=True)
                waiting = None
            if waiting == 0:
                replanned = time.perf_counter() - started
        if published is None and all(new_date in f.read_text(encoding="utf-8") for f in files):
            published = time.perf_counter() - started
        time.sleep(0.2)
    _out, err = command.communicate()
    if command.returncode != 0:
        print(f"mødeplan flyt fejlede ({command.returncode}): {err.strip()[-300:]}", flush=True)
    mails = None
    while time.perf_counter() - started < 600:  # the follow-up sends after the feeds are out
        last, waiting = outbox_rows(engine)
        if waiting == 0:
            mails = last - last_before
            break
        time.sleep(0.5)
    engine.dispose()
    return replanned, published, mails


def environment(home: Path) -> dict:
    # Without PYTHONDONTWRITEBYTECODE (set on this project's build machines): an installed Sagsgang
    # has its bytecode; a module changed since `make` would otherwise be compiled at every command.
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SAGSGANG_", "PREFECT_")) and k != "PYTHONDONTWRITEBYTECODE"
        },
        "SAGSGANG_HOME": str(home / "home"),
        "SAGSGANG_DATABASE_URL": f"sqlite:///{home / 'sagsgang.db'}",
        "SAGSGANG_FEEDS_DIR": str(home / "kalender"),
        "SAGSGANG_SECRET_KEY": "bench",
    }


def with_service() -> tuple[
    dict[str, list[float]], dict[str, list[float]], tuple[float | None, float | None, int | None]
]:
    """The actions handed to the running service, the baselines, and the 1,000 cases re-planned."""
    # A flow run still writing feeds as the service stops must not end the report.
    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-", ignore_cleanup_errors=True) as folder:
        home = Path(folder)
        env = environment(home)
        (home / "home").mkdir()
        sagsgang(env, "db", "opgrader")
        service, web_url = start_service(env, home / "home")
        try:
            state = json.loads((home / "home" / "tjeneste.json").read_text())
            found = cli_actions(env)
            found.update(web_actions(env, web_url, first=1_000))
            base = baselines(env, state["prefect_api_url"])
            report(found, base)  # before the re-planning: its figures stand even if that fails
            replanned = replan_thousand(env)
        finally:
            stop_service(service)
    return found, base, replanned


def inline() -> tuple[dict[str, list[float]], tuple[float | None, float | None, int | None]]:
    """The same actions without the service: the CLI follows up in its own process (no Prefect),
    the web app (`tjeneste --uden-prefect`) in its request; and the 1,000 cases re-planned by
    `mødeplan flyt` in its own process."""
    global VARIANT
    VARIANT = " (uden tjeneste)"
    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-inline-", ignore_cleanup_errors=True) as folder:
        home = Path(folder)
        env = environment(home)
        (home / "home").mkdir()
        sagsgang(env, "db", "opgrader")
        web, web_url = start_service(env, home / "home", prefect=False)
        try:
            found = cli_actions(env)
            alone = cli_actions(env, first=2_000, decided=2_100, since="2027-05-01", run=settled)
            found.update({f"{name}, alene": times for name, times in alone.items()})
            found.update(python_baselines(env))
            found.update(web_actions(env, web_url, first=1_000))
            replanned = replan_thousand(env)
        finally:
            stop_service(web)
    return {name + VARIANT: times for name, times in found.items()}, replanned


def seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "– (ikke sket efter 10 min)"


MEDIANS: dict[str, float] = {}  # the baselines' p50, for the ratios


def report(found: dict[str, list[float]], base: dict[str, list[float]]) -> None:
    MEDIANS.update(
        {name: statistics.median(times) for name, times in base.items() if name != "sagsgang plan (ingen database)"}
    )
    print(
        f"Handlinger mod den kørende tjeneste og uden den (SQLite, {REPEAT} gange hver; forhold = p50 / grundlinjens p50)"
    )
    print(f"{'':<{NAME_WIDTH}} {'p50':>11} {'p95':>11}  {'/tom flow':>7} {'/transakt.':>7}")
    for name, times in {**found, **base}.items():
        print(figures(name, times, MEDIANS), flush=True)
    for name, messages in FAILURES.items():
        print(f"Fejl i {name}, fx: {messages[0]}", flush=True)


def moved(replanned: float | None, published: float | None, mails: int | None, variant: str = "") -> None:
    caused = f"{mails} mails" if mails is not None else "mails: – (stadig i udbakken efter 10 min)"
    print(
        f"{MOVED_CASES:,} sager på et flyttet møde{variant}: planlagt igen efter {seconds(replanned)}, "
        f"feeds genudgivet efter {seconds(published)}; flytningen sendte {caused}",
        flush=True,
    )


def main() -> int:
    shown: set[str] = set()
    if "--kun-uden-tjeneste" not in sys.argv:
        _found, _base, (replanned, published, mails) = with_service()
        moved(replanned, published, mails)
        shown = set(FAILURES)
    found, (replanned, published, mails) = inline()
    floor = {IMPORT_FLOOR: statistics.median(found[IMPORT_FLOOR + VARIANT])}
    print(f"Uden tjenesten (forhold = p50 / p50 for {IMPORT_FLOOR})")
    print(f"{'':<{NAME_WIDTH}} {'p50':>11} {'p95':>11}  {'/databaselaget':>7}")
    for name, times in found.items():
        print(figures(name, times, floor))
    moved(replanned, published, mails, VARIANT)
    for name, messages in FAILURES.items():
        if name not in shown:
            print(f"Fejl i {name}, fx: {messages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
