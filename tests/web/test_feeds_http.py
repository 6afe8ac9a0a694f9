"""`sagsgang serve` as calendar programs meet it: a real uvicorn process on 127.0.0.1, real HTTP.

The server runs the command a municipality would run, on a copy of tests/feeds_world.py's data,
and stops after the module (or after 180 s, whatever happens to the test run).
"""

from __future__ import annotations

import array
import datetime as dt
import fcntl
import os
import re
import socket
import subprocess
import sys
import termios
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import icalendar
import pytest

from models import db
from models.store import move_meeting
from tests import configured, feeds_world
from tests.feeds_world import CLOSED_JOURNAL, CLOSED_OWNER, CLOSED_TITLE
from tests.servers import answers, free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = "/kalender/slagelse/organ/byraadet.ics"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> feeds_world.World:
    return feeds_world.build(tmp_path_factory.mktemp("served") / "sagsgang.db")


@pytest.fixture(scope="module")
def env(world, tmp_path_factory) -> dict[str, str]:
    return {
        **os.environ,
        configured.URL_VARIABLE: world.url,
        configured.HOME_VARIABLE: str(tmp_path_factory.mktemp("home")),
        "SAGSGANG_TODAY": feeds_world.TODAY,
    }


@pytest.fixture(scope="module")
def served(world, env, tmp_path_factory):
    """One worker process, so that a worker's death is the server's (no supervisor restarts it)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("log") / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                "timeout",
                "180",
                sys.executable,
                "-m",
                "sagsgang.cli.main",
                "serve",
                "--uden-prefect",
                "--port",
                str(port),
                "--workers",
                "1",
                "--tjek",
                "0.2",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(answers(url + "/kalender/"), process, log_path, "sagsgang serve")
        yield url, process, log_path
    finally:
        stop(process)


@pytest.fixture(scope="module")
def server(served) -> str:
    return served[0]


def sagsgang(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_a_feed_is_served_as_utf8_icalendar_with_validators(server):
    response = httpx.get(server + COUNCIL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])
    modified = parsedate_to_datetime(response.headers["last-modified"])
    assert modified.tzinfo is not None
    council = events(response.content)
    assert len(council) == 33 and "Byrådet – møde" in {str(e["SUMMARY"]) for e in council.values()}
    # Every event's DTSTAMP is at or before the feed's Last-Modified (to the second).
    assert max(e.decoded("DTSTAMP") for e in council.values()).replace(microsecond=0) <= modified

    head = httpx.head(server + COUNCIL)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == response.headers["etag"]
    assert int(head.headers["content-length"]) == len(response.content)


def test_a_repeated_conditional_request_gets_304_without_a_body(server):
    first = httpx.get(server + COUNCIL)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for _ in range(3):  # a calendar program polling: every answer after the first is 304
        again = httpx.get(server + COUNCIL, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
    by_date = httpx.get(server + COUNCIL, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    weak = httpx.get(server + COUNCIL, headers={"If-None-Match": f'"older", W/{etag}'})
    assert weak.status_code == 304
    stale = httpx.get(server + COUNCIL, headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_a_moved_meeting_reaches_subscribers_at_their_next_poll(server, world):
    first = httpx.get(server + COUNCIL)
    before = events(first.content)
    ((uid, meeting),) = [
        (uid, e)
        for uid, e in before.items()
        if str(e["SUMMARY"]) == "Byrådet – møde" and e.decoded("DTSTART").date() == dt.date(2027, 10, 25)
    ]
    engine = world.engine()
    with db.session_scope(engine) as session:  # the secretariat moves the meeting, in another process
        move_meeting(session, "slagelse", "byraadet/2027-10-25", dt.date(2027, 10, 26))
    engine.dispose()
    deadline = time.monotonic() + 10
    while True:
        poll = httpx.get(server + COUNCIL, headers={"If-None-Match": first.headers["etag"]})
        if poll.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert poll.status_code == 200 and poll.headers["etag"] != first.headers["etag"]
    assert parsedate_to_datetime(poll.headers["last-modified"]) > parsedate_to_datetime(first.headers["last-modified"])
    moved = events(poll.content)[uid]
    assert moved.decoded("DTSTART").date() == dt.date(2027, 10, 26)
    assert int(moved["SEQUENCE"]) == int(meeting["SEQUENCE"]) + 1


def test_a_personal_feed_works_until_it_is_revoked(server, env, world):
    created = sagsgang(env, "abonnement", "opret", CLOSED_OWNER, "--base-url", server)
    assert created.returncode == 0, created.stderr
    links = re.findall(r"(https?|webcal)://\S+", created.stdout)
    url = re.search(r"http://\S+\.ics", created.stdout).group(0)
    assert f"webcal://{url.split('://', 1)[1]}" in created.stdout and len(links) == 2
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    assert token.encode() not in Path(world.path).read_bytes()  # only its hash is stored

    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    mine = events(response.content)
    # The owner sees her closed item in full: five stages, each with deadline and meeting.
    assert len(mine) == 10 and all(CLOSED_TITLE in str(e["SUMMARY"]) for e in mine.values())
    again = httpx.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304

    listed = sagsgang(env, "abonnement", "vis")
    assert CLOSED_OWNER in listed.stdout and token not in listed.stdout
    revoked = sagsgang(env, "abonnement", "tilbagekald", CLOSED_OWNER)
    assert revoked.returncode == 0 and "Tilbagekaldt" in revoked.stdout
    gone = httpx.get(url)
    assert gone.status_code == 404 and CLOSED_TITLE not in gone.text
    assert "findes ikke" in gone.text
    twice = sagsgang(env, "abonnement", "tilbagekald", CLOSED_OWNER)
    assert twice.returncode == 2 and "intet aktivt abonnement" in twice.stderr


def test_unknown_tokens_and_paths_outside_the_feeds_get_404(server):
    # A personal feed's number (shown by `abonnement vis`) is not its address.
    for path in (
        "/kalender/personlig/" + "A" * 43 + ".ics",
        "/kalender/personlig/kort.ics",
        "/kalender/personlig/1.ics",
        "/kalender/token:1",
        "/kalender/personlig/token:1.ics",
        "/kalender/slagelse/organ/ukendt.ics",
        "/kalender/albertslund/sekretariat.ics",
        f"/kalender/slagelse/sag/{CLOSED_JOURNAL}.ics",
        "/kalender/../models/db.py",
        "/kalender/slagelse/organ/byraadet.ics/..%2f..%2fetc%2fpasswd",
        "/docs",
        "/openapi.json",
        "/etc/passwd",
    ):
        response = httpx.get(server + path)
        assert response.status_code == 404, path
        assert "findes ikke" in response.text, path


def test_the_index_page_offers_webcal_links_in_danish_and_hides_closed_items(server):
    response = httpx.get(server + "/kalender/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="da">' in page and "Abonnér" in page
    assert f'href="webcal://{server.split("://")[1]}{COUNCIL}"' in page
    assert "Byrådet – møder og frister" in page
    assert CLOSED_TITLE not in page and CLOSED_JOURNAL not in page


def test_serve_logs_every_request_it_answers(served, env):
    server, _, _ = served
    log = Path(env[configured.HOME_VARIABLE]) / "logs" / "tjeneste.log"  # for IT, not the terminal
    missing = "/kalender/slagelse/organ/logges.ics"
    assert httpx.get(server + missing).status_code == 404
    etag = httpx.get(server + COUNCIL).headers["etag"]
    assert httpx.get(server + COUNCIL, headers={"If-None-Match": etag}).status_code == 304
    lines = log.read_text().splitlines()
    assert any(f'"GET {missing} HTTP/1.1" 404' in line for line in lines)
    assert any(f'"GET {COUNCIL} HTTP/1.1" 304' in line for line in lines)  # a poll the cache answered


def test_clients_hanging_up_mid_answer_do_not_stop_the_server(served):
    # Pipelined requests, then close without reading: the server writes to a reset socket (EPIPE).
    # sagsgang.cli.main restores SIGPIPE's default for pipes into `head`; serve must ignore it again.
    # (Checked: without serve's SIG_IGN the worker dies here, and a round fails with a reset.)
    server, process, _ = served
    host, port = server.removeprefix("http://").split(":")
    for _ in range(20):
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect((host, int(port)))  # also: the one worker outlived the round before
            client.sendall(f"GET {COUNCIL} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() * 200)
            # Our half closed first: the server's socket waits in CLOSE_WAIT, where the kernel
            # answers a write after the reset with EPIPE (and SIGPIPE), not ECONNRESET.
            client.shutdown(socket.SHUT_WR)
            assert client.recv(1) == b"H"  # the server is answering: 200 feeds, some 6 MB, to come
            unread = array.array("i", [0])
            fcntl.ioctl(client, termios.FIONREAD, unread)
            # Closed with answers unread, the socket sends a reset: the server's next write fails.
            assert unread[0] > 0
    # The one worker has run past every reset (it answers this after them) and is still that process.
    assert httpx.get(server + COUNCIL).status_code == 200
    assert process.poll() is None


def test_several_worker_processes_serve_feeds_and_each_notices_changes(world, tmp_path):
    """`sagsgang serve --workers 2`: uvicorn's worker processes each build the app from the
    environment (sagsgang.web.app_from_env), keep their own feed cache and notice a change by
    themselves; the server stops with its workers."""
    copy = world.copy(tmp_path / "workers.db")
    env = {
        **os.environ,
        configured.URL_VARIABLE: copy.url,
        "SAGSGANG_TODAY": feeds_world.TODAY,
        "SAGSGANG_HOME": str(tmp_path / "home"),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                "timeout",
                "120",
                sys.executable,
                "-m",
                "sagsgang.cli.main",
                "serve",
                "--uden-prefect",
                "--port",
                str(port),
                "--workers",
                "2",
                "--tjek",
                "0.2",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
    try:
        wait_for(answers(url + COUNCIL), process, log_path, "sagsgang serve --workers 2", seconds=60)
        assert "2 processer" in log_path.read_text()
        first = httpx.get(url + COUNCIL)
        assert first.status_code == 200 and first.headers["content-type"] == "text/calendar; charset=utf-8"
        etag = first.headers["etag"]
        # A fresh connection each time: the kernel hands them to either worker; all agree.
        for _ in range(20):
            again = httpx.get(url + COUNCIL, headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert httpx.get(url + "/kalender/personlig/" + "A" * 43 + ".ics").status_code == 404

        (day,) = sorted(
            e.decoded("DTSTART").date()
            for e in events(first.content).values()
            if str(e["SUMMARY"]) == "Byrådet – møde" and e.decoded("DTSTART").month == 6
        )[:1]
        engine = copy.engine()
        with db.session_scope(engine) as session:  # in another process, as the secretariat would
            move_meeting(session, "slagelse", f"byraadet/{day.isoformat()}", day + dt.timedelta(days=1))
        engine.dispose()
        # Every worker notices within its --tjek (0.2 s); wait for that, up to a generous deadline.
        deadline = time.monotonic() + 30
        while True:
            polls = [httpx.get(url + COUNCIL, headers={"If-None-Match": etag}) for _ in range(20)]
            if {poll.status_code for poll in polls} == {200} or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert {poll.status_code for poll in polls} == {200}, log_path.read_text()
        assert len({poll.headers["etag"] for poll in polls}) == 1 and polls[0].headers["etag"] != etag
        assert day + dt.timedelta(days=1) in {
            e.decoded("DTSTART").date()
            for e in events(polls[0].content).values()
            if str(e["SUMMARY"]) == "Byrådet – møde"
        }
    finally:
        stop(process, seconds=20)
    with pytest.raises(httpx.TransportError):  # the workers are gone with it
        httpx.get(url + COUNCIL, timeout=2)


def test_an_action_is_not_kept_waiting_while_the_web_app_builds_feeds(world, tmp_path, monkeypatch):
    """The web app builds the index page's feeds (every public feed) while another process writes:
    that writer gets SQLite's write lock at once, and the stamps the web app stored are the ones a
    second web process builds on."""
    from calendars.clock import FixedClock
    from sagsgang.publishing import feeds
    from sagsgang.web.routes import feed_http

    copy = world.copy(tmp_path / "sagsgang.db")
    context = feeds.FeedContext(base_url="https://sagsgang.slagelse.dk", clock=FixedClock.on(dt.date(2027, 1, 4)))
    attempts: list[str] = []
    building = feed_http.render_feed

    def build_while_an_action_writes(session, spec, context, *args, **options):
        attempts.append(feeds_world.write_at_once(copy.path))
        return building(session, spec, context, *args, **options)

    monkeypatch.setattr(feed_http, "render_feed", build_while_an_action_writes)
    engine = copy.engine()
    page = feed_http.FeedCache(engine, context).index()
    monkeypatch.undo()
    assert len(attempts) == 60 and set(attempts) == {"skrev"}  # each public feed built once
    assert "Byrådet" in page and "webcal://" in page
    first = feed_http.FeedCache(engine, context).public("slagelse", "organ", "byraadet")
    later = feeds.FeedContext(base_url=context.base_url, clock=FixedClock.on(dt.date(2027, 2, 1)))
    again = feed_http.FeedCache(engine, later).public("slagelse", "organ", "byraadet")
    engine.dispose()
    assert first is not None and again is not None
    assert again.last_modified == first.last_modified  # stored stamps: nothing changed, a month on
