"""`sagsgang serve`'s HTTP protocol: uvicorn's httptools protocol, answering polls of cached
public feeds on the socket itself.

A calendar program polls its feed every few minutes, and most answers are the same bytes (or a
304) as the last time. Through ASGI each of them would cost a task, a scope, a receive/send pair
and uvicorn's per-header checks; here a GET or HEAD whose feed is current in the worker's cache
(sagsgang.web.routes.feed_http.FeedCache.cached_response) is answered as soon as its headers are parsed,
with header lines prepared when the feed was built. That brings a poll to within the issue's
target of nginx serving the same file (bench/feeds.py). Everything else — a feed not yet cached
or changed in the database, personal feeds, pages, the API, a request pipelined behind one of
those or sent while the client is not reading its answers, `Expect: 100-continue`, an upgrade —
goes to the application as uvicorn would send it.

This leans on uvicorn's HttpToolsProtocol (its parser callbacks and on_response_complete), so
pyproject.toml pins uvicorn to the minor version it was written against; tests/test_feed_protocol.py
checks the behaviour a client sees (pipelining order, HTTP/1.0, HEAD, Date) on a real server.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from sagsgang.web.routes.feed_http import FastPath, Ready

PREFIX = b"/kalender/"
CLOSE = b"connection: close\r\n"


class FeedProtocol(HttpToolsProtocol):
    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        fast_path = _find(self.app, FastPath)
        # Uvicorn's own request log and concurrency limit see only what goes through the app;
        # with either switched on (serve has both off), every request goes that way.
        self.feeds = (
            fast_path.cache if fast_path and config.access_log is False and self.limit_concurrency is None else None
        )
        self.answer: tuple[Ready, bool, bool] | None = None  # the request being answered here

    def on_message_begin(self) -> None:
        self.answer = None
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        ready = self._cached() if self.feeds is not None else None
        if ready is None:
            super().on_headers_complete()
            return
        parser = self.parser
        keep_alive = parser.get_http_version() != "1.0" and parser.should_keep_alive()
        self.answer = (ready, parser.get_method() == b"HEAD", keep_alive)

    def _cached(self) -> Ready | None:
        """The prepared answers if this request may be answered here, else None."""
        if self.pipeline or (self.cycle is not None and not self.cycle.response_complete):
            return None  # an answer from the app is still to come: ours must wait behind it
        if self.flow.write_paused:
            # The client is not reading what it asked for (say, thousands of pipelined requests):
            # the app's path waits for the socket to drain instead of buffering answers unbounded.
            return None
        if (
            self.expect_100_continue
            or self.parser.get_method() not in (b"GET", b"HEAD")
            or self.parser.should_upgrade()
        ):
            return None
        path = httptools.parse_url(self.url).path
        if not path.startswith(PREFIX) or b"%" in path:
            return None
        return self.feeds.cached_response(path[len(PREFIX) :].decode("ascii"))

    def on_body(self, body: bytes) -> None:
        if self.answer is None:
            super().on_body(body)  # a GET's body, if any, is not read by a feed

    def on_message_complete(self) -> None:
        if self.answer is None:
            super().on_message_complete()
            return
        (ready, head, keep_alive), self.answer = self.answer, None
        unchanged = ready.unchanged_for(self.headers)
        parts = [STATUS_LINE[304 if unchanged else 200]]
        for name, value in self.server_state.default_headers:  # Date (and any --header), as uvicorn
            parts += (name, b": ", value, b"\r\n")
        parts.append(ready.lines_304 if unchanged else ready.lines_200)
        if not keep_alive:
            parts.append(CLOSE)
        parts.append(b"\r\n")
        if unchanged or head:
            self.transport.write(b"".join(parts))
        else:  # uvloop sends both in one writev: the feed's bytes are not copied
            self.transport.writelines((b"".join(parts), ready.rendered.body))
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()  # counts the request, resumes reading, arms the keep-alive timeout


def _find(app, kind: type):
    """`app` or the middleware it wraps (their `.app`), whichever is a `kind`."""
    for _ in range(10):
        if isinstance(app, kind):
            return app
        app = getattr(app, "app", None)
    return None
