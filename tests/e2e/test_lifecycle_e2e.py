"""A case's whole life on the production set-up: PostgreSQL, `prefect server start`, `sagsgang
worker`. The secretary launches the case with `prefect deployment run` and parameters, records
material with `sagsgang sag indsend` and each body's decision through the advance deployment until
the council decides; then the database, the published calendar feeds and the mails are checked.

Dates (see tests/cases/test_lifecycle.py): Slagelse, route 'politisk', ready Monday 1 March 2027:
Direktionen 9 March (deadline 4 March), Strategisk Chefforum 8 April, Erhvervsudvalget 4 May,
Økonomiudvalget 24 May, Byrådet 31 May 2027.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

VENV_BIN = Path(sys.executable).parent
J = "27.00.00-G01-7-27"
MEETINGS = [
    ("direktion", "2027-03-09", "godkendt"),
    ("strategisk_chefforum", "2027-04-08", "godkendt"),
    ("erhverv", "2027-05-04", "anbefalet"),
    ("oekonomiudvalget", "2027-05-24", "anbefalet"),
    ("byraadet", "2027-05-31", "godkendt"),
]


def run_deployment(env: dict, name: str, params: dict) -> str:
    result = subprocess.run(
        [
            str(VENV_BIN / "prefect"),
            "deployment",
            "run",
            name,
            "--params",
            json.dumps(params),
            "--watch",
            "--watch-interval",
            "1",
            "--watch-timeout",
            "180",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Completed" in result.stdout, result.stdout[-3000:]
    return result.stdout


def scheduled_daily_runs(api_url: str) -> list[str]:
    body = {
        "flows": {"name": {"any_": ["daglig-kontrol"]}},
        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        "limit": 10,
    }
    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    deadline = time.monotonic() + 60
    while True:  # the scheduler service runs every few seconds
        with urllib.request.urlopen(request, timeout=10) as response:
            runs = json.loads(response.read())
        if runs or time.monotonic() > deadline:
            return [run["expected_start_time"] for run in runs]
        time.sleep(2)


def sagsgang(env: dict, *args: str, today: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "sagsgang"), *args],
        env={**env, "SAGSGANG_TODAY": today},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_case_from_launch_to_the_councils_decision(world, mailbox):
    launch = {
        "municipality": "slagelse",
        "title": "Erhvervsstrategi 2027",
        "journal_number": J,
        "owner_name": "Mette Hansen",
        "owner_email": "meha@slagelse.dk",
        "manager_name": "Lars Berg",
        "manager_email": "labe@slagelse.dk",
        "department": "Erhverv",
        "route": "politisk",
        "ready": "2027-03-01",
    }
    run_deployment(world, "opret-sag/sagsgang", {"request": launch, "now": "2027-03-01T09:00:00"})

    # Launched on 1 March: Direktionen's deadline of Thursday 4 March is 3 working days away, so
    # the 5-day reminder went out at once.
    reminder = next(m for m in mailbox.messages if m["Subject"].startswith("Påmindelse"))
    assert reminder["To"].addresses[0].addr_spec == "meha@slagelse.dk"
    assert "torsdag 4. marts 2027 kl. 12:00" in reminder.get_body(("plain",)).get_content()

    # The launch's run booked the static feeds' publish run of the next 30-second slot.
    feeds = Path(world["SAGSGANG_FEEDS_DIR"])
    deadline = time.monotonic() + 120
    while (case_feed := next(feeds.rglob("*7-27*.ics"), None)) is None and time.monotonic() < deadline:
        time.sleep(1)
    assert case_feed is not None, sorted(str(p) for p in feeds.rglob("*"))[:20]
    assert "Direktionen" in case_feed.read_text(encoding="utf-8")

    for body, day, outcome in MEETINGS:
        before = (dt.date.fromisoformat(day) - dt.timedelta(days=12)).isoformat()
        submitted = sagsgang(world, "sag", "indsend", J, "--organ", body, today=before)
        assert submitted.returncode == 0, submitted.stderr
        run_deployment(
            world,
            "sagsforloeb/sagsgang",
            {
                "journal_number": J,
                "now": f"{day}T19:00:00",
                "decision": {"body": body, "outcome": outcome, "text": f"{body} {outcome}"},
            },
        )

    shown = sagsgang(world, "sag", "vis", J, today="2027-06-01")
    assert shown.returncode == 0, shown.stderr
    assert "afsluttet" in shown.stdout
    assert "mandag 31. maj 2027: Byrådet: godkendt" in shown.stdout

    engine = sa.create_engine(world["SAGSGANG_DATABASE_URL"])
    with engine.connect() as connection:
        status = connection.execute(sa.text("SELECT status FROM cases WHERE journal_number = :j"), {"j": J}).scalar()
        outcomes = (
            connection.execute(
                sa.text(
                    "SELECT d.outcome FROM decisions d JOIN consultations c ON c.id = d.consultation_id "
                    "JOIN cases s ON s.id = c.case_id WHERE s.journal_number = :j ORDER BY d.decided_at"
                ),
                {"j": J},
            )
            .scalars()
            .all()
        )
        sent = connection.execute(sa.text("SELECT count(*) FROM outbox WHERE status = 'sendt'")).scalar()
    engine.dispose()
    assert status == "afsluttet"
    assert outcomes == [outcome for _, _, outcome in MEETINGS]
    assert sent == len(mailbox.messages)
    assert not [m for m in mailbox.messages if m["Subject"].startswith("Overskredet")]

    # The server's scheduler has put the daily backstop on the calendar: every day at 08:00 in Copenhagen.
    scheduled = scheduled_daily_runs(world["PREFECT_API_URL"])
    assert scheduled, "no scheduled runs of daglig-kontrol"
    for start in scheduled:
        local = dt.datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Copenhagen"))
        assert (local.hour, local.minute) == (8, 0)

    # The daily deployment runs on the same set-up; on a later day it has nothing left to send.
    run_deployment(world, "daglig-kontrol/sagsgang", {"now": "2027-06-02T08:00:00"})
    assert len(mailbox.messages) == sent


def wake_at(env: dict, journal_number: str) -> dt.datetime | None:
    """When the service's wake-up flow advances the case next, as the database has it."""
    engine = sa.create_engine(env["SAGSGANG_DATABASE_URL"])
    with engine.connect() as connection:
        at = connection.execute(
            sa.text("SELECT wake_at FROM cases WHERE journal_number = :j"), {"j": journal_number}
        ).scalar()
    engine.dispose()
    return at


def test_a_waiting_case_wakes_once_at_the_next_reminder(world):
    journal_number = "27.00.00-G01-8-27"
    launch = {
        "municipality": "slagelse",
        "title": "Havnestrategi 2027",
        "journal_number": journal_number,
        "owner_name": "Mette Hansen",
        "owner_email": "meha@slagelse.dk",
        "manager_name": "Lars Berg",
        "manager_email": "labe@slagelse.dk",
        "route": "politisk",
        "ready": "2027-03-01",
    }
    run_deployment(world, "opret-sag/sagsgang", {"request": launch, "now": "2027-03-01T09:00:00"})

    # Launched Monday 1 March: the 5-day reminder for Direktionen's deadline (Thursday 4 March)
    # went out at once; the 1-day reminder is due Wednesday 3 March at 08:00 Copenhagen time.
    wake = dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert wake_at(world, journal_number) == wake

    # Advancing the case again before then finds the same wake-up time.
    run_deployment(world, "sagsforloeb/sagsgang", {"journal_number": journal_number, "now": "2027-03-01T15:00:00"})
    assert wake_at(world, journal_number) == wake

    # The wake-up flow on 3 March at 08:05 advances it (the 1-day reminder); then it waits for the
    # escalation the working day after the deadline.
    run_deployment(world, "vaekning/sagsgang", {"now": "2027-03-03T08:05:00"})
    deadline = time.monotonic() + 120
    while wake_at(world, journal_number) == wake and time.monotonic() < deadline:
        time.sleep(1)
    assert wake_at(world, journal_number) == dt.datetime(2027, 3, 5, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
