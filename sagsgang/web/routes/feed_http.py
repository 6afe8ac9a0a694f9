"""The calendar feeds over HTTP: /kalender/ (an index page) and the .ics feeds below it.

Feeds are built by sagsgang.publishing.feed_render and kept in memory until the database changes (checked at
most every `check_every` seconds with one cheap query), so a calendar client's poll costs a
dictionary lookup. Responses carry ETag and Last-Modified; a matching conditional request gets
304. A personal feed's token is checked on every request, so a revoked token stops at once.
"""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from calendars.ical import MEDIA_TYPE
from calendars.milestones import Audience
from models.db import session_scope
from sagsgang.accounts import subscriptions
from sagsgang.publishing import feed_files, feeds
from sagsgang.publishing.feed_ledger import Ledger
from sagsgang.publishing.feed_render import CaseFeeds, Rendered, render_feed
from sagsgang.publishing.feeds import FeedContext, FeedSpec

router = APIRouter()


class FeedCache:
    """Rendered feeds by path, valid while the database's data version stays the same.

    Public feeds also keep their response headers ready, for FastPath.
    """

    def __init__(self, engine, context: FeedContext, check_every: float = 1.0) -> None:
        self.engine, self.context, self.check_every = engine, context, check_every
        self._entries: dict[str, tuple[tuple | None, Rendered]] = {}
        self._headers: dict[str, Ready] = {}  # path -> the feed's responses, for FastPath
        self._version: tuple | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def cached(self, path: str) -> Rendered | None:
        """The feed at `path` if it is known to be current; never touches the database."""
        if time.monotonic() - self._checked > self.check_every:
            return None
        entry = self._entries.get(path)
        return entry[1] if entry and entry[0] == self._version else None

    def cached_response(self, path: str) -> Ready | None:
        """A current public feed with its ASGI messages ready to send (200 and 304), or None."""
        rendered = self.cached(path)
        if rendered is None or rendered.spec.kind == "personlig":  # those only through their token
            return None
        ready = self._headers.get(path)
        if ready is None or ready.rendered is not rendered:
            ready = self._headers[path] = Ready(rendered)
        return ready

    def public(self, municipality: str, kind: str, key: str = "") -> Rendered | None:
        def find(session):
            return feeds.find_public_feed(session, self.context, municipality, kind, key), None

        return self._load(find)

    def personal(self, token: str) -> Rendered | None:
        def find(session):
            subscription = subscriptions.find_subscription(session, token)
            return (FeedSpec("personlig", key=str(subscription.id)) if subscription else None), subscription

        return self._load(find)

    def index(self) -> str:
        def every(session, ledger):
            # Every public feed at once: the ledger's public rows and the case feeds' events are read
            # with one query each (as the static publisher reads them), not one per feed.
            ledger.load_all(Audience.PUBLIC)
            cases = CaseFeeds(session, self.context)
            listed = [
                self._render(session, ledger, spec, cases=cases) for spec in feeds.public_feeds(session, self.context)
            ]
            names = {m: self.context.profiles.known(m).name for m in feeds.municipalities(session, self.context)}
            return listed, names

        listed, names = self._reading(every)
        return feed_files.index_page(listed, self.context.base_url, names)

    def _load(self, find) -> Rendered | None:
        def found(session, ledger):
            spec, subscription = find(session)
            return None if spec is None else self._render(session, ledger, spec, subscription)

        return self._reading(found)

    def _reading(self, read):
        """`read(session, ledger)` in a transaction that only reads (on SQLite: no write lock while
        feeds are built; each feed's stamps are written on their own, `_render`), with one ledger
        for the feeds it builds (it knows the stamps it wrote, which the transaction does not see),
        once more if another process stamped the same events first."""
        for attempt in range(2):
            try:
                with self._lock, session_scope(self.engine, read_only=True) as session:
                    self._check(session)
                    return read(session, Ledger(session, self.context.clock))
            except sa.exc.IntegrityError:  # another process stamped the same events first
                if attempt:
                    raise
        return None

    def _check(self, session) -> None:
        if time.monotonic() - self._checked > self.check_every:
            self._version = feeds.data_version(session)
            self._checked = time.monotonic()

    def _render(
        self, session, ledger: Ledger, spec: FeedSpec, subscription=None, cases: CaseFeeds | None = None
    ) -> Rendered:
        # A personal feed is kept under a key no URL path can name: only its token reaches it.
        key = f"token:{spec.key}" if spec.kind == "personlig" else spec.path
        entry = self._entries.get(key)
        if entry and entry[0] == self._version:
            return entry[1]
        rendered = render_feed(session, spec, self.context, subscription, ledger=ledger, cases=cases)
        ledger.save_apart(self.engine)
        self._entries[key] = (self._version, rendered)
        return rendered


class Ready:
    """A public feed's answers, prepared once as the ASGI messages FastPath sends."""

    __slots__ = ("rendered", "etag", "full", "body", "not_modified", "empty")

    def __init__(self, rendered: Rendered) -> None:
        validators = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in _validators(rendered, personal=False).items()
        ]
        full = [
            *validators,
            (b"content-type", MEDIA_TYPE.encode()),
            (b"content-disposition", _disposition(rendered, personal=False).encode("latin-1")),
            (b"content-length", str(len(rendered.body)).encode()),
        ]
        self.rendered, self.etag = rendered, rendered.etag.encode("latin-1")
        self.full = {"type": "http.response.start", "status": 200, "headers": full}
        self.body = {"type": "http.response.body", "body": rendered.body}
        self.not_modified = {"type": "http.response.start", "status": 304, "headers": validators}
        self.empty = {"type": "http.response.body", "body": b""}

    def unchanged_for(self, headers) -> bool:
        """Whether a request with these (lower-case name, value) byte pairs gets 304."""
        tags = since = None
        for name, value in headers:
            if name == b"if-none-match":
                tags = value
            elif name == b"if-modified-since":
                since = value
        if tags == self.etag:  # what a calendar program sends back: no parsing needed
            return True
        return (tags is not None or since is not None) and not_modified(
            tags and tags.decode("latin-1"), since and since.decode("latin-1"), self.rendered
        )


def _cache(request: Request) -> FeedCache:
    return request.app.state.feeds


def _not_modified(request: Request, rendered: Rendered) -> bool:
    return not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), rendered)


def not_modified(tags: str | None, since: str | None, rendered: Rendered) -> bool:
    """RFC 9110 § 13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if tags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in wanted or rendered.etag in wanted
    if since is not None:
        try:
            return int(rendered.last_modified.timestamp()) <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError):
            return False
    return False


def _validators(rendered: Rendered, personal: bool) -> dict[str, str]:
    return {
        "ETag": rendered.etag,
        "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        # Revalidate every time: a 304 is cheap, and a moved meeting should show at the next poll.
        "Cache-Control": "private, no-cache" if personal else "public, no-cache",
    }


def _disposition(rendered: Rendered, personal: bool) -> str:
    name = "min-kalender.ics" if personal else rendered.spec.path.rsplit("/", 1)[-1]
    return f"inline; filename*=UTF-8''{quote(name)}"


def _respond(request: Request, rendered: Rendered | None, personal: bool = False) -> Response:
    if rendered is None:
        raise HTTPException(status_code=404)
    headers = _validators(rendered, personal)
    if _not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = _disposition(rendered, personal)
    return Response(rendered.body, media_type=MEDIA_TYPE, headers=headers)


class FastPath:
    """ASGI middleware: answers GET/HEAD of a public feed that is current in the cache straight
    from prepared bytes, before routing. Everything else (misses, personal feeds, pages) goes on
    to the application, which gives the same answer more slowly. Calendar clients poll often,
    and a poll should cost little more than a static file server's answer (bench/feeds.py)."""

    def __init__(self, app, cache: FeedCache) -> None:
        self.app, self.cache = app, cache

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith("/kalender/") and scope["method"] in ("GET", "HEAD"):
                ready = self.cache.cached_response(path[10:])
                if ready is not None:
                    if ready.unchanged_for(scope["headers"]):
                        await send(ready.not_modified)
                        await send(ready.empty)
                    else:
                        await send(ready.full)
                        await send(ready.body)
                    return
        await self.app(scope, receive, send)


async def _public(request: Request, municipality: str, kind: str, key: str = "") -> Response:
    cache = _cache(request)
    rendered = cache.cached(FeedSpec(kind, municipality, key).path)
    if rendered is None:
        rendered = await run_in_threadpool(cache.public, municipality, kind, key)
    return _respond(request, rendered)


@router.api_route("/kalender/personlig/{token}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def personal_feed(request: Request, token: str) -> Response:
    rendered = await run_in_threadpool(_cache(request).personal, token)
    return _respond(request, rendered, personal=True)


@router.api_route("/kalender/{municipality}/organ/{body}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def body_feed(request: Request, municipality: str, body: str) -> Response:
    return await _public(request, municipality, "organ", body)


@router.api_route("/kalender/{municipality}/sag/{journal_number}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def case_feed(request: Request, municipality: str, journal_number: str) -> Response:
    return await _public(request, municipality, "sag", journal_number)


@router.api_route("/kalender/{municipality}/sekretariat.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def overview_feed(request: Request, municipality: str) -> Response:
    return await _public(request, municipality, "sekretariat")


@router.get("/kalender/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    return HTMLResponse(await run_in_threadpool(_cache(request).index))
