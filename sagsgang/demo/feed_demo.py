"""`sagsgang feeds demo MAPPE`: calendar feeds on example data, from an empty folder.

Builds a database in the folder with Slagelse's meetings for the coming year and a few example
cases (one of them a closed item), moves and cancels a meeting the way a secretariat would,
publishes the public feeds and creates a personal subscription, so a new user can subscribe in
their own calendar program and see what managers will see.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from calendars.clock import Clock

EXAMPLES = [
    # (title, route, owner, e-mail, department, closed item)
    ("Erhvervsstrategi 2027–2030", "politisk_oekonomi", "Mette Hansen", "meha@slagelse.dk", "Erhverv", False),
    ("Helhedsplan for Slagelse Bymidte", "politisk", "Mette Hansen", "meha@slagelse.dk", "Teknik og Miljø", False),
    ("Ændret åbningstid på biblioteker", "udvalgssag", "Jens Kofoed", "jeko@slagelse.dk", "Kultur og Fritid", False),
    ("Personalesag", "politisk", "Mette Hansen", "meha@slagelse.dk", "HR", True),
]


def run(folder: Path, clock: Clock, base_url: str) -> dict[str, str]:
    """Build the example in `folder`; returns what to show the user (database URL, links)."""
    from sqlmodel import select

    from calendars.meetings import Schedule, meeting_plan
    from calendars.planner import PlanningError, plan
    from calendars.profile_reader import load_profile
    from models import db
    from models.store import cancel_meeting, load_meetings, move_meeting, save_plan, sync_profile
    from models.tables import Case
    from sagsgang.accounts import subscriptions
    from sagsgang.publishing import feed_files, feeds

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(folder / 'demo.db').resolve()}"
    db.upgrade(url)
    engine = db.make_engine(url)
    profile = load_profile("slagelse")
    today = clock.today()
    with db.session_scope(engine) as session:
        if session.exec(select(Case.id)).first() is not None:
            raise FileExistsError(f"{folder} har allerede en demo. Vælg en tom mappe.")
        sync_profile(session, profile, meeting_plan(profile, today, today + dt.timedelta(days=400)))
        meetings = [m for m in load_meetings(session, profile.key) if m.body == "byraadet" and m.day > today]
        # The secretariat moves the council's second meeting a day, and cancels its fourth.
        if len(meetings) >= 4:
            move_meeting(session, profile.key, meetings[1].key, meetings[1].day + dt.timedelta(days=1))
            cancel_meeting(session, profile.key, meetings[3].key)
        schedule = Schedule.build(profile, load_meetings(session, profile.key))
        for number, (title, route, owner, email, department, closed) in enumerate(EXAMPLES, start=1):
            case = Case(
                municipality=profile.key,
                journal_number=f"24.10.00-G01-{number}-{today:%y}",
                title=title,
                route_key=route,
                ready_date=today,
                closed_item=closed,
                owner_name=owner,
                owner_email=email,
                manager_name="Lise Østergaard",
                manager_email="lioe@slagelse.dk",
                department=department,
            )
            session.add(case)
            session.flush()
            try:
                save_plan(session, case, plan(profile.routes[route], schedule, today))
            except PlanningError:
                session.delete(case)
        subscription, token = subscriptions.create_subscription(session, "meha@slagelse.dk", clock=clock)
    context = feeds.FeedContext(base_url=base_url, clock=clock)
    report = feed_files.publish(engine, folder / "kalender", context)
    engine.dispose()
    council = feeds.feed_url(base_url, "slagelse/organ/byraadet.ics")
    personal = feeds.feed_url(base_url, f"personlig/{token}.ics")
    return {
        "url": url,
        "published": str(report.total),
        "council": council,
        "personal": personal,
        "subscription": str(subscription.id),
    }
