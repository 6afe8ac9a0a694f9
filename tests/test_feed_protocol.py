"""sagsgang.web.feed_protocol: polls of cached feeds answered by the HTTP protocol itself.

A real uvicorn server (httptools, uvloop) on 127.0.0.1 runs `sagsgang serve`'s application with a
long change check, so that after the first request every poll is current in the cache. A counter
in front of the ASGI application shows which requests reached it at all; raw
sockets show what a client gets: the same answer either way, in order, with Date, and the
connection handling HTTP/1.0 and HTTP/1.1 clients expect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest
import uvicorn

from calendars.clock import FixedClock
from sagsgang.publishing.feeds import FeedContext
from sagsgang.web.app import create_app, serving
from sagsgang.web.feed_protocol import FeedProtocol
from tests import feeds_world
from tests.servers import free_port

COUNCIL = "/kalender/slagelse/organ/byraadet.ics"
SERVERS: list[uvicorn.Server] = []  # the running one, for a look at its connections' write buffers


class Counting:
    """ASGI middleware counting the requests that reach the application, by path."""

    def __init__(self, app) -> None:
        self.app, self.paths = app, []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    world = feeds_world.build(tmp_path_factory.mktemp("protocol") / "sagsgang.db")
    app = create_app(
        engine=world.engine(),
        check_every=600.0,
        context=FeedContext(base_url="http://127.0.0.1", clock=FixedClock.on(dt.date.fromisoformat(feeds_world.TODAY))),
    )
    counting = Counting(serving(app))  # what reaches the application, the ASGI fast path included
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            counting,
            host="127.0.0.1",
            port=port,
            http=FeedProtocol,
            loop="uvloop",
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    SERVERS.append(server)
    yield f"http://127.0.0.1:{port}", port, counting
    server.should_exit = True
    thread.join(timeout=10)


def exchange(port: int, raw: bytes, until_closed: bool = False, responses: int = 1) -> bytes:
    """Send `raw` on one connection; read until the server closes it or `responses` answers came."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(raw)
        data = b""
        while True:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
            if not until_closed and len(split(data)) >= responses:
                return data


def split(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The complete answers to GET requests in `data` (bodies by Content-Length; a 304 has none)."""
    answers = []
    while b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            assert name.lower() not in fields, f"header {name} twice"
            fields[name.lower()] = value.strip()
        length = int(fields.get("content-length", 0))
        if len(rest) < length:
            break
        answers.append((int(lines[0].split()[1]), fields, rest[:length]))
        data = rest[length:]
    return answers


def get(path: str, *headers: str, method: str = "GET", version: str = "1.1") -> bytes:
    lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def test_polls_of_a_cached_feed_get_the_applications_answer_without_reaching_it(served):
    url, port, counting = served
    first = httpx.get(url + COUNCIL)  # builds the feed through the application
    assert first.status_code == 200
    reached = len(counting.paths)
    etag = first.headers["etag"]
    for _ in range(20):
        again = httpx.get(url + COUNCIL)
        assert again.status_code == 200 and again.content == first.content
        assert {k: v for k, v in again.headers.items() if k != "date"} == {
            k: v for k, v in first.headers.items() if k != "date"
        }
        poll = httpx.get(url + COUNCIL, headers={"If-None-Match": etag})
        assert poll.status_code == 304 and poll.content == b""
        assert poll.headers["etag"] == etag and poll.headers["last-modified"] == first.headers["last-modified"]
        assert poll.headers["cache-control"] == first.headers["cache-control"]
        assert "content-type" not in poll.headers
        by_date = httpx.get(url + COUNCIL, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert by_date.status_code == 304
        other = httpx.get(url + COUNCIL, headers={"If-None-Match": '"ikke-den"'})
        assert other.status_code == 200 and other.content == first.content
    assert len(counting.paths) == reached  # 80 answers, none of them from the application


def test_every_answer_carries_the_current_date(served):
    url, port, _ = served
    httpx.get(url + COUNCIL)
    for headers in ({}, {"If-None-Match": httpx.get(url + COUNCIL).headers["etag"]}):
        response = httpx.get(url + COUNCIL, headers=headers)
        sent = parsedate_to_datetime(response.headers["date"]).timestamp()
        assert abs(sent - time.time()) < 5  # RFC 9110 § 6.6.1: an origin server with a clock sends Date


def test_head_gets_the_headers_of_get_and_no_body(served):
    url, port, _ = served
    full = httpx.get(url + COUNCIL)
    data = exchange(port, get(COUNCIL, method="HEAD") + get(COUNCIL), responses=2)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and int(
        dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])["content-length"]
    ) == len(full.content)
    # Right after HEAD's blank line comes the next answer, not a body.
    assert rest.startswith(b"HTTP/1.1 200 ") and rest.endswith(full.content)


def test_pipelined_requests_are_answered_in_the_order_they_were_sent(served):
    url, port, counting = served
    etag = httpx.get(url + COUNCIL).headers["etag"]
    before = len(counting.paths)
    requests = [
        get(COUNCIL),
        get("/kalender/"),
        get(COUNCIL, f"If-None-Match: {etag}"),
        get("/kalender/personlig/" + "A" * 43 + ".ics"),
        get(COUNCIL, f"If-None-Match: {etag}"),
        get("/kalender/slagelse/sekretariat.ics"),
        get(COUNCIL),
    ]
    answers = split(exchange(port, b"".join(requests), responses=len(requests)))
    assert [status for status, _, _ in answers] == [200, 200, 304, 404, 304, 200, 200]
    kinds = [fields.get("content-type", "").split(";")[0] for _, fields, _ in answers]
    assert kinds == ["text/calendar", "text/html", "", "text/html", "", "text/calendar", "text/calendar"]
    assert b"Byr\xc3\xa5det" in answers[0][2] and b"webcal://" in answers[1][2] and b"findes ikke" in answers[3][2]
    assert b"sekretariat" in answers[5][2].lower() and answers[6][2] == answers[0][2]
    # The first poll was answered at once; from the index on, everything queued behind an answer the
    # application was still making went there too, in order, instead of overtaking it.
    paths = [request.split(b" ")[1].decode() for request in requests]
    assert counting.paths[before:] == paths[1:]


def test_http_10_and_connection_close_get_their_answer_and_then_the_connection_is_closed(served):
    url, port, _ = served
    full = httpx.get(url + COUNCIL).content
    # HTTP/1.0 closes after each answer (as uvicorn does for the application, keep-alive or not).
    for request in (
        get(COUNCIL, version="1.0"),
        get(COUNCIL, "Connection: keep-alive", version="1.0"),
        get(COUNCIL, "Connection: close"),
        get(COUNCIL, "Connection: close") + get(COUNCIL),
    ):  # nothing after a close is answered
        answers = split(exchange(port, request, until_closed=True))
        assert len(answers) == 1
        status, fields, body = answers[0]
        assert status == 200 and fields["connection"] == "close" and body == full


def test_a_client_that_hangs_up_while_answers_are_written_leaves_the_server_answering(served):
    url, port, _ = served
    httpx.get(url + COUNCIL)
    for _ in range(10):
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect(("127.0.0.1", port))
            client.sendall(get(COUNCIL) * 300)
            client.recv(1)
    assert httpx.get(url + COUNCIL).status_code == 200


def test_many_concurrent_pollers_all_get_complete_answers(served):
    url, port, _ = served
    first = httpx.get(url + COUNCIL)

    async def poller(client: httpx.AsyncClient) -> list[tuple[int, bytes]]:
        return [((r := await client.get(COUNCIL)).status_code, r.content) for _ in range(25)]

    async def run():
        async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=16)) as client:
            return await asyncio.gather(*(poller(client) for _ in range(16)))

    results = [answer for answers in asyncio.run(run()) for answer in answers]
    assert len(results) == 400 and set(results) == {(200, first.content)}


def test_a_client_that_asks_for_thousands_of_answers_without_reading_does_not_fill_the_servers_memory(served):
    url, port, _ = served
    full = httpx.get(url + COUNCIL).content
    requests = 2000  # answered all at once, that would be 2,000 × 30 KB = 60 MB in one write buffer
    status = b"HTTP/1.1 200 OK\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(get(COUNCIL) * requests)
        time.sleep(1.0)  # the server has read all of it; the client has read nothing
        open_ = [c.transport for c in list(SERVERS[-1].server_state.connections) if not c.transport.is_closing()]
        buffered = [transport.get_write_buffer_size() for transport in open_]
        assert buffered and max(buffered) < 2_000_000, buffered
        answers, received, tail = 0, 0, b""
        while answers < requests:  # and every answer still arrives, once the client reads
            chunk = client.recv(1 << 20)
            assert chunk, f"closed after {answers} of {requests} answers"
            received += len(chunk)
            answers += (tail + chunk).count(status)
            tail = chunk[-(len(status) - 1) :]
        assert received > requests * len(full)
