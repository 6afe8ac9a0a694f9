"""The JSON API under /api/: logging in and who am I.

The API does everything the pages do, for other systems and scripts, and is described by the
OpenAPI document at /api/openapi.json (behind login, like everything here). Log in with
POST /api/login (JSON), then send the session cookie; writing calls also send the X-CSRF-Token
header with the token from /api/login or GET /api/mig. Errors are JSON with Danish messages:
{"detail": "…", "fejl": {"felt": "…"}} (422 for input, 401, 403, 404, 409). An action's answer
says what happens next (`naeste`) and, when the service follows up, its run's page (`koersel`).
The `sagsgang` command on this machine writes as the secretariat with the service's local token
instead of a login (sagsgang.web.deps.local_cli). The other parts:
api_cases, api_meetings, api_subscriptions; the documents in sagsgang.web.schemas.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sagsgang.accounts import logins
from sagsgang.web import security
from sagsgang.web.deps import CurrentUser, WebDep, csrf_token_for
from sagsgang.web.schemas import ERRORS, LoginIn, Me, me_out
from sagsgang.web.service import Viewer

router = APIRouter(prefix="/api", tags=["sagsgang"])


@router.post(
    "/login",
    response_model=Me,
    responses={
        401: {"description": "Forkert brugernavn eller adgangskode"},
        429: {"description": "For mange forkerte forsøg"},
    },
)
async def login(request: Request, body: LoginIn, w: WebDep) -> JSONResponse:
    """Log ind; svaret sætter sessionscookien og giver CSRF-nøglen."""
    from sagsgang.web.routes.login import _address, set_csrf_cookie, set_session_cookie

    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        # A page on another site can post a form, but not JSON without asking first (CORS).
        return JSONResponse({"detail": "Send brugernavn og adgangskode som JSON (application/json)."}, status_code=415)
    address = _address(request)
    wait = await run_in_threadpool(w.throttle.wait, body.brugernavn, address)
    if wait > 0:
        return JSONResponse(
            {"detail": f"For mange forkerte forsøg. Vent {math.ceil(wait)} sekunder."},
            status_code=429,
            headers={"Retry-After": str(math.ceil(wait))},
        )

    def check() -> Viewer | None:
        with w.session() as session:
            user = logins.authenticate(session, body.brugernavn, body.adgangskode)
            if user is None or user.id is None:
                return None
            return Viewer(user.id, user.username, user.name, user.email, user.role)

    found = await run_in_threadpool(check)
    if found is None:
        await run_in_threadpool(w.throttle.failed, body.brugernavn, address)
        return JSONResponse({"detail": "Forkert brugernavn eller adgangskode."}, status_code=401)
    await run_in_threadpool(w.throttle.succeeded, body.brugernavn, address)
    nonce = security.new_csrf_nonce()
    response = JSONResponse(me_out(found, security.csrf_token(w.security, nonce, found.username)).model_dump())
    set_session_cookie(request, response, security.make_session(w.security, found.id, w.clock.now().timestamp()))
    set_csrf_cookie(request, response, nonce)
    return response


@router.get("/mig", response_model=Me, responses=ERRORS)
async def me(request: Request, viewer: CurrentUser) -> Me:
    """Den indloggede bruger og CSRF-nøglen til skrivende kald."""
    return me_out(viewer, csrf_token_for(request, viewer))
