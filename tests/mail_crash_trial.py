"""The crash trial of the outbox, shared by bench/mail_crash.py (≥ 100 kills) and
tests/e2e/test_mail_crash_e2e.py (fewer): `sagsgang daglig` sending a Monday's mails to a real SMTP
server (aiosmtpd on 127.0.0.1), killed with SIGKILL at random moments and started again each time,
until every due mail is out.

Each round starts from the same database: CASES Slagelse cases ready Monday 1 March 2027, each with
its own owner, with their reminders and the owners' and the manager's Monday digests already in
the outbox (as the cases' own lifecycle runs put them there). The round's expected mails are
those of an undisturbed run (computed once, which also gives the time one mail takes). A round
kills the check up to `kills_per_round` times, each at a random moment of its sending (where a
crash can lose or double a mail; a kill during start-up proves nothing): once the server has
accepted the run's first mail, after a delay drawn uniformly from the time the remaining mails
take. Then it lets the check finish; a check that ended before its kill ends the round (that
kill is not counted). Counted at the server, by Message-ID:
  missed      expected mails the server never accepted (must be 0)
  duplicates  accepted more than once (the goal is 0: only a kill between the server's 250 and the
              'sendt' commit, a few milliseconds, resends, and the resend has the same Message-ID)
The daily check runs inline (SAGSGANG_ORCHESTRATION=inline: the same steps, no Prefect), so a
restart costs a Python start-up, not a Prefect server's.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2027, 3, 1)
CASES = 30
SERVER_LATENCY = 0.01  # seconds per DATA answer: a quick real server


@dataclass
class Figures:
    rounds: int = 0
    kills: int = 0
    kills_while_sending: int = 0  # the server had accepted some but not all of the round's mails
    kills_in_window: int = 0  # the killed check left a mail the server had accepted unmarked ('sendes')
    expected: int = 0  # mails due, over all rounds
    missed: int = 0
    duplicates: int = 0
    restarts: int = 0
    undisturbed_seconds: float = 0.0
    seconds_per_mail: float = 0.0
    problems: list[str] = field(default_factory=list)


def _prepare(folder: Path) -> Path:
    """A database with CASES launched and nothing sent; returns its file."""
    from calendars.clock import FixedClock
    from models import db
    from sagsgang.cases import launch
    from sagsgang.notifications import daily
    from sagsgang.settings import Settings

    path = folder / "start.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    with db.session_scope(db.get_engine(url)) as session:
        for number in range(1, CASES + 1):
            request = launch.LaunchRequest(
                municipality="slagelse",
                title=f"Sag {number} – «prøve» på ældreområdet",
                journal_number=f"27.00.00-G01-{number}-27",
                owner_name=f"Sagsbehandler {number}",
                owner_email=f"sb{number}@slagelse.dk",
                manager_name="Lars Berg",
                manager_email="labe@slagelse.dk",
                department="Erhverv",
                route="politisk",
                ready=DAY,
            )
            launch.launch(session, request, FixedClock.on(DAY))
    settings = Settings(home=folder / "prepare", database_url=url, today=DAY.isoformat())
    now = settings.clock().now()
    daily.queue_due(settings, daily.find_due(settings, now), now)
    daily.queue_digests(settings, now)
    db.get_engine(url).dispose()
    return path


def _environment(home: Path, database: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SAGSGANG_HOME": str(home),
        "SAGSGANG_DATABASE_URL": f"sqlite:///{database}",
        "SAGSGANG_ORCHESTRATION": "inline",
        "SAGSGANG_TODAY": DAY.isoformat(),
        "SAGSGANG_SMTP_HOST": "127.0.0.1",
        "SAGSGANG_SMTP_PORT": str(port),
        "SAGSGANG_SMTP_FROM": "Sagsgang <sagsgang@slagelse.dk>",
        "PYTHONPATH": str(ROOT),
    }


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sagsgang.cli.main", "daglig"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _first_mail(process: subprocess.Popen, server, before: int) -> float | None:
    """When the server accepted this run's first mail; None if the run ended first."""
    while len(server.messages) <= before:
        if process.poll() is not None:
            return None
        time.sleep(0.002)
    return time.monotonic()


def _accepted_but_unmarked(database: Path, server) -> int:
    """Mails the server accepted whose row the killed check had not yet marked sent: the kill fell
    between the end of the mail's DATA and the 'sendt' commit (the server's 250 included), the one
    window in which a mail goes out twice."""
    import sqlite3

    accepted = {message["Message-ID"] for message in server.messages}
    with sqlite3.connect(database) as connection:
        claimed = {row[0] for row in connection.execute("SELECT message_id FROM outbox WHERE status = 'sendes'")}
    return len(accepted & claimed)


def run(kills: int, kills_per_round: int = 10, seed: int = 20270301, say=print) -> Figures:
    """Kill the daily check `kills` times (rounds of `kills_per_round`); the figures."""
    from tests.servers import MailServer

    rng = random.Random(seed)
    figures = Figures()
    folder = Path(tempfile.mkdtemp(prefix="sagsgang-crash-"))
    server = MailServer()
    server.latency = SERVER_LATENCY
    server.controller.start()
    try:
        start_db = _prepare(folder)
        log = folder / "daglig.log"

        # The undisturbed run: what is due, and how long a check takes.
        database = folder / "reference.db"
        shutil.copy(start_db, database)
        began = time.monotonic()
        process = _start(_environment(folder / "home", database, server.port), log)
        first = last = _first_mail(process, server, 0)
        seen = len(server.messages)
        while process.poll() is None:  # when the last mail came in
            if len(server.messages) != seen:
                seen, last = len(server.messages), time.monotonic()
            time.sleep(0.002)
        if process.returncode not in (0, 1) or first is None or last is None:
            raise RuntimeError(f"the undisturbed daily check failed:\n{log.read_text()[-3000:]}")
        figures.undisturbed_seconds = time.monotonic() - began
        figures.seconds_per_mail = (last - first) / max(len(server.messages) - 1, 1)
        expected = Counter(message["Message-ID"] for message in server.messages)
        if not expected or max(expected.values()) != 1:
            raise RuntimeError(f"the undisturbed run sent {sum(expected.values())} mails: {expected}")

        while figures.kills < kills:
            figures.rounds += 1
            server.messages.clear()
            database = folder / f"round-{figures.rounds}.db"
            shutil.copy(start_db, database)
            env = _environment(folder / f"home-{figures.rounds}", database, server.port)
            in_round, finished = 0, False
            while in_round < min(kills_per_round, kills - figures.kills):
                before = len(server.messages)
                process = _start(env, log)
                figures.restarts += 1
                if _first_mail(process, server, before) is not None:
                    remaining = max(len(expected) - len(set(m["Message-ID"] for m in server.messages)), 1)
                    time.sleep(rng.uniform(0, remaining * figures.seconds_per_mail))
                accepted = len(server.messages)
                if process.poll() is not None:  # it finished before its kill
                    finished = True
                    break
                process.send_signal(signal.SIGKILL)
                process.wait()
                server.wait_until_idle()  # a mail the dead sender had handed over is still accepted
                in_round += 1
                figures.kills_in_window += _accepted_but_unmarked(database, server)
                if 0 < accepted < len(expected):
                    figures.kills_while_sending += 1
            figures.kills += in_round
            if not finished:
                process = _start(env, log)  # and now let it finish
                figures.restarts += 1
            code = process.wait(timeout=300)
            if code not in (0, 1):
                figures.problems.append(f"round {figures.rounds}: the last run exited {code}")
            received = Counter(message["Message-ID"] for message in server.messages)
            figures.expected += len(expected)
            figures.missed += sum(1 for mid in expected if received[mid] == 0)
            figures.duplicates += sum(count - 1 for mid, count in received.items() if count > 1)
            unexpected = set(received) - set(expected)
            if unexpected:
                figures.problems.append(f"round {figures.rounds}: {len(unexpected)} mails not in the undisturbed run")
            say(
                f"round {figures.rounds}: {in_round} SIGKILLs, received {sum(received.values())} "
                f"(expected {len(expected)}), duplicates {sum(c - 1 for c in received.values() if c > 1)}"
            )
    finally:
        server.controller.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return figures
