"""Sagsgang on the web: `create_app()` builds the FastAPI application that `sagsgang serve` runs.

Each part of the site is a router module of its own (feeds.py: the calendar feeds); path
functions stay thin and call the same functions as the CLI. Everything a visitor sees is Danish,
error pages included.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp

from sagsgang.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from calendars.clock import Clock
    from sagsgang.orchestration import Orchestrator
    from sagsgang.publishing.feeds import FeedContext
    from sagsgang.web.security import SecuritySettings

_MESSAGES = {
    404: "Siden findes ikke. Tjek adressen, eller gå tilbage og prøv igen.",
    405: "Den handling er ikke tilladt her.",
    400: "Forespørgslen kunne ikke læses.",
    403: "Det har du ikke adgang til.",
    409: "Det kan ikke lade sig gøre lige nu.",
}


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    context: FeedContext | None = None,
    check_every: float = 1.0,
    clock: Clock | None = None,
    orchestrator: Orchestrator | None = None,
    security: SecuritySettings | None = None,
    login_clock: Clock | None = None,
) -> FastAPI:
    """The application, for `settings` (default: read from the environment now, the app factory
    being an entry point). `engine` (default: the settings' database) and `context`
    (sagsgang.publishing.feeds.FeedContext: profiles, base URL, clock; default: the settings')
    are for tests and `sagsgang serve`; changes in the database show in the feeds within
    `check_every` seconds.

    The secretariat's pages and the JSON API (/api/, behind login) use `clock` (default: the
    context's), `orchestrator` (sagsgang.orchestration: how the case lifecycle runs; default the
    one the settings' `orchestration` chooses) and `security`
    (sagsgang.web.security.SecuritySettings: secret key, single sign-on header, cookie flags;
    default: the settings'). Failed logins are counted in the database on `login_clock` (default:
    the real clock, never the pinned "today"; tests move their own).

    `sagsgang serve` runs it behind `serving(app)`, which answers polls of cached feeds first.
    """
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, RedirectResponse
    from fastapi.staticfiles import StaticFiles

    from models import fields
    from sagsgang import orchestration
    from sagsgang.publishing.feeds import FeedContext
    from sagsgang.web import deps
    from sagsgang.web import security as web_security
    from sagsgang.web.login_throttle import LoginThrottle
    from sagsgang.web.routes import (
        api_account,
        api_case_edit,
        api_cases,
        api_meetings,
        api_subscriptions,
        case_page,
        downloads,
        favicon,
        feed_http,
        help,
        login,
        meeting_month,
        oparl,
        pages,
        plan_import,
        users,
    )
    from sagsgang.web.service import READING, Web

    settings = settings or Settings()
    engine = engine or settings.engine()
    context = context or FeedContext.from_settings(settings)
    clock = clock or context.clock
    app = FastAPI(
        title="Sagsgang",
        description="Sagsgangs JSON-API: sager, tidsplaner, beslutninger, møder og "
        "kalenderabonnementer. Log ind med POST /api/login; skrivende kald sender X-CSRF-Token.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.feeds = feed_http.FeedCache(engine, context, check_every)
    app.state.web = Web(
        settings=settings,
        engine=engine,
        clock=clock,
        orchestrator=orchestrator or orchestration.orchestrator(settings),
        feed_context=context,
        security=security or web_security.SecuritySettings.from_settings(settings),
        throttle=LoginThrottle(engine, login_clock),
    )
    app.include_router(feed_http.router)
    app.include_router(login.router)
    for api in (api_account, api_cases, api_case_edit, api_meetings, api_subscriptions):
        app.include_router(api.router)
    app.include_router(oparl.router)
    app.include_router(downloads.router)
    app.include_router(plan_import.router)
    app.include_router(case_page.router)
    app.include_router(meeting_month.router)
    app.include_router(users.router)
    app.include_router(favicon.router)
    app.include_router(help.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/api/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        deps.api_viewer(request)
        return JSONResponse(app.openapi())

    @app.middleware("http")
    async def safe_methods_only_read(request: Request, call_next):
        READING.set(request.method in ("GET", "HEAD"))
        return await call_next(request)

    @app.middleware("http")
    async def csrf_cookie_and_headers(request: Request, call_next):
        if request.url.path.startswith(("/kalender/", "/offentlig/", oparl.PREFIX)):  # public data: no cookies
            return await call_next(request)
        new = None
        if not request.cookies.get(web_security.CSRF_COOKIE):
            new = request.state.csrf_nonce = web_security.new_csrf_nonce()
        response = await call_next(request)
        # POST /api/login sets a CSRF nonce of its own (the token it answers is made from it): keep that.
        if new and not any(
            value.startswith(f"{web_security.CSRF_COOKIE}=") for value in response.headers.getlist("set-cookie")
        ):
            login.set_csrf_cookie(request, response, new)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        )
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(deps.LoginRequired)
    async def to_login(request: Request, _error: deps.LoginRequired):
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?naeste={quote(deps.next_path(wanted), safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, error: RequestValidationError):
        if request.url.path.startswith("/api/"):
            problems = {".".join(str(p) for p in e.get("loc", ())[1:]) or "": fields.danish(e) for e in error.errors()}
            return JSONResponse({"detail": "Ret fejlene i felterne.", "fejl": problems}, status_code=422)
        return _page(request, 404)

    @app.exception_handler(StarletteHTTPException)
    async def danish_errors(request: Request, error: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            detail = (
                error.detail
                if isinstance(error.detail, str) and error.status_code in (401, 403, 404)
                else _MESSAGES.get(error.status_code, "Der skete en fejl.")
            )
            return JSONResponse(
                {"detail": detail}, status_code=error.status_code, headers=getattr(error, "headers", None)
            )
        return _page(
            request,
            error.status_code,
            error.detail if error.status_code in (400, 403) else None,
            getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        # The traceback goes to the log file for IT; the visitor gets a Danish page, never a traceback.
        from sagsgang.faults import fault_message, log_traceback

        log_traceback(error, settings)
        fault = fault_message(error, settings)
        status = 503 if fault else 500
        if request.url.path.startswith("/api/"):
            detail = fault or "Der skete en uventet fejl. Prøv igen, eller kontakt it-afdelingen."
            return JSONResponse({"detail": detail}, status_code=status)
        return _page(request, status, fault)

    return app


_HEADINGS = {
    400: "Fejl i forespørgslen",
    401: "Log ind",
    403: "Ikke tilladt",
    404: "Siden findes ikke",
    405: "Ikke tilladt",
    409: "Ikke muligt",
    500: "Der skete en fejl",
    503: "Prøv igen om lidt",
}


def _page(request: Request, status: int, detail: str | None = None, headers=None) -> HTMLResponse:
    from sagsgang import rendering

    message = (
        detail
        if isinstance(detail, str) and detail and detail not in ("Forbidden", "Bad Request")
        else _MESSAGES.get(status, "Der skete en fejl.")
    )
    back = "/sager"
    if status == 503 and detail:
        message = detail
    elif status == 404 and request.url.path.startswith("/moeder/"):
        message = "Mødet findes ikke på den dato. Det kan være flyttet eller aflyst: se organets møder under Møder."
        back = "/moeder"
    elif status == 404 and request.url.path.startswith("/kalender/"):
        message = "Kalenderen findes ikke. En personlig kalender, der er tilbagekaldt, virker ikke længere."
    elif status == 500:
        message = "Der skete en uventet fejl. Intet er gemt af det, du sendte. Prøv igen, eller kontakt it-afdelingen."
    page = rendering.render(
        "web/error.j2",
        heading=_HEADINGS.get(status, str(status)),
        message=message,
        back=back,
        viewer=None,
        notices=[],
        warnings=[],
        active="",
        csrf_token="",
    )
    return HTMLResponse(page, status_code=status, headers=headers)


def default_workers() -> int:
    """`sagsgang serve`'s worker processes: one per CPU this process may run on, like nginx's
    `worker_processes auto`."""
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def app_from_settings() -> ASGIApp:
    """The ASGI application of `sagsgang serve` (uvicorn's factory: called once in every worker
    process), built from the settings the serve process handed over (sagsgang.web.worker_settings).
    Each worker keeps its own feed cache and notices database changes by itself within --tjek
    seconds."""
    from sagsgang import logs
    from sagsgang.inputs import read_profile
    from sagsgang.publishing.feeds import FeedContext, Profiles
    from sagsgang.web.worker_settings import from_serve_process

    serve = from_serve_process()
    logs.to_file(serve.settings, "tjeneste")  # uvicorn's lines in this worker too (sagsgang.cli.service_commands)
    profiles = Profiles(read_profile(name) for name in serve.profiles)
    context = FeedContext.from_settings(serve.settings, profiles)
    app = create_app(serve.settings, context=context, check_every=serve.check_every)
    return serving(app, proxy_headers=True)


def serving(app: FastAPI, proxy_headers: bool = False):
    """The ASGI application `sagsgang serve` runs: `app` with web.feeds.FastPath in front of all
    of it (outside FastAPI's own middleware), where a calendar poll costs least.

    With `proxy_headers`, requests that pass FastPath get uvicorn's X-Forwarded-For/-Proto handling
    (trusted: FORWARDED_ALLOW_IPS, default 127.0.0.1 and ::1, as uvicorn's own), which feeds don't need;
    uvicorn's own is then turned off (proxy_headers=False), so it costs a feed poll nothing."""

    from sagsgang.web.routes.feed_http import FastPath

    inner: ASGIApp = app
    if proxy_headers:
        import os

        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")  # uvicorn's own setting, as uvicorn reads it
        # FastAPI is an ASGI 3 application; uvicorn types its argument with its own ASGI protocol.
        inner = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type,assignment]
    return FastPath(inner, app.state.feeds)
