"""Benchmark: OParl 1.1 list pages of 100 objects over 10,000 cases (issue 15: well under 100 ms).

What is measured
    A SQLite database with Slagelse's meetings from January 2027 to June 2028 and 10,000 cases on
    the 'politisk' route (five consultations each, so 50,000), every tenth with texts and two
    attachments, one in fifty a closed item. Then pages of the Body's external lists, answered
    through the application (FastAPI TestClient: routing, the database reads, building the
    objects, JSON), best and median of REPEATS runs each:
      papers page 1 and page 100 (each Paper embeds its five Consultations and its Files),
      papers with modified_since (the incremental-update query a client runs every day),
      meetings page 1 (the server's page of 10 Meetings, each embedding its AgendaItems: with
      10,000 cases in 18 months some 250 a meeting), meetings with modified_since, meetings with
      omit_internal (100 a page, no items), and a client's limit=100 with all their items.
    The figure that counts is the median of "papers page 1". On a shared machine read the CPU
    median (user+sys of the process during the request), which other processes barely move.

Cross-checks (exit 1 on a mismatch): each page holds 100 objects with distinct ids; the papers'
totalElements is 10,000; no closed case's title appears on any page.

Run:  .venv/bin/python bench/oparl.py [--db FILE]   (--db: keep/reuse the seeded database there)
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = 10_000
REPEATS = 9
CLOSED_TITLE = "Personalesag nr. {}"
BASE = "http://testserver/oparl/v1.1/body/slagelse"


def seed(path: Path) -> str:
    from calendars.meetings import Schedule, meeting_plan
    from calendars.planner import plan
    from calendars.profile_reader import load_profile
    from models import db
    from models.agenda_items import AttachmentText, CaseText, set_case_content
    from models.store import save_plan, sync_profile
    from models.tables import Case

    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    profile = load_profile("slagelse")
    meetings = meeting_plan(profile, dt.date(2027, 1, 1), dt.date(2028, 6, 30))
    with db.session_scope(engine) as session:
        sync_profile(session, profile, meetings)
    schedule = Schedule.build(profile, meetings)
    route = profile.routes["politisk"]
    with db.session_scope(engine) as session:
        for i in range(CASES):
            ready = dt.date(2027, 1, 4) + dt.timedelta(days=i % 240)
            closed = i % 50 == 7
            case = Case(
                municipality="slagelse",
                journal_number=f"{i % 90 + 10:02d}.00.00-G01-{i + 1}-27",
                title=CLOSED_TITLE.format(i) if closed else f"Helhedsplan for Slagelse Bymidte, delområde {i + 1}",
                route_key="politisk",
                ready_date=ready,
                closed_item=closed,
                owner_name="Mette Hansen",
                owner_email=f"ejer{i % 40}@slagelse.dk",
                department="Teknik",
            )
            session.add(case)
            session.flush()
            save_plan(session, case, plan(route, schedule, ready))
            if i % 10 == 0:
                attachments = (
                    AttachmentText("Lokalplanforslag", f"https://www.slagelse.dk/bilag/{i}/lokalplan.pdf"),
                    AttachmentText("Høringssvar"),
                )
                set_case_content(session, case, CaseText(occasion="Byrådet bad om planen.", attachments=attachments))
    engine.dispose()
    return url


def timed(client, url: str, params: dict | None = None) -> tuple[list[float], list[float], dict]:
    """Wall-clock and CPU seconds (user+sys of this process: the TestClient runs the app in a
    thread of it) of each of REPEATS requests, and the last answer."""
    times, cpu, answer = [], [], {}
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params=params)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.text
        answer = response.json()
    return times, cpu, answer


def main() -> int:
    from fastapi.testclient import TestClient

    from calendars.clock import FixedClock
    from models import db
    from sagsgang.cases.inline import InlineOrchestrator
    from sagsgang.publishing.feeds import FeedContext
    from sagsgang.settings import Settings
    from sagsgang.web.app import create_app
    from sagsgang.web.security import SecuritySettings

    given = Path(sys.argv[sys.argv.index("--db") + 1]) if "--db" in sys.argv else None
    path = given or Path(tempfile.mkdtemp(prefix="oparl-bench-")) / "sagsgang.db"
    if path.exists():
        url = f"sqlite:///{path}"
    else:
        start = time.perf_counter()
        url = seed(path)
        print(f"seeded {CASES:,} cases in {time.perf_counter() - start:.0f} s")
    engine = db.make_engine(url)
    clock = FixedClock.on(dt.date(2027, 6, 15), 9)
    app = create_app(
        engine=engine,
        context=FeedContext(clock=clock),
        clock=clock,
        orchestrator=InlineOrchestrator(Settings(database_url=url), clock=clock),
        security=SecuritySettings(secret=b"bench"),
    )
    client = TestClient(app)
    since = {"modified_since": "2000-01-01T00:00:00+01:00"}
    cases = [
        ("papers page 1", f"{BASE}/paper", None),
        ("papers page 100", f"{BASE}/paper", {"page": "100"}),
        ("papers modified_since", f"{BASE}/paper", since),
        ("meetings page 1, omit_internal", f"{BASE}/meeting", {"omit_internal": "true"}),
        ("meetings page 1 (10 meetings)", f"{BASE}/meeting", None),
        ("meetings modified_since", f"{BASE}/meeting", since),
        ("meetings page 1, limit=100", f"{BASE}/meeting", {"limit": "100"}),
    ]
    problems = []
    print(f"{'list page':32} {'objects':>7} {'embedded':>8} {'best ms':>8} {'median ms':>10} {'cpu median ms':>14}")
    for name, address, params in cases:
        client.get(address, params=params)  # warm: first-request costs are not the figure
        times, cpu, answer = timed(client, address, params)
        data = answer["data"]
        size = answer["pagination"]["elementsPerPage"]  # the server's page: 10 meetings with their items
        if len(data) != size or len({o["id"] for o in data}) != size or size not in (10, 100):
            problems.append(f"{name}: {len(data)} objects")
        if name.startswith("papers") and answer["pagination"]["totalElements"] != CASES:
            problems.append(f"{name}: totalElements {answer['pagination']['totalElements']}")
        if "Personalesag" in str(answer):
            problems.append(f"{name}: a closed case's title is on the page")
        embedded = sum(len(o.get("agendaItem", [])) + len(o.get("consultation", [])) for o in data)
        best, median = min(times) * 1000, statistics.median(times) * 1000
        cpu_median = statistics.median(cpu) * 1000
        print(f"{name:32} {len(data):7} {embedded:8} {best:8.1f} {median:10.1f} {cpu_median:14.1f}")
    engine.dispose()
    for problem in problems:
        print("MISMATCH:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
