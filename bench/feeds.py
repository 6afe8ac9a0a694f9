"""Benchmark: building calendar feeds, and serving them over HTTP next to nginx.

What is measured
    Build   5,000 events (meetings, timed deadlines with an alarm, all-day agenda days, a few
            cancelled and provisional ones, Danish texts) rendered to iCalendar bytes by
            calendars.ical.render, which builds every event with icalendar 7 (Event.new) and
            keeps each VEVENT's serialized bytes: with an empty cache (a fresh process), with
            nothing changed, and with 50 events changed (1 %). The baseline is icalendar without
            the cache: calendars.ical.calendar(...).to_ical(), the whole component tree serialized
            at once. Then, from a SQLite database with Slagelse's 2027 meetings and 500 planned
            cases, a personal feed of 5,000 events through sagsgang.publishing.feed_render.render_feed: the query,
            the published ledger (first run: 5,000 inserts; again: reads only) and rendering.
    Serve   Three servers on the very same bytes of one feed, each with the same number of worker
            processes (--workers, default: one per CPU) and access logs on: `sagsgang serve` (uvicorn
            with httptools + uvloop; polls of cached feeds answered by the plain-ASGI FastPath
            middleware), "uvicorn, no FastPath" (the same application under the same uvicorn,
            bench/plain_app.py: every poll goes through FastAPI's routing) and nginx running
            docs/nginx-kalender.conf (only its listen address, folder and upstream set for the run)
            on the feed as `sagsgang feeds publish` wrote it, with `sagsgang serve` behind it as the
            upstream. nginx-light and wrk are installed with apt-get when missing (as root). All on
            127.0.0.1, in the same run, alternating rounds, measured by the same load clients: a
            bounded asyncio client in this process (8 keep-alive connections, at most feed_serving.ROUND_SECONDS
            and ROUND_LIMIT requests per round) and wrk. Full 200 responses and conditional 304 polls
            (If-None-Match), which is what calendar clients mostly send. nginx is the baseline: every
            rate is also given as a ratio to nginx's. For scale: 10,000 subscribers polling every
            15 minutes make ~11 requests per second.

Cross-checks (exit 1 on a mismatch): icalendar reads our 5,000 events back with the same UIDs,
titles and start instants as the input; render's bytes, from an empty cache, a full one and after
a change, equal the uncached tree's to_ical(); all three servers return byte-identical feeds;
nginx sends ETag, Last-Modified, `Cache-Control: public, no-cache`, 304 for a matching
If-None-Match, gzip when asked, and passes personal feeds and pages to `sagsgang serve`.
Only loopback traffic; every server is started here, wrapped in `timeout`, and stopped here.

Run:  .venv/bin/python bench/feeds.py      (as root, it installs nginx-light and wrk when missing)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feed_serving import serve_http  # noqa: E402  (bench/feed_serving.py)

from calendars import ical  # noqa: E402
from calendars.clock import FixedClock  # noqa: E402
from sagsgang.web.app import default_workers  # noqa: E402  (serve's default, and nginx's here)

EVENTS = 5_000
CASES = 500  # × 5 stages × (deadline + meeting) = 5,000 events in one person's feed
CHANGED = 50  # events changed between two builds (1 %)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CLOCK = FixedClock.on(dt.date(2027, 1, 4))


def best(function, repeats: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return min(timings), result


# --- build --------------------------------------------------------------------------------------


def sample_events(count: int) -> list[ical.FeedEvent]:
    stamp = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    bodies = ["Byrådet", "Økonomiudvalget", "Erhvervs-, Beskæftigelses- og Uddannelsesudvalget", "Direktionen"]
    events = []
    for i in range(count):
        body = bodies[i % len(bodies)]
        day = dt.date(2027, 1, 4) + dt.timedelta(days=(i * 7) % 720)
        status = (
            ical.Status.CANCELLED if i % 97 == 0 else ical.Status.TENTATIVE if i % 5 == 0 else ical.Status.CONFIRMED
        )
        kind = i % 3
        if kind == 0:
            start = dt.datetime.combine(day, dt.time(15), COPENHAGEN)
            events.append(
                ical.FeedEvent(
                    key=f"bench/{i}",
                    summary=f"Sag på møde i {body}: Helhedsplan for Slagelse Bymidte (sag {i})",
                    start=start,
                    end=start + dt.timedelta(hours=2),
                    status=status,
                    location="Rådhuset, byrådssalen",
                    description=f"Sag: Helhedsplan for Slagelse Bymidte\nJournalnr.: 01.02.03-G01-{i}-27\n"
                    f"Trin 3 af 5 (Politisk sag): {body}\nSe sagen: https://sagsgang.slagelse.dk/sager/{i}",
                    url=f"https://sagsgang.slagelse.dk/sager/slagelse/{i}",
                    categories=("Møde", body),
                    sequence=i % 3,
                    stamp=stamp,
                )
            )
        elif kind == 1:
            events.append(
                ical.FeedEvent(
                    key=f"bench/{i}",
                    summary=f"Deadline for sag til {body}: Klimatilpasning af Tude Å (sag {i})",
                    start=dt.datetime.combine(day, dt.time(12), COPENHAGEN),
                    status=status,
                    transparent=True,
                    description="Sagsfrist: mandag 22. marts 2027 kl. 12:00\nMøde: tirsdag 6. april 2027 kl. 15:00",
                    categories=("Sagsfrist", body),
                    alarm_before=dt.timedelta(days=1),
                    stamp=stamp,
                )
            )
        else:
            events.append(
                ical.FeedEvent(
                    key=f"bench/{i}",
                    summary=f"{body} – dagsorden udsendes",
                    start=day,
                    status=status,
                    transparent=True,
                    description=f"Dagsordenen til {body}s møde udsendes senest i dag.",
                    categories=("Dagsorden", body),
                    stamp=stamp,
                )
            )
    return events


def changed(events: list[ical.FeedEvent], count: int, round_: int) -> list[ical.FeedEvent]:
    """The events with `count` of them, spread over the feed, moved by a day (a new SEQUENCE and
    DTSTAMP): a different `round_` gives values not seen before, so they miss the cache."""
    step = len(events) // count
    stamp = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=round_)
    return [
        replace(
            event,
            start=event.start + dt.timedelta(days=1),
            sequence=event.sequence + 1 + round_,
            stamp=stamp,
            end=event.end + dt.timedelta(days=1) if event.end is not None else None,
        )
        if i % step == 0 and i // step < count
        else event
        for i, event in enumerate(events)
    ]


def measure_build(events: list[ical.FeedEvent], namespace: uuid.UUID, problems: list[str]):
    """(seconds, bytes) of: the uncached tree, render cold, render warm, render after a change."""

    def feed(items) -> ical.Feed:
        return ical.Feed(key="bench", name="Benchmark – møder og frister", events=tuple(items))

    tree, tree_data = best(lambda: ical.calendar(feed(events), namespace).to_ical(), 2)

    def cold() -> bytes:
        ical.clear_cache()
        return ical.render(feed(events), namespace)

    cold_time, cold_data = best(cold, 2)
    warm_time, warm_data = best(lambda: ical.render(feed(events), namespace), 5)
    edits = [changed(events, CHANGED, round_) for round_ in range(3)]  # each repeat: new changes
    pending = iter(edits)
    edit_time, edit_data = best(lambda: ical.render(feed(next(pending)), namespace), 3)
    for label, data in (("cold", cold_data), ("warm", warm_data)):
        if data != tree_data:
            problems.append(f"render ({label} cache) differs from calendar(...).to_ical()")
    if edit_data != ical.calendar(feed(edits[-1]), namespace).to_ical():
        problems.append("render after a change differs from calendar(...).to_ical()")
    return (tree, tree_data), (cold_time, cold_data), (warm_time, warm_data), (edit_time, edit_data)


def check_round_trip(events: list[ical.FeedEvent], data: bytes, namespace: uuid.UUID) -> list[str]:
    from icalendar import Calendar

    read = Calendar.from_ical(data).walk("VEVENT")
    problems = [] if len(read) == len(events) else [f"{len(read)} events read back, {len(events)} written"]
    for event, back in zip(events, read):
        start = back.decoded("DTSTART")
        if (str(back["UID"]), str(back["SUMMARY"]), start) != (
            ical.uid(namespace, event.key),
            event.summary,
            event.start,
        ):
            problems.append(f"{event.key}: read back as {back['UID']} {back['SUMMARY']!r} {start}")
    return problems


def seed(path: Path) -> str:
    from calendars.meetings import Schedule, meeting_plan
    from calendars.planner import plan
    from calendars.profile_reader import load_profile
    from models import db
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
    with db.session_scope(engine) as session:
        for i in range(CASES):
            ready = dt.date(2027, 1, 4) + dt.timedelta(days=i % 240)
            case = Case(
                municipality="slagelse",
                journal_number=f"{i % 90 + 10:02d}.00.00-G01-{i + 1}-27",
                title=f"Helhedsplan for Slagelse Bymidte, delområde {i + 1}",
                route_key="politisk",
                ready_date=ready,
                owner_name="Mette Hansen",
                owner_email=f"ejer{i % 40}@slagelse.dk",
                manager_name="Lise Østergaard",
                manager_email="lioe@slagelse.dk",
                department="Teknik",
            )
            session.add(case)
            session.flush()
            save_plan(session, case, plan(profile.routes["politisk"], schedule, ready))
    engine.dispose()
    return url


def build_from_database(url: str):
    from models import db
    from sagsgang.accounts import subscriptions
    from sagsgang.publishing import feed_render, feeds

    engine = db.make_engine(url)
    context = feeds.FeedContext(base_url="https://sagsgang.slagelse.dk", clock=CLOCK)
    with db.session_scope(engine) as session:
        subscription, _ = subscriptions.create_subscription(session, "lioe@slagelse.dk", clock=CLOCK)

    def render():
        with db.session_scope(engine) as session:
            return feed_render.render_feed(
                session, feeds.FeedSpec("personlig", key=str(subscription.id)), context, subscription
            )

    def render_cold():
        ical.clear_cache()
        return render()

    first, rendered = best(render_cold, 1)
    again_cold, _ = best(render_cold, 2)
    again, _ = best(render, 3)
    engine.dispose()
    return first, again_cold, again, rendered


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Feed benchmark: building feeds, and serving them next to nginx.")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes of `sagsgang serve` and of nginx alike (default: one per CPU, "
        "like nginx's worker_processes auto and serve's default)",
    )
    parser.add_argument("--serve-only", action="store_true", help="skip the build figures (seeds the database only)")
    options = parser.parse_args()
    problems: list[str] = []
    if options.serve_only:
        with tempfile.TemporaryDirectory(prefix="sagsgang-bench-") as scratch:
            folder = Path(scratch)
            folder.chmod(0o755)
            serve_http(folder, seed(folder / "sagsgang.db"), problems, options.workers, CLOCK)
        return report(problems)
    namespace = ical.namespace_for("bench")
    events = sample_events(EVENTS)
    (tree, _), (cold, data), (warm, _), (edit, _) = measure_build(events, namespace, problems)
    problems += check_round_trip(events, data, namespace)
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401

        stack = "httptools + uvloop (serve's choice when installed)"
    except ImportError:
        stack = "h11 + asyncio (pip install httptools uvloop for ~2×)"
    print("Feed benchmark: building iCalendar feeds, and `sagsgang serve` vs nginx on loopback")
    print(
        f"  machine          {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"  uvicorn          {stack}")
    print()
    print(f"Build: {EVENTS:,} events (best of repeats)")
    print(
        f"  icalendar tree, no cache    {tree * 1000:8.1f} ms  {EVENTS / tree:>9,.0f} events/s  "
        f"{tree / EVENTS * 1e6:6.0f} µs/event  {len(data) / 1e6:.2f} MB  (calendar(...).to_ical())"
    )
    for label, seconds in (
        ("render, empty cache", cold),
        ("render, nothing changed", warm),
        (f"render, {CHANGED} events changed", edit),
    ):
        print(
            f"  {label:<27} {seconds * 1000:8.1f} ms  {EVENTS / seconds:>9,.0f} events/s  "
            f"{seconds / EVENTS * 1e6:6.0f} µs/event  ({tree / seconds:.1f}× faster than no cache)"
        )

    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-") as scratch:
        folder = Path(scratch)
        folder.chmod(0o755)  # nginx's workers run as nobody and must read the published files
        start = time.perf_counter()
        url = seed(folder / "sagsgang.db")
        seeded = time.perf_counter() - start
        first, again_cold, again, rendered = build_from_database(url)
        count = rendered.body.count(b"BEGIN:VEVENT")
        print(
            f"  personal feed from database {first * 1000:8.1f} ms first (ledger inserts, empty cache), "
            f"{again_cold * 1000:.1f} ms again with an empty cache, {again * 1000:.1f} ms again with a full one;"
        )
        print(
            f"  {'':<27} {count:,} events, {len(rendered.body) / 1e6:.2f} MB  (seeding {CASES} cases: {seeded:.1f} s)"
        )
        print()
        serve_http(folder, url, problems, options.workers, CLOCK)
    return report(problems)


def report(problems: list[str]) -> int:
    if problems:
        print(f"\nMISMATCHES: {len(problems)}")
        for problem in problems[:10]:
            print(f"    {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
