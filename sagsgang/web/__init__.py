"""Sagsgang on the web: `create_app()` builds the FastAPI application that `sagsgang serve` runs.

Each part of the site is a router module of its own (feeds.py: the calendar feeds); path
functions stay thin and call the same functions as the CLI. Everything a visitor sees is Danish,
error pages included.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

_MESSAGES = {
    404: "Siden findes ikke. Tjek adressen – en personlig kalender, der er tilbagekaldt, findes ikke længere.",
    405: "Den handling er ikke tilladt her.",
}


def create_app(engine=None, context=None, check_every: float = 1.0) -> FastAPI:
    """The application. `engine` (default: the configured database) and `context`
    (sagsgang.feeds.FeedContext: profiles, base URL, clock) are for tests and `sagsgang serve`;
    changes in the database show in the feeds within `check_every` seconds.

    `sagsgang serve` runs it behind `serving(app)`, which answers polls of cached feeds first.
    """
    from sagsgang.feeds import FeedContext
    from sagsgang.web import feeds

    app = FastAPI(title="Sagsgang", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.feeds = feeds.FeedCache(engine, context or FeedContext(), check_every)
    app.include_router(feeds.router)

    @app.exception_handler(StarletteHTTPException)
    async def danish_errors(request: Request, error: StarletteHTTPException) -> HTMLResponse:
        message = _MESSAGES.get(error.status_code, "Der skete en fejl.")
        page = (f'<!doctype html><html lang="da"><meta charset="utf-8"><title>{error.status_code}</title>'
                f"<p>{message}</p></html>")
        return HTMLResponse(page, status_code=error.status_code, headers=getattr(error, "headers", None))

    return app


def serving(app: FastAPI):
    """The ASGI application `sagsgang serve` runs: `app` with web.feeds.FastPath in front of all
    of it (outside FastAPI's own middleware), where a calendar poll costs least."""
    from sagsgang.web.feeds import FastPath

    return FastPath(app, app.state.feeds)
