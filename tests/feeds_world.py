"""A realistic municipality for the calendar feed tests: Slagelse's 2027 meeting plan in a SQLite
database, 50 planned cases (one of them a closed item), a meeting moved across the switch to
summer time and a cancelled one. Built once per test module, copied for tests that change it.

Everything here goes through the same public functions the application uses (meeting_plan,
sync_profile, move/cancel_meeting, plan, save_plan); nothing calls the feed code.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.meetings import Schedule, meeting_plan
from calendars.planner import plan
from calendars.profile_reader import load_profile
from models import db
from models.store import cancel_meeting, load_meetings, move_meeting, save_plan, sync_profile
from models.tables import Case, Decision, Outcome

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TODAY = "2027-01-04"
PERIOD = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))

# The closed item ("lukket punkt"): none of this may ever appear in a public feed.
CLOSED_TITLE = "Personalesag: Fratrædelsesaftale med direktør Ørnulf Ærøskøbing"
CLOSED_JOURNAL = "81.03.00-P20-7-27"
CLOSED_DECISION = "Direktionen godkendte en fratrædelsesgodtgørelse på 1,2 mio. kr."
CLOSED_OWNER = "bente.broendum@slagelse.dk"

# Erhvervsudvalget's 1st-Tuesday meeting of March (2 March, winter time) is moved to
# Wednesday 31 March (summer time since Sunday 28 March): still 15:00 on the wall clock.
MOVED_KEY = "erhverv/2027-03-02"
MOVED_TO = dt.date(2027, 3, 31)
CANCELLED_KEY = "kultur_fritid/2027-05-05"

OWNERS = [
    ("Mette Hansen", "meha@slagelse.dk", "Erhverv"),
    ("Jens Kofoed", "jeko@slagelse.dk", "Kultur og Fritid"),
    ("Aisha Jørgensen", "aijo@slagelse.dk", "Teknik og Miljø"),
    ("Søren Ågård", "soaa@slagelse.dk", "Børn og Unge"),
]
MANAGER = ("Lise Østergaard", "lioe@slagelse.dk")
TOPICS = [
    "Erhvervsstrategi 2027–2030",
    "Ny skolestruktur i Korsør",
    "Helhedsplan for Slagelse Bymidte",
    "Kunstgræsbane i Skælskør",
    "Klimatilpasning af Tude Å",
    "Udbud af vintertjeneste",
    "Budgetopfølgning pr. 31. marts",
    "Ændret åbningstid på biblioteker",
    "Cykelsti langs Næstvedvej",
    "Ungdomsuddannelse for alle – handleplan",
]
ROUTES = ["politisk", "udvalgssag", "politisk_oekonomi", "erhvervsudvikling"]


@dataclass(frozen=True)
class CaseInfo:
    journal_number: str
    title: str
    route: str
    owner_email: str
    department: str
    closed: bool


@dataclass(frozen=True)
class World:
    path: Path
    cases: tuple[CaseInfo, ...]

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def copy(self, target: Path) -> World:
        shutil.copyfile(self.path, target)
        return World(target, self.cases)

    def engine(self):
        return db.make_engine(self.url)


def build(path: Path) -> World:
    profile = load_profile("slagelse")
    db.upgrade(f"sqlite:///{path}")
    engine = db.make_engine(f"sqlite:///{path}")
    with db.session_scope(engine) as session:
        sync_profile(session, profile, meeting_plan(profile, *PERIOD))
    with db.session_scope(engine) as session:
        move_meeting(session, "slagelse", MOVED_KEY, MOVED_TO)
        cancel_meeting(session, "slagelse", CANCELLED_KEY)
    with db.session_scope(engine) as session:
        schedule = Schedule.build(profile, load_meetings(session, "slagelse"))
    infos = []
    with db.session_scope(engine) as session:
        for i in range(50):
            closed = i == 7
            # Advisory Board meets in March and September only: that route needs an early start.
            route = "politisk" if closed else ROUTES[i % (4 if i < 24 else 3)]
            owner_name, owner_email, department = OWNERS[i % len(OWNERS)]
            if closed:
                owner_name, owner_email, department = "Bente Brøndum", CLOSED_OWNER, "HR"
            title = CLOSED_TITLE if closed else f"{TOPICS[i % len(TOPICS)]} (sag {i + 1})"
            journal = CLOSED_JOURNAL if closed else f"{(i % 9) + 1:02d}.00.00-G01-{i + 1}-27"
            ready = dt.date(2027, 1, 4) + dt.timedelta(days=3 * i)
            case = Case(
                municipality="slagelse",
                journal_number=journal,
                title=title,
                route_key=route,
                ready_date=ready,
                closed_item=closed,
                owner_name=owner_name,
                owner_email=owner_email,
                manager_name=MANAGER[0],
                manager_email=MANAGER[1],
                department=department,
            )
            session.add(case)
            session.flush()
            rows = save_plan(session, case, plan(profile.routes[route], schedule, ready))
            if closed:
                first = rows[0]
                session.add(
                    Decision(
                        consultation_id=first.id,
                        outcome=Outcome.APPROVED,
                        text=CLOSED_DECISION,
                        decided_at=dt.datetime(2027, 1, 12, 11, 0, tzinfo=COPENHAGEN),
                    )
                )
            infos.append(CaseInfo(journal, title, route, owner_email, department, closed))
    engine.dispose()
    return World(path, tuple(infos))


def write_at_once(path: Path) -> str:
    """What another process's write transaction (an action) finds when it asks for SQLite's write
    lock without waiting at all: "skrev" (it got it and committed), else SQLite's error."""
    action = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        action.execute("BEGIN IMMEDIATE")
        action.execute("COMMIT")
        return "skrev"
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        action.close()
