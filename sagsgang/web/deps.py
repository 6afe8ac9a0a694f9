"""Request-level helpers shared by the routers (the FastAPI full-stack template's api/deps.py):
typed dependencies for the app's settings, a database session and the logged-in user, role and
CSRF checks, and rendering pages from templates/web (jinja2, autoescaped).

    async def path(viewer: CurrentUser, w: WebDep) -> ...      # /api/: 401 without a login
    async def page(viewer: PageViewer) -> ...                  # pages: to /login without one
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from models.users import Role, User
from sagsgang import rendering
from sagsgang.settings import Settings
from sagsgang.web import forms, security
from sagsgang.web.service import Viewer, Web


class LoginRequired(Exception):
    """A page was asked for without a login: the handler sends the browser to /login."""


def web(request: Request) -> Web:
    """What the app's operations need (sagsgang.web.service.Web), made once in create_app()."""
    found: Web = request.app.state.web
    return found


def app_settings(request: Request) -> Settings:
    """The settings the app was built from (read once, by its entry point)."""
    return web(request).settings


def db_session(request: Request) -> Iterator[Session]:
    """A database session for the request: one transaction, committed after the path function."""
    with web(request).session() as session:
        yield session


def viewer(request: Request) -> Viewer | None:
    """Who is asking: the trusted proxy header (single sign-on, when enabled), else the session."""
    if hasattr(request.state, "viewer"):  # asked before in this request
        return request.state.viewer
    w = web(request)
    found = None
    with w.session() as session:
        header = w.security.proxy_user_header
        if header and (name := request.headers.get(header)):
            from sagsgang.accounts.logins import find_user

            found = find_user(session, name)
        elif user_id := security.read_session(
            w.security, request.cookies.get(security.SESSION_COOKIE), w.clock.now().timestamp()
        ):
            row = session.get(User, user_id)
            found = row if row is not None and row.active else None
        result = (
            Viewer(found.id, found.username, found.name, found.email, found.role, found.municipality, found.admin)
            if found is not None and found.id is not None
            else None
        )
    request.state.viewer = result
    return result


def page_viewer(request: Request) -> Viewer:
    found = viewer(request)
    if found is None:
        raise LoginRequired()
    return found


def page_admin(request: Request) -> Viewer:
    found = page_viewer(request)
    if not found.administers:
        raise HTTPException(403, "Kun sekretariatets administratorer kan oprette og ændre brugere.")
    return found


def page_writer(request: Request) -> Viewer:
    found = page_viewer(request)
    if not found.may_write:
        raise HTTPException(403, "Kun sekretariatet kan gøre det. Du er logget ind som leder: du kan se og abonnere.")
    return found


def api_viewer(request: Request) -> Viewer:
    found = viewer(request)
    if found is None:
        raise HTTPException(401, "Log ind først (POST /login, eller via kommunens single sign-on).")
    return found


LOOPBACK = ("127.0.0.1", "::1")


def local_cli(request: Request) -> Viewer | None:
    """The `sagsgang` command on this machine (sagsgang.cli.service_client), acting as the
    secretariat under the name of its user: its request carries the running service's local token
    (sagsgang.service.local_token) as `Authorization: Bearer`, from a loopback address, with the
    service's own settings. None without such a header. A browser never sends the header by itself,
    so no CSRF token is needed. A wrong token (401) or other settings (421) are refused before
    anything is done: the command then takes its own path."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    from urllib.parse import unquote

    from calendars.danish import DateFormatError, parse_date
    from sagsgang.service import local_token

    settings = web(request).settings
    client = request.client.host if request.client else ""
    if client not in LOOPBACK or not local_token.matches(settings.home_folder, header[7:].strip()):
        raise HTTPException(401, "Tjenestens lokale nøgle passer ikke.")
    today = request.headers.get(local_token.TODAY_HEADER, "")
    try:
        same_day = parse_date(today) == settings.clock().today() if today else not settings.today
    except DateFormatError:
        same_day = False
    if not same_day or request.headers.get(local_token.DATABASE_HEADER) != local_token.fingerprint(
        settings.database_url
    ):
        raise HTTPException(
            421, "Kommandoen har andre indstillinger end tjenesten (SAGSGANG_TODAY, SAGSGANG_DATABASE_URL)."
        )
    name = unquote(request.headers.get(local_token.USER_HEADER, "")).strip()[:200] or "sagsgang"
    return Viewer(0, name, name, "", Role.SECRETARIAT, via="cli")


def api_writer(request: Request) -> Viewer:
    """A secretariat user whose request carries the CSRF token in the X-CSRF-Token header, or the
    command line on this machine (local_cli)."""
    if (cli := local_cli(request)) is not None:
        return cli
    found = api_viewer(request)
    if not found.may_write:
        raise HTTPException(403, "Kun sekretariatet kan gøre det; rollen leder må se og abonnere.")
    require_csrf(request, found, request.headers.get(security.CSRF_HEADER))
    return found


def api_subscriber(request: Request) -> Viewer:
    """Any logged-in user (both roles may subscribe), with the CSRF header."""
    found = api_viewer(request)
    require_csrf(request, found, request.headers.get(security.CSRF_HEADER))
    return found


def api_handler(request: Request) -> Viewer:
    """Who may register a case's material: any logged-in user with the CSRF header (the
    operation checks that they are the secretariat or the case's officer), or the command line."""
    return local_cli(request) or api_subscriber(request)


def csrf_nonce(request: Request) -> str | None:
    return getattr(request.state, "csrf_nonce", None) or request.cookies.get(security.CSRF_COOKIE)


def csrf_token_for(request: Request, found: Viewer | None) -> str:
    nonce = csrf_nonce(request)
    return security.csrf_token(web(request).security, nonce, found.username if found else "") if nonce else ""


def require_csrf(request: Request, found: Viewer | None, submitted: str | None) -> None:
    # The cookie must have come with the request: a nonce made for this response proves nothing.
    nonce = request.cookies.get(security.CSRF_COOKIE)
    if not security.csrf_ok(web(request).security, nonce, found.username if found else "", submitted):
        raise HTTPException(
            403,
            "Formularen kunne ikke godkendes (sikkerhedsnøglen mangler eller passer ikke). "
            "Genindlæs siden og prøv igen.",
        )


def next_path(path: str) -> str:
    """Only a local path may be where the login sends the browser on."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/sager"


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    found = values.pop("viewer", None) or (viewer(request) if hasattr(request.state, "viewer") else None)
    defaults = {
        "errors": {}, "form": {}, "notices": [], "warnings": [], "active": "",
        "date_min": forms.DATE_MIN, "date_max": forms.DATE_MAX,  # a date input's bounds
    }  # fmt: skip
    page = rendering.render(
        f"web/{template}", **{**defaults, **values}, viewer=found, csrf_token=csrf_token_for(request, found)
    )
    return HTMLResponse(page, status_code=status_code)


# --- typed dependencies -------------------------------------------------------------------------

WebDep = Annotated[Web, Depends(web)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
SessionDep = Annotated[Session, Depends(db_session)]
CurrentUser = Annotated[Viewer, Depends(api_viewer)]  # /api/: any logged-in user
ApiWriter = Annotated[Viewer, Depends(api_writer)]  # /api/: the secretariat, with the CSRF header; the command line
ApiSubscriber = Annotated[Viewer, Depends(api_subscriber)]  # /api/: any logged-in user, with the CSRF header
ApiHandler = Annotated[Viewer, Depends(api_handler)]  # /api/: ApiSubscriber, or the command line
PageViewer = Annotated[Viewer, Depends(page_viewer)]  # pages: any logged-in user, else to /login
PageWriter = Annotated[Viewer, Depends(page_writer)]  # pages: the secretariat
PageAdmin = Annotated[Viewer, Depends(page_admin)]  # pages: the secretariat's administrators
