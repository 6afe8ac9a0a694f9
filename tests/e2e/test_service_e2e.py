"""`sagsgang tjeneste` on the embedded default, as a new user runs it: its own Prefect server
(SQLite under SAGSGANG_HOME/prefect), the deployments in the work pool, one `prefect worker`, the
web app. A case launched from the command line is handed off, and the worker advances it: the case
gets its wake-up time in the database, and its static feed is published by the publish run its run
booked. Then SIGTERM stops everything and removes tjeneste.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from tests.servers import answers, free_port, stop

pytestmark = pytest.mark.e2e

VENV_BIN = Path(sys.executable).parent
J = "27.00.00-G01-9-27"


def until(check, seconds: float, what: str, service: subprocess.Popen, home: Path):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if service.poll() is not None or time.monotonic() > deadline:
            logs = "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in (home / "logs").glob("*"))
            pytest.fail(f"{what} did not happen:\n{logs}")
        time.sleep(1)


def service_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A new user's environment on Monday 1 March 2027: nothing of Prefect's or ours set but the home."""
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "SAGSGANG_"))}
    env.update({"SAGSGANG_HOME": str(home), "SAGSGANG_TODAY": "2027-03-01"})
    return env, home


def start_service(env: dict[str, str]) -> tuple[subprocess.Popen, int, int]:
    """`sagsgang tjeneste` with one web worker: the process and its web and Prefect ports."""
    web_port, prefect_port = free_port(), free_port()
    command = ["tjeneste", "--port", str(web_port), "--prefect-port", str(prefect_port), "--workers", "1"]
    service = subprocess.Popen(
        [str(VENV_BIN / "sagsgang"), *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return service, web_port, prefect_port


def stopped(service: subprocess.Popen) -> tuple[str, str]:
    """SIGTERM, as systemd stops it; what it printed."""
    service.send_signal(signal.SIGTERM)
    try:
        return service.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        stop(service)
        return service.communicate()


def launch(env: dict[str, str], journal_number: str, title: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(VENV_BIN / "sagsgang"),
            "sag",
            "opret",
            "--kommune",
            "slagelse",
            "--titel",
            title,
            "--journalnummer",
            journal_number,
            "--sagsbehandler",
            "Mette Hansen",
            "--sagsbehandler-email",
            "meha@slagelse.dk",
            "--leder",
            "Lars Berg",
            "--leder-email",
            "labe@slagelse.dk",
            "--rute",
            "politisk",
            "--klar",
            "01-03-2027",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_service_hands_a_launched_case_to_its_worker_and_stops_cleanly(tmp_path):
    env, home = service_env(tmp_path)
    feeds = tmp_path / "kalender"
    env["SAGSGANG_FEEDS_DIR"] = str(feeds)
    service, web_port, prefect_port = start_service(env)
    try:
        running = until(lambda: (home / "tjeneste.json").exists(), 300, "the service start", service, home)
        assert running
        found = json.loads((home / "tjeneste.json").read_text())
        assert found == {
            "prefect_api_url": f"http://127.0.0.1:{prefect_port}/api",
            "web_url": f"http://127.0.0.1:{web_port}",
            "pid": service.pid,
        }
        # tjeneste.json is written once Prefect is ready; the web app starts listening right after.
        until(answers(f"http://127.0.0.1:{web_port}/login"), 60, "the web app answering", service, home)
        assert (home / "prefect").is_dir()  # Prefect's own files live under SAGSGANG_HOME

        started = time.monotonic()
        launched = launch(env, J, "Havnestrategi 2027")
        answered = time.monotonic() - started
        assert launched.returncode == 0, launched.stderr
        assert "tjenesten sender påmindelserne. Følg kørslen: " in launched.stdout
        assert f"http://127.0.0.1:{prefect_port}/runs/flow-run/" in launched.stdout
        assert launched.stderr == ""  # no English log line on the user's terminal
        print(f"sag opret answered in {answered:.2f} s")

        engine = sa.create_engine(f"sqlite:///{home / 'sagsgang.db'}")

        def woken() -> dt.datetime | None:
            with engine.connect() as connection:
                return connection.execute(
                    sa.text("SELECT wake_at FROM cases WHERE journal_number = :j"), {"j": J}
                ).scalar()

        # The worker's sagsforloeb run follows the route: the case waits for Direktionen's deadline,
        # and wakes for the 1-day reminder on Wednesday 3 March at 08:00 (07:00 UTC, stored naive).
        wake = until(woken, 240, "the worker advancing the case", service, home)
        assert dt.datetime.fromisoformat(str(wake)).replace(tzinfo=dt.UTC) == dt.datetime(
            2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen")
        )
        engine.dispose()

        # The run booked the static feeds' publish for the next 30-second slot: one publish run,
        # which wrote the case's feed.
        case_feed = feeds / "slagelse" / "sag" / f"{J}.ics"
        until(lambda: case_feed.exists(), 120, "the case's static feed", service, home)
        assert "Havnestrategi 2027" in case_feed.read_text(encoding="utf-8")

        def publish_runs_once_final() -> list[dict] | None:
            # The run writes the file before it reports its end to Prefect: wait for that report.
            runs = httpx.post(
                f"http://127.0.0.1:{prefect_port}/api/flow_runs/filter",
                json={"flows": {"name": {"any_": ["offentliggoer-kalendere"]}}},
            ).json()
            final = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
            return runs if runs and all(run["state"]["type"] in final for run in runs) else None

        runs = until(publish_runs_once_final, 60, "the publish run reporting its end", service, home)
        assert [run["state"]["type"] for run in runs] == ["COMPLETED"]
        assert dt.datetime.fromisoformat(runs[0]["expected_start_time"]).second % 30 == 0
    finally:
        out, err = stopped(service)
    assert service.returncode == 0, err
    assert "Sagsgang-tjenesten er stoppet." in out
    assert err == ""
    assert not (home / "tjeneste.json").exists()
    assert not answers(f"http://127.0.0.1:{prefect_port}/api/health")()  # its Prefect server stopped too


def test_a_reminder_a_command_left_while_the_service_was_off_goes_out_when_it_starts(tmp_path):
    env, home = service_env(tmp_path)
    upgraded = subprocess.run([str(VENV_BIN / "sagsgang"), "db", "opgrader"], env=env, capture_output=True, text=True)
    assert upgraded.returncode == 0, upgraded.stderr
    # No service yet: Direktionen's deadline is Thursday 4 March, so its reminder is due at once,
    # and the command leaves it to the service.
    launched = launch(env, J, "Havnestrategi 2027")
    assert launched.returncode == 0, launched.stderr
    assert "  Sendes, når tjenesten kører: påmindelse om sagsfristen torsdag 4. marts 2027" in launched.stdout
    mail = home / "mail"  # without SAGSGANG_SMTP_HOST the mails are written here as .eml files
    assert not list(mail.glob("*.eml"))

    service, _web_port, prefect_port = start_service(env)
    try:
        sent = until(lambda: list(mail.glob("*.eml")), 240, "the reminder going out", service, home)
        message = message_from_bytes(sent[0].read_bytes(), policy=policy.default)
        assert (message["To"], message["Subject"]) == (
            "Mette Hansen <meha@slagelse.dk>",
            "Påmindelse: sagsfrist 4. marts 2027 – «Havnestrategi 2027» til Direktionen",
        )
        # The start asked for a wake-up of its own (a scheduled slot may have come round as well).
        runs = httpx.post(
            f"http://127.0.0.1:{prefect_port}/api/flow_runs/filter",
            json={"flows": {"name": {"any_": ["vaekning"]}}, "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
        ).json()
        assert False in [run["auto_scheduled"] for run in runs]
    finally:
        _out, err = stopped(service)
    assert service.returncode == 0, err
