"""`sagsgang demo`: what Sagsgang does, on a shipped profile, in under a screenful.

First the plan (no database, no Prefect); then the same case's life through the orchestration
(sagsgang.orchestration; by default the Prefect flows in local mode), in a database and mail folder of its own under the system's temporary folder: the
case is launched, the owner gets a reminder (an .eml file: no mail leaves the machine), the
material comes in, Direktionen approves it and the case moves on.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from calendars.danish import clock_time, long_date
from calendars.meetings import Schedule
from calendars.planner import plan
from calendars.profile_reader import load_profile
from sagsgang.cli.main import command_name
from sagsgang.publishing import timeline
from sagsgang.settings import Settings

PROFILE, ROUTE = "slagelse", "politisk"
JOURNAL_NUMBER = "27.00.00-G01-1-27"


def run(settings: Settings) -> int:
    profile = load_profile(PROFILE)
    route = profile.routes[ROUTE]
    today = settings.clock().today()
    schedule = Schedule.for_period(profile, today, today + dt.timedelta(days=3 * 365))
    result = plan(route, schedule, today)
    print(
        f"Sagsgang – demo på {profile.name}, rute '{route.key}', med en sag der er klar i dag ({long_date(today)}).\n"
    )
    print(timeline.render(result, profile.name, "tabel"))
    status = lifecycle_demo(settings, today, result.steps[0].meeting.day)
    command = command_name()
    print("Prøv selv:")
    print(f"  {command} plan --kommune {PROFILE} --rute politisk_oekonomi --klar {today:%d-%m-%Y}")
    print(
        f"  {command} plan --kommune {PROFILE} --rute {ROUTE} --senest byraadet:"
        f"{result.final.latest_meeting.day + dt.timedelta(days=120):%d-%m-%Y} --format md"
    )
    print(f"  {command} kommuner        (profiler, organer og ruter)")
    print(f"  {command} sag --help      (opret sager, registrér materiale og beslutninger)")
    return status


def lifecycle_demo(settings: Settings, today: dt.date, first_meeting: dt.date) -> int:
    """Launch the case through the flows, record a decision, show the reminder it produced."""
    folder = Path(tempfile.mkdtemp(prefix="sagsgang-demo-"))
    demo = settings.model_copy(
        update={"database_url": f"sqlite:///{folder / 'sagsgang.db'}", "home": folder, "smtp_host": None}
    )
    # Prefect's own setting, read when Prefect is imported: the demo's output stays a screenful.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    print("Sagens forløb med Prefect-flows (lokal tilstand; første kørsel tager 7–15 sekunder) …")
    try:
        from email import message_from_bytes, policy

        from models import db
        from sagsgang.cases import decisions, state
        from sagsgang.cases.launch import LaunchRequest
        from sagsgang.cases.steps import clock_at
        from sagsgang.orchestration import orchestrator

        db.upgrade(demo.database)  # the demo's own, new database
        lifecycle = orchestrator(demo)  # its steps use the demo's database and mail folder
        morning = dt.datetime.combine(today, dt.time(9, 0))
        lifecycle.launch(
            LaunchRequest(
                municipality=PROFILE,
                title="Erhvervsstrategi 2027 (demo)",
                journal_number=JOURNAL_NUMBER,
                owner_name="Mette Hansen",
                owner_email="meha@example.dk",
                manager_name="Lars Berg",
                manager_email="labe@example.dk",
                department="Erhverv",
                route=ROUTE,
                ready=today,
            ),
            now=morning,
        )
        mails = sorted((folder / "mail").glob("*.eml"))
        for path in mails:
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = mail.get_body(("plain",))
            text = body.get_content() if body else ""
            deadline_line = next(line for line in text.splitlines() if line.startswith("Sagsfristen"))
            attachments = ", ".join(part.get_filename() or "" for part in mail.iter_attachments())
            print(f"  Mail til {mail['To']}: {mail['Subject']}")
            print(f"    «{deadline_line}»  Vedhæftet: {attachments}")
            print(f"    {path}")
        if not mails:
            print("  Ingen påmindelse i dag: sagsfristen er mere end 5 arbejdsdage væk.")
        with db.session_scope(demo.engine()) as session:
            decisions.record_submission(session, JOURNAL_NUMBER, clock_at(demo, morning))
            decisions.record_decision(
                session,
                JOURNAL_NUMBER,
                "direktion",
                "godkendt",
                "Direktionen godkendte indstillingen.",
                clock_at(demo, dt.datetime.combine(first_meeting, dt.time(12, 0))),
            )
        lifecycle.advance(JOURNAL_NUMBER, PROFILE, now=dt.datetime.combine(first_meeting, dt.time(12, 0)))
        with db.session_scope(demo.engine()) as session:
            case_state = state.load_state(session, state.find_case(session, JOURNAL_NUMBER))
            following = case_state.pending()[0]
        print(
            f"  Materialet kom ind; Direktionen godkendte sagen {long_date(first_meeting)}. Næste trin: "
            f"{case_state.body_name(following.body)} {long_date(following.meeting.day)} "
            f"{clock_time(following.meeting.local_time)},\n  sagsfrist {long_date(following.consultation.deadline)}. "
            f"Databasen: {folder / 'sagsgang.db'}\n"
        )
        print_subscribe_links(settings, folder)
    except Exception as error:
        print(f"  Prefect-delen kunne ikke køre her: {error}\n")
        return 1
    return 0


def print_subscribe_links(settings: Settings, folder: Path) -> None:
    """The demo case's calendar, to paste into Outlook once `sagsgang serve` runs on its data."""
    from sagsgang.publishing.feeds import FeedSpec, feed_url, webcal_url

    base = settings.base_url.rstrip("/")
    print(
        f"Abonnér på sagens frister og møder (start først: "
        f"SAGSGANG_DATABASE_URL=sqlite:///{folder / 'sagsgang.db'} {command_name()} serve):"
    )
    for spec in (FeedSpec("sag", PROFILE, JOURNAL_NUMBER), FeedSpec("organ", PROFILE, "byraadet")):
        print(f"  {webcal_url(feed_url(base, spec.path))}")
    print()
