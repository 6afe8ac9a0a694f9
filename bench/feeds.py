"""Benchmark: building calendar feeds, and serving them over HTTP next to nginx.

What is measured
    Build   5,000 events (meetings, timed deadlines with an alarm, all-day agenda days, a few
            cancelled and provisional ones, Danish texts) rendered to iCalendar bytes by
            calendars.ical.render, which builds every event with icalendar 7 (Event.new) and
            keeps each VEVENT's serialized bytes: with an empty cache (a fresh process), with
            nothing changed, and with 50 events changed (1 %). The baseline is icalendar without
            the cache: calendars.ical.calendar(...).to_ical(), the whole component tree serialized
            at once. Then, from a SQLite database with Slagelse's 2027 meetings and 500 planned
            cases, a personal feed of 5,000 events through sagsgang.publishing.feeds.render_feed: the query,
            the published ledger (first run: 5,000 inserts; again: reads only) and rendering.
    Serve   `sagsgang serve` (uvicorn with sagsgang.web.feed_protocol, a real subprocess) and nginx
            serving the very same bytes as a static file (published by `sagsgang feeds publish`
            logic into a temporary folder), and, as the baseline from our side, the same
            application under uvicorn's own httptools protocol ("uvicorn (ASGI)": polls answered by
            the ASGI FastPath, as serve did before feed_protocol). All on 127.0.0.1, the same number
            of workers each (--workers, default: one per CPU), in the same run, alternating rounds,
            measured by the same load client: a bounded asyncio client in this process (8
            keep-alive connections, at most ROUND_SECONDS and ROUND_LIMIT requests per round), and
            wrk when installed. Full 200 responses and conditional 304 polls (If-None-Match), which
            is what calendar clients mostly send. The ratio that counts is ours / nginx; the
            issue's target is ≥ 0.5. The Python client tops out near nginx's rate here, so wrk's
            ratios are the sharper ones.

Cross-checks (exit 1 on a mismatch): icalendar reads our 5,000 events back with the same UIDs,
titles and start instants as the input; render's bytes, from an empty cache, a full one and after
a change, equal the uncached tree's to_ical(); all three servers return byte-identical feeds.
Only loopback traffic; every server is started here, wrapped in `timeout`, and stopped here.

Run:  .venv/bin/python bench/feeds.py      (nginx: apt-get install nginx-light; wrk: apt-get install wrk)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calendars import ical  # noqa: E402
from calendars.clock import FixedClock  # noqa: E402
from sagsgang.web.app import default_workers  # noqa: E402  (serve's default, and nginx's here)

EVENTS = 5_000
CASES = 500  # × 5 stages × (deadline + meeting) = 5,000 events in one person's feed
CHANGED = 50  # events changed between two builds (1 %)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CONNECTIONS, ROUNDS, ROUND_SECONDS, ROUND_LIMIT = 8, 3, 3.0, 150_000
PLAIN = "uvicorn (ASGI)"  # our application under uvicorn's own protocol: the baseline from our side
SERVER_SECONDS = 300  # every server is stopped by `timeout` after this, whatever happens here
FEED = "slagelse/organ/byraadet.ics"
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
    from calendars.profiles import load_profile
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
    from sagsgang.publishing import feeds

    engine = db.make_engine(url)
    context = feeds.FeedContext(base_url="https://sagsgang.slagelse.dk", clock=CLOCK)
    with db.session_scope(engine) as session:
        subscription, _ = subscriptions.create_subscription(session, "lioe@slagelse.dk", clock=CLOCK)

    def render():
        with db.session_scope(engine) as session:
            return feeds.render_feed(
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


# --- serve --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def fetch(port: int, path: str, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    async def run():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode())
        data = await reader.read()
        writer.close()
        return data

    data = asyncio.run(run())
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), fields, body


async def _connection(port: int, request: bytes, deadline: float, limit: int, counts: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = received = 0
    while done < limit and time.perf_counter() < deadline:
        writer.write(request)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError):  # closed a kept-alive connection: reconnect
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        done += 1
        received += length
    writer.close()
    counts.append((done, received))


def load(port: int, path: str, headers: str = "") -> tuple[float, float]:
    """Requests per second and MB/s over one bounded round."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n".encode()
    counts: list = []

    async def run() -> float:
        start = time.perf_counter()
        deadline = start + ROUND_SECONDS
        await asyncio.gather(
            *(_connection(port, request, deadline, ROUND_LIMIT // CONNECTIONS, counts) for _ in range(CONNECTIONS))
        )
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    return sum(c[0] for c in counts) / elapsed, sum(c[1] for c in counts) / elapsed / 1e6


def wrk(port: int, path: str, headers: str = "") -> float | None:
    if not shutil.which("wrk"):
        return None
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{int(ROUND_SECONDS)}s", f"http://127.0.0.1:{port}{path}"]
    if headers:
        command[1:1] = ["-H", headers.strip()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=ROUND_SECONDS + 30)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    return float(match.group(1)) if match else None


def nginx_config(folder: Path, port: int, root: Path, workers: int) -> Path:
    config = folder / "nginx.conf"
    temp = folder / "tmp"
    temp.mkdir()
    config.write_text(f"""
worker_processes {workers};
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on; tcp_nopush on;
  keepalive_requests 1000000;  # like uvicorn: no reconnects in the middle of a round
  types {{ text/calendar ics; }}
  charset utf-8; charset_types text/calendar;
  client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
  uwsgi_temp_path {temp}; scgi_temp_path {temp};
  server {{ listen 127.0.0.1:{port}; location /kalender/ {{ alias {root}/; }} }}
}}
""")
    return config


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
            serve_http(folder, seed(folder / "sagsgang.db"), problems, options.workers)
        return report(problems)
    namespace = ical.namespace_for("bench")
    events = sample_events(EVENTS)
    (tree, _), (cold, data), (warm, _), (edit, _) = measure_build(events, namespace, problems)
    problems += check_round_trip(events, data, namespace)
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401

        stack = "httptools + uvloop; cached feeds answered by sagsgang.web.feed_protocol"
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
        serve_http(folder, url, problems, options.workers)
    return report(problems)


def report(problems: list[str]) -> int:
    if problems:
        print(f"\nMISMATCHES: {len(problems)}")
        for problem in problems[:10]:
            print(f"    {problem}")
        return 1
    return 0


class Servers:
    """The servers under test: real processes, each wrapped in `timeout`, each writing its output
    to a log file in the scratch folder; `check()` fails with the logs' tails when one has stopped."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.processes, self.logs = folder, {}, {}

    def start(self, name: str, command: list[str], **options) -> subprocess.Popen:
        log = self.logs[name] = self.folder / f"{name.replace(' ', '-')}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["timeout", str(SERVER_SECONDS), *command],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                **options,
            )
        self.processes[name] = process
        return process

    def check(self, when: str) -> None:
        stopped = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if stopped:
            raise RuntimeError(f"{when}: server stopped: {stopped}\n{self.tails()}")

    def tails(self, lines: int = 30) -> str:
        parts = []
        for name, log in [*self.logs.items(), ("nginx error.log", self.folder / "error.log")]:
            if log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                process = self.processes.get(name)
                state = "" if process is None else f", exit status {process.poll()}"
                parts.append(f"--- {name} ({log}{state}):\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)


def serve_http(folder: Path, url: str, problems: list[str], workers: int) -> None:
    from models import db
    from sagsgang.publishing import feeds

    port, static_port, plain_port = free_port(), free_port(), free_port()
    while len({port, static_port, plain_port}) < 3:
        static_port, plain_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SAGSGANG_DATABASE_URL": url,
        "SAGSGANG_TODAY": "2027-01-04",
        "SAGSGANG_HOME": str(folder / "home"),
    }
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:  # the same bytes, the same ledger: what nginx serves
        feeds.publish(session, folder / "static", feeds.FeedContext(base_url=base, clock=CLOCK))
    engine.dispose()
    servers = Servers(folder)
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    try:
        ours = servers.start(
            "sagsgang serve",
            [sys.executable, "-m", "sagsgang.cli.main", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
        )
        ports = {"sagsgang serve": port}
        wait_for(port, ours)
        # The baseline from our side: the same application under uvicorn's own httptools protocol, as
        # `sagsgang serve` ran before sagsgang.web.feed_protocol (polls answered by the ASGI FastPath).
        # The same base URL as ours, so that the feed's bytes are the same.
        servers.start(
            PLAIN,
            [
                sys.executable,
                "-m",
                "uvicorn",
                "sagsgang.web.app:app_from_settings",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(plain_port),
                "--workers",
                str(workers),
                "--http",
                "httptools",
                "--loop",
                "uvloop",
                "--backlog",
                "4096",
                "--log-level",
                "warning",
                "--no-access-log",
                "--no-server-header",
                "--no-proxy-headers",
            ],
            env={**env, "SAGSGANG_BASE_URL": base},
            cwd=ROOT,
        )
        ports[PLAIN] = plain_port
        if nginx:
            config = nginx_config(folder, static_port, folder / "static", workers)
            wait_for(plain_port, servers.processes[PLAIN])  # one after the other: no start takes another's port
            servers.start("nginx", [nginx, "-c", str(config)])
            ports["nginx"] = static_port
        for name, p in ports.items():
            wait_for(p, servers.processes[name])
        path = f"/kalender/{FEED}"
        answers = {name: fetch(p, path) for name, p in ports.items()}
        size = len(answers["sagsgang serve"][2])
        if any(status != 200 for status, _, _ in answers.values()):
            problems.append(f"status: {[(n, a[0]) for n, a in answers.items()]}")
        if len({body for _, _, body in answers.values()}) != 1:
            problems.append(f"{', '.join(answers)} return different bytes for the same feed")
        etags = {name: answer[1].get("etag", "") for name, answer in answers.items()}

        each = (
            f"{workers} worker process{'es' if workers > 1 else ''} each (serve --workers {workers}, "
            f"nginx worker_processes {workers})"
        )
        print(
            f"Serve: {path} ({size:,} bytes), {CONNECTIONS} keep-alive connections, {ROUNDS} alternating rounds "
            f"of ≤ {ROUND_SECONDS:.0f} s / ≤ {ROUND_LIMIT:,} requests, {each}"
        )
        if not nginx:
            print("  nginx is not installed (apt-get install nginx-light): no comparison")
        for label, conditional in (("200 full feed", False), ("304 conditional poll", True)):
            rates: dict[str, list[float]] = {name: [] for name in ports}
            megabytes: dict[str, list[float]] = {name: [] for name in ports}
            for _ in range(ROUNDS):
                for name, p in ports.items():
                    servers.check(f"before a {label} round")
                    header = f"If-None-Match: {etags[name]}\r\n" if conditional else ""
                    rate, mb = load(p, path, header)
                    rates[name].append(rate)
                    megabytes[name].append(mb)
            for name in ports:
                print(
                    f"  {label:<21} {name:<15} best {max(rates[name]):>8,.0f} req/s  median "
                    f"{statistics.median(rates[name]):>8,.0f} req/s  {max(megabytes[name]):7.1f} MB/s"
                )
            for other in (name for name in ("nginx", PLAIN) if name in ports):
                print(
                    f"  {label:<21} ratio ours/{other}: best {max(rates['sagsgang serve']) / max(rates[other]):.2f}×, "
                    f"median {statistics.median(rates['sagsgang serve']) / statistics.median(rates[other]):.2f}× "
                    "(Python client)"
                )
            if shutil.which("wrk"):
                servers.check(f"before wrk's {label} rounds")
                measured = {
                    name: wrk(p, path, f"If-None-Match: {etags[name]}" if conditional else "")
                    for name, p in ports.items()
                }
                if all(measured.values()):
                    ours = measured["sagsgang serve"]
                    print(
                        f"  {label:<21} wrk: "
                        + ", ".join(f"{name} {rate:,.0f} req/s" for name, rate in measured.items())
                    )
                    print(
                        f"  {label:<21} wrk: "
                        + ", ".join(
                            f"ratio ours/{name} {ours / measured[name]:.2f}×"
                            for name in ("nginx", PLAIN)
                            if name in measured
                        )
                    )
        servers.check("after the last round")
    except (OSError, RuntimeError, asyncio.IncompleteReadError) as error:
        message = (
            str(error)
            if isinstance(error, RuntimeError) and "\n---" in str(error)
            else f"{type(error).__name__}: {error}\n{servers.tails()}"
        )
        print(f"\nSERVING FAILED: {message}")
        problems.append(f"serving failed: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
