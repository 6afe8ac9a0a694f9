"""The lifecycle as Prefect runs it: the flows under one test harness, mails to a real SMTP
server, the daily run killed in the middle of sending, the deployments' forms and schedule.

Dates: see tests/cases/test_lifecycle.py (Slagelse, route 'politisk', ready Monday 1 March 2027:
Direktionen 9 March with deadline Thursday 4 March 12:00, … Byrådet 31 May).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from datetime import date

from sqlmodel import Session, select

from models.outbox import MessageStatus, OutboxMessage
from models.tables import Case, CaseStatus, Decision
from sagsgang.cases import launch
from sagsgang.cases.decisions import DecisionForm
from tests import configured
from tests.lifecycle_world import J, plan_of, submit, text


def request(
    journal_number: str = J,
    title: str = "Erhvervsstrategi 2027",
    owner: str = "meha@slagelse.dk",
    ready: date = date(2027, 3, 1),
) -> launch.LaunchRequest:
    return launch.LaunchRequest(
        municipality="slagelse",
        title=title,
        journal_number=journal_number,
        owner_name="Mette Hansen",
        owner_email=owner,
        manager_name="Lars Berg",
        manager_email="labe@slagelse.dk",
        route="politisk",
        ready=ready,
    )


def morning(day: date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def test_launch_flow_stores_plans_and_reminds_the_owner_by_mail(prefect_harness, database, smtp):
    from flows.lifecycle import launch_case

    result = launch_case(request(), now=morning(date(2027, 3, 1), 9))
    assert plan_of()[0] == ("direktion", date(2027, 3, 4), date(2027, 3, 9))
    reminder = next(m for m in smtp.messages if m["Subject"].startswith("Påmindelse"))
    assert reminder["Subject"] == "Påmindelse: sagsfrist 4. marts 2027 – «Erhvervsstrategi 2027» til Direktionen"
    assert reminder["To"].addresses[0].addr_spec == "meha@slagelse.dk"
    assert reminder["From"].addresses[0].addr_spec == "sagsgang@slagelse.dk"
    body = text(reminder)
    assert "Kære Mette Hansen" in body
    assert "tirsdag 9. marts 2027 kl. 09:00" in body  # the meeting
    assert "torsdag 4. marts 2027 kl. 12:00" in body  # the deadline
    # Where to say the material is in: the case's page (settings.base_url), not a command.
    assert "Materiale modtaget" in body and "http://127.0.0.1:8000/sager/slagelse/27.00.00-G01-1-27" in body
    assert "sagsgang sag" not in body
    # The 1-day reminder is due Wednesday 3 March at 08:00: the run says when to look again.
    assert result["naeste_koersel"] == "2027-03-03T08:00:00+01:00"


def test_decisions_through_the_flow_carry_the_case_to_the_councils_decision(prefect_harness, database, smtp):
    from flows.lifecycle import advance_case, launch_case

    launch_case(request(), now=morning(date(2027, 3, 1)))
    meetings = [
        ("direktion", date(2027, 3, 9), "godkendt"),
        ("strategisk_chefforum", date(2027, 4, 8), "godkendt"),
        ("erhverv", date(2027, 5, 4), "anbefalet"),
        ("oekonomiudvalget", date(2027, 5, 24), "anbefalet"),
        ("byraadet", date(2027, 5, 31), "godkendt"),
    ]
    for body, day, outcome in meetings:
        submit(day - dt.timedelta(days=12))
        result = advance_case(
            J,
            decision=DecisionForm(body=body, outcome=outcome, text=f"{body}: {outcome}"),
            now=morning(day, 19),
        )
    assert result["status"] == CaseStatus.CLOSED
    with Session(configured.engine()) as session:
        assert session.exec(select(Case)).one().status == CaseStatus.CLOSED
        assert [d.text for d in session.exec(select(Decision).order_by(Decision.decided_at))] == [
            f"{body}: {outcome}" for body, _, outcome in meetings
        ]
    assert not [s for s in smtp.subjects() if s.startswith("Overskredet")]  # every deadline was met


def test_postponed_through_the_flow_goes_to_the_next_meeting(prefect_harness, database, smtp):
    from flows.lifecycle import advance_case, launch_case

    launch_case(request(), now=morning(date(2027, 3, 1)))
    submit(date(2027, 3, 2))
    advance_case(J, decision=DecisionForm(body="direktion", outcome="udsat"), now=morning(date(2027, 3, 9), 12))
    assert plan_of()[0] == ("direktion", date(2027, 3, 11), date(2027, 3, 16))  # the next Tuesday


def test_daily_flow_twice_on_the_same_day_sends_nothing_twice(prefect_harness, database, smtp):
    from flows.daily import daily_check

    for number in range(1, 4):
        with configured.session_scope() as session:
            launch.launch(
                session, request(f"27.00.00-G01-{number}-27", f"Sag {number}"), lifecycle_clock(date(2027, 2, 26))
            )
    first = daily_check(now=morning(date(2027, 3, 3)))  # Wednesday: every case's 1-day reminder
    second = daily_check(now=morning(date(2027, 3, 3), 14))
    assert first["sendt"] == 3 and second["sendt"] == 0
    assert sorted(smtp.subjects()) == sorted(
        f"Påmindelse: sagsfrist 4. marts 2027 – «Sag {n}» til Direktionen" for n in range(1, 4)
    )


def lifecycle_clock(day: date):
    from calendars.clock import FixedClock

    return FixedClock.on(day, 8)


def test_daily_run_killed_while_sending_sends_each_reminder_exactly_once_when_run_again(
    prefect_harness, database, smtp
):
    count = 5
    for number in range(1, count + 1):
        with configured.session_scope() as session:
            launch.launch(
                session, request(f"27.00.00-G01-{number}-27", f"Sag {number}"), lifecycle_clock(date(2027, 2, 26))
            )
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_harness,
        "SAGSGANG_TODAY": "2027-03-03",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    smtp.hold_at(3)  # the server stops while receiving the third mail
    process = subprocess.Popen(
        [sys.executable, "-m", "sagsgang.cli.main", "daglig"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert smtp.holding.wait(timeout=90), "the daily run never got to the third mail"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        smtp.release.set()
    assert len(smtp.messages) == 2
    with Session(configured.engine()) as session:  # two marked sent, the interrupted one claimed, not sent
        assert (
            sorted(row.status for row in session.exec(select(OutboxMessage)))
            == [MessageStatus.PENDING] * 2 + [MessageStatus.SENDING] + [MessageStatus.SENT] * 2
        )

    again = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "daglig"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "3 mails sendt" in again.stdout
    assert sorted(smtp.subjects()) == sorted(
        f"Påmindelse: sagsfrist 4. marts 2027 – «Sag {n}» til Direktionen" for n in range(1, count + 1)
    )
    recipients = [to for _, tos in smtp.envelopes for to in tos]
    assert recipients == ["meha@slagelse.dk"] * count


def test_deployments_offer_danish_forms_and_run_daily_at_8_copenhagen_time(prefect_harness):
    from prefect.client.orchestration import get_client

    from flows.deployments import deployments

    with get_client(sync_client=True) as client:
        found = {deployment.flow_name: client.read_deployment(deployment.apply()) for deployment in deployments()}
    assert set(found) == {
        "opret-sag",
        "sagsforloeb",
        "moedeaendring",
        "daglig-kontrol",
        "vaekning",
        "offentliggoer-kalendere",
    }
    daily = found["daglig-kontrol"].schedules[0].schedule
    assert (daily.cron, daily.timezone) == ("0 8 * * *", "Europe/Copenhagen")
    wake_up = found["vaekning"].schedules[0].schedule
    assert wake_up.interval == dt.timedelta(minutes=5)
    form = found["opret-sag"].parameter_openapi_schema
    fields = form["definitions"]["LaunchRequest"]["properties"]
    assert fields["journal_number"]["title"] == "Journalnummer (KLE)"
    assert fields["owner_email"]["title"] == "Sagsbehandlers e-mail"
    decision = found["sagsforloeb"].parameter_openapi_schema["definitions"]
    assert "taget til efterretning" in decision["Outcome"]["enum"]


def test_planning_commands_do_not_load_prefect():
    code = (
        "import sys; from sagsgang.cli.main import build_parser; build_parser(); "
        "import sagsgang.cli.planning_commands; print('prefect' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_cli_launch_with_a_bad_journal_number_fails_fast_in_danish(database, tmp_path):
    # Refused before Prefect starts: local mode would create $PREFECT_HOME/prefect.db.
    prefect_home = tmp_path / "prefect-home"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sagsgang.cli.main",
            "sag",
            "opret",
            "--kommune",
            "slagelse",
            "--titel",
            "X",
            "--journalnummer",
            "2024-1234",
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
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "SAGSGANG_TODAY": "2027-03-01", "PREFECT_HOME": str(prefect_home)},
    )
    assert result.returncode == 2
    assert "ikke et journalnummer i KLE-form" in result.stderr
    assert not (prefect_home / "prefect.db").exists()
    with Session(configured.engine()) as session:
        assert session.exec(select(Case)).all() == []


def test_the_prefect_orchestration_refuses_a_bad_launch_before_prefect_loads(database):
    """The CLI leaves the check to the launch itself; the Prefect implementation makes it before
    importing Prefect, so bad input is still told at once, in Danish, with nothing written."""
    code = (
        "import sys; from sagsgang.cases import launch; from sagsgang.settings import Settings\n"
        "from flows.orchestrator import PrefectOrchestrator\n"
        "request = launch.LaunchRequest(municipality='slagelse', title='X', journal_number='27.00.00-G01-1-27',"
        " owner_name='Mette Hansen', owner_email='meha@slagelse.dk', manager_name='Lars Berg',"
        " manager_email='labe@slagelse.dk', route='politisk', target_body='byraadet', target_date='2027-01-05')\n"
        "try:\n"
        "    PrefectOrchestrator(Settings()).launch(request)\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
        "print('prefect' in sys.modules)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "SAGSGANG_TODAY": "2027-03-01"},
    )
    refused, prefect_loaded = done.stdout.splitlines()
    assert refused.startswith("SagsgangError Måldatoen tirsdag 5. januar 2027 ligger før"), done.stderr
    assert prefect_loaded == "False"
    with Session(configured.engine()) as session:
        assert session.exec(select(Case)).all() == []


def test_cli_records_a_decision_and_moves_the_case_on(prefect_harness, database):
    with configured.session_scope() as session:
        launch.launch(session, request(), lifecycle_clock(date(2027, 3, 1)))
    submit(date(2027, 3, 2))
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_harness,
        "SAGSGANG_TODAY": "2027-03-09",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "SAGSGANG_ORCHESTRATION": "prefect",  # the flows in this process, on the test harness's server
    }
    wrong = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "sag", "beslut", J, "direktion", "vedtaget"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "'vedtaget' er ikke et udfald" in wrong.stderr
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sagsgang.cli.main",
            "sag",
            "beslut",
            J,
            "direktion",
            "godkendt",
            "--tekst",
            "Direktionen godkendte indstillingen.",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Beslutning registreret: Direktionen tirsdag 9. marts 2027: godkendt." in result.stdout
    assert "tirsdag 9. marts 2027: Direktionen: godkendt – Direktionen godkendte indstillingen." in result.stdout
    # Next: Strategisk Chefforum 8 April, its deadline Thursday 1 April 12:00 (over Easter).
    assert (
        "Sagsfrist torsdag 1. april 2027 kl. 12:00 → møde i Strategisk Chefforum torsdag 8. april 2027" in result.stdout
    )
