"""Logging in and out. A failed login says only that the username or password was wrong; after a
few failures per account or address, tries are refused until the wait is over (security.LoginThrottle)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sagsgang.accounts import logins
from sagsgang.web import security
from sagsgang.web.deps import next_path, render, require_csrf, viewer, web

router = APIRouter(include_in_schema=False)


def _address(request: Request) -> str:
    return request.client.host if request.client else "ukendt"


@router.get("/login")
async def login_page(request: Request, naeste: str = "/sager") -> Response:
    if await run_in_threadpool(viewer, request) is not None:
        return RedirectResponse(next_path(naeste), status_code=303)
    return render(request, "login.j2", next_path=next_path(naeste))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("brugernavn") or "")[:200]
    password = str(form.get("adgangskode") or "")[:1000]
    wanted = next_path(str(form.get("naeste") or "/sager"))
    submitted = form.get(security.CSRF_FIELD)
    require_csrf(request, None, submitted if isinstance(submitted, str) else None)
    w, address = web(request), _address(request)
    values = {"form": {"brugernavn": username}, "next_path": wanted}
    wait = await run_in_threadpool(w.throttle.wait, username, address)
    if wait > 0:
        seconds = math.ceil(wait)
        return render(
            request,
            "login.j2",
            status_code=429,
            errors={
                "": f"For mange forkerte forsøg. Vent {seconds} sekund{'er' if seconds != 1 else ''} og prøv igen."
            },
            **values,
        )
    if not username.strip() or not password:
        errors = {}
        if not username.strip():
            errors["brugernavn"] = "Skriv dit brugernavn."
        if not password:
            errors["adgangskode"] = "Skriv din adgangskode."
        return render(request, "login.j2", status_code=400, errors=errors, **values)

    def check():
        with w.session() as session:
            user = logins.authenticate(session, username, password)
            return user and user.id

    user_id = await run_in_threadpool(check)
    if user_id is None:
        await run_in_threadpool(w.throttle.failed, username, address)
        return render(
            request,
            "login.j2",
            status_code=401,
            errors={"adgangskode": "Forkert brugernavn eller adgangskode."},
            **values,
        )
    await run_in_threadpool(w.throttle.succeeded, username, address)
    response = RedirectResponse(wanted, status_code=303)
    set_session_cookie(request, response, security.make_session(w.security, user_id, w.clock.now().timestamp()))
    # A new CSRF nonce at login: a token seen before the login is worth nothing after it.
    set_csrf_cookie(request, response, security.new_csrf_nonce())
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    found = await run_in_threadpool(viewer, request)
    token = form.get(security.CSRF_FIELD)
    require_csrf(request, found, token if isinstance(token, str) else None)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


def _secure(request: Request) -> bool:
    return web(request).security.secure_cookies or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        security.SESSION_COOKIE,
        value,
        max_age=security.SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def set_csrf_cookie(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        security.CSRF_COOKIE, nonce, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
