"""Benchmark: the daily run's "find what is due" over 100,000 open consultations.

What is measured
    1. sagsgang.notifications.reminders.find_due(session, now) on SQLite with 20,000 open Slagelse cases on
       route `politisk` (5 stages: 100,000 undecided consultations), planned by plan_many from
       seeded ready dates from two weeks before `now` to a year after it and stored with bulk inserts. 10 % of the treatments
       have their material in; 2,000 reminders are already in the outbox. `now` is Wednesday
       3 March 2027 08:00. Timed: the query, the rules for each row, and the outbox look-up
       (best of 5; the first, cold run is printed too). Target from the issue: ≤ 2 s.
       Oracle: the same due set computed naively in Python over every consultation, with every
       working-day step done by python-holidays (DK + the profile's closing days). Any difference
       is printed and makes the script exit 1.

Run:  .venv/bin/python bench/find_due.py

(The actions against the running service: bench/lifecycle.py.)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays
import sqlalchemy as sa
from sqlmodel import Session, select

CASES = 20_000
ROUTE = "politisk"
NOW_DAY = dt.date(2027, 3, 3)
SEED = 20270303
TARGET_FIND_DUE = 2.0


def planned_rows(engine, ready: list[dt.date], first: int = 1) -> tuple[list[dict], list[dict]]:
    """Rows of open Slagelse cases on ROUTE, one per ready date (ids and journal serials from
    `first`), and their consultations as plan_many plans them on the stored meetings."""
    from calendars.meetings import Schedule
    from calendars.planner import plan_many
    from calendars.profile_reader import load_profile
    from models.store import load_meetings
    from models.tables import Body, Meeting
    from models.types import utcnow

    profile = load_profile("slagelse")
    route = profile.routes[ROUTE]
    with Session(engine) as session:
        schedule = Schedule.build(profile, load_meetings(session, "slagelse"))
        bodies = {b.key: b.id for b in session.exec(select(Body))}
        meetings = {m.key: m.id for m in session.exec(select(Meeting))}
    table = plan_many(route, schedule, ready)
    now = utcnow()
    ids = range(first, first + len(ready))
    cases = [
        dict(
            id=number,
            municipality="slagelse",
            journal_number=f"27.00.00-G01-{number}-27",
            title=f"Sag {number}",
            route_key=ROUTE,
            ready_date=day,
            closed_item=False,
            owner_name="Ejer",
            owner_email=f"ejer{number % 400}@slagelse.dk",
            manager_name="Leder",
            manager_email=f"leder{number % 40}@slagelse.dk",
            department="",
            status="åben",
            version=1,
            created_at=now,
            updated_at=now,
        )
        for number, day in zip(ids, ready, strict=True)
    ]
    consultations = []
    for stage_index, stage in enumerate(route.stages):
        for key in stage:
            by_body = schedule.by_body[key]
            for case, number in enumerate(ids):
                first_meeting, last = table.earliest[stage_index][key][case], table.latest[stage_index][key][case]
                consultations.append(
                    dict(
                        case_id=number,
                        stage=stage_index + 1,
                        body_id=bodies[key],
                        round=1,
                        meeting_id=meetings[by_body.meetings[first_meeting].key],
                        deadline=profile.calendar.day_at(by_body.deadline_pos[first_meeting]),
                        latest_meeting_id=meetings[by_body.meetings[last].key],
                        latest_deadline=profile.calendar.day_at(by_body.deadline_pos[last]),
                        slack_working_days=by_body.deadline_pos[last] - by_body.deadline_pos[first_meeting],
                        agenda_due=None,
                        created_at=now,
                    )
                )
    return cases, consultations


def build(url: str) -> int:
    """Store CASES planned cases; returns the number of open consultations."""
    from calendars.meetings import meeting_plan
    from calendars.profile_reader import load_profile
    from models import db
    from models.outbox import MessageKind, OutboxMessage, Submission
    from models.store import sync_profile
    from models.tables import Case, Consultation
    from models.types import utcnow

    profile = load_profile("slagelse")
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        sync_profile(session, profile, meeting_plan(profile, dt.date(2025, 11, 1), dt.date(2028, 12, 31)))
    rng = random.Random(SEED)
    # Open cases are mostly ahead of "now": ready from two weeks before it to a year after, so a
    # realistic share of deadlines falls in the coming week and a few have just been missed.
    ready = [NOW_DAY - dt.timedelta(days=14) + dt.timedelta(days=rng.randrange(365)) for _ in range(CASES)]
    cases, consultations = planned_rows(engine, ready)
    now = utcnow()
    submissions, outbox = [], []
    for row in consultations:
        if rng.random() < 0.10:
            submissions.append(
                dict(case_id=row["case_id"], stage=row["stage"], body_id=row["body_id"], round=1, submitted_at=now)
            )
    for row in rng.sample(consultations, 2_000):  # reminders already sent in earlier runs
        outbox.append(
            dict(
                key=f"reminder/{row['case_id']}/{row['stage']}/{row['body_id']}/1/frist-{row['deadline'].isoformat()}/regel-5",
                kind=MessageKind.REMINDER.value,
                case_id=row["case_id"],
                stage=row["stage"],
                body_id=row["body_id"],
                round=1,
                rule="5",
                deadline=row["deadline"],
                due_at=now,
                recipient="x@slagelse.dk",
                subject="",
                message="",
                status="sendt",
                attempts=1,
                last_error="",
                created_at=now,
                sent_at=now,
            )
        )
    with engine.begin() as connection:
        connection.execute(sa.insert(Case.__table__), cases)
        connection.execute(sa.insert(Consultation.__table__), consultations)
        connection.execute(sa.insert(Submission.__table__), submissions)
        connection.execute(sa.insert(OutboxMessage.__table__), outbox)
    engine.dispose()
    return len(consultations)


def naive_due(url: str, now: dt.datetime) -> set[str]:
    """Every undecided consultation in Python, each rule with python-holidays' own arithmetic."""
    from calendars.profile_reader import load_profile
    from models import db
    from models.outbox import OutboxMessage, Submission
    from models.tables import Case, Consultation, Decision, Meeting
    from sagsgang.notifications.reminders import rules_for

    profile = load_profile("slagelse")
    rules = rules_for(profile)
    calendar = profile.calendar
    days_off = holidays.DK(years=range(2025, 2030), language="da")
    days_off.update({o.day: o.name for o in calendar.days_off_between(dt.date(2025, 1, 1), dt.date(2029, 12, 31))})
    today = now.date()
    engine = db.make_engine(url)
    with Session(engine) as session:
        submitted = set(
            session.exec(select(Submission.case_id, Submission.stage, Submission.body_id, Submission.round))
        )
        decided = set(session.exec(select(Decision.consultation_id)))
        open_cases = set(session.exec(select(Case.id).where(Case.status == "åben")))
        known = set(session.exec(select(OutboxMessage.key)))
        rows = session.exec(select(Consultation)).all()
        meeting_day = dict(session.exec(select(Meeting.id, Meeting.day)).all())
    engine.dispose()
    # Catch-up follows the current plan only (issue 11): nothing for a stage behind an earlier one
    # that missed its deadline, nor for a later stage whose meeting came while the case waited.
    undecided = defaultdict(list)
    for row in rows:
        if row.case_id in open_cases and row.id not in decided:
            undecided[row.case_id].append(row)
    current = {case: min(r.stage for r in found) for case, found in undecided.items()}

    def missed(r) -> bool:
        return (r.case_id, r.stage, r.body_id, r.round) not in submitted and r.deadline < today

    due = set()
    for row in rows:
        if (
            row.case_id not in open_cases
            or row.id in decided
            or (row.case_id, row.stage, row.body_id, row.round) in submitted
        ):
            continue
        stage = current[row.case_id]
        if any(
            r.stage < row.stage and missed(r) and (r.stage == stage or meeting_day[r.meeting_id] > today)
            for r in undecided[row.case_id]
        ):
            continue
        if row.stage != stage and meeting_day[row.meeting_id] <= today:
            continue
        place = f"{row.case_id}/{row.stage}/{row.body_id}/{row.round}/frist-{row.deadline.isoformat()}"
        if row.deadline < today:
            escalate = days_off.get_nth_working_day(row.deadline, 1)
            if dt.datetime.combine(escalate, rules.time, now.tzinfo) <= now:
                due.add(f"escalation/{place}")
            continue
        ready = [
            n
            for n in rules.working_days_before
            if dt.datetime.combine(days_off.get_nth_working_day(row.deadline, -n), rules.time, now.tzinfo) <= now
        ]
        if ready:
            due.add(f"reminder/{place}/regel-{min(ready)}")
    return due - known


def bench_find_due(folder: Path) -> bool:
    from zoneinfo import ZoneInfo

    from models import db
    from sagsgang.notifications import reminders

    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    count = build(url)
    print(
        f"Opbygning: {count:,} åbne behandlinger i {CASES:,} sager ({time.perf_counter() - started:.1f} s, ikke målt)"
    )
    now = dt.datetime.combine(NOW_DAY, dt.time(8, 0), ZoneInfo("Europe/Copenhagen"))
    engine = db.make_engine(url)
    timings, result = [], []
    for _ in range(6):
        with Session(engine) as session:
            start = time.perf_counter()
            result = reminders.find_due(session, now)
            timings.append(time.perf_counter() - start)
    engine.dispose()
    best = min(timings[1:])
    kinds = {kind: sum(1 for item in result if item.kind.value == kind) for kind in ("påmindelse", "eskalering")}
    print(
        f"find_due over {count:,} behandlinger: bedst {best:.3f} s, første (kold) {timings[0]:.3f} s "
        f"(mål ≤ {TARGET_FIND_DUE} s) → {kinds['påmindelse']:,} påmindelser, {kinds['eskalering']:,} eskaleringer"
    )
    expected = naive_due(url, now)
    found = {item.key for item in result}
    if found != expected:
        print(
            f"FEJL: find_due afviger fra den naive beregning: {len(found - expected)} for meget, "
            f"{len(expected - found)} mangler, fx {sorted(found ^ expected)[:3]}"
        )
        return False
    print(f"Kontrol: samme {len(found):,} nøgler som den naive beregning med python-holidays.")
    return True


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-") as folder:
        ok = bench_find_due(Path(folder))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
