"""Brugere (administrators of the secretariat) and Min konto (everyone).

/brugere lists the users of the administrator's municipality and creates one; each user's row
sets the role, deactivates or reactivates, and sets a new password. /konto/adgangskode changes
one's own password. Every write answers with a redirect (Post/Redirect/Get); the message after
it is built from the stored user, not from the address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from models.users import Role, User
from sagsgang.accounts import administration
from sagsgang.inputs import UserError
from sagsgang.web import security
from sagsgang.web.deps import PageAdmin, PageViewer, render, require_csrf, web
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)

ROLES = [
    (Role.SECRETARIAT.value, "sekretariat (må oprette og ændre)"),
    (Role.MANAGER.value, "leder (må se og abonnere)"),
]
DONE = {
    "oprettet": "Brugeren {name} er oprettet. Giv vedkommende adgangskoden; den kan skiftes under Min konto.",
    "deaktiveret": "{name} er deaktiveret og kan ikke længere logge ind.",
    "aktiveret": "{name} er aktiveret igen.",
    "rolle": "{name} har nu rollen {role}{admin}.",
    "adgangskode": "{name} har fået en ny adgangskode. Den gamle virker ikke længere.",
}
FIELDS = {"username": "brugernavn", "email": "email", "password": "adgangskode", "role": "rolle"}
OWN_FIELDS = {"current": "nuvaerende", "new": "ny", "repeated": "gentag", "password": "ny"}


async def _form(request: Request, viewer: Viewer) -> dict[str, str]:
    try:
        raw = await request.form(max_files=0, max_fields=20)
    except Exception:
        raise HTTPException(400, "Formularen kunne ikke læses. Genindlæs siden og prøv igen.") from None
    data = {key: value[:1000] for key, value in raw.items() if isinstance(value, str)}
    require_csrf(request, viewer, data.pop(security.CSRF_FIELD, None))
    return data


def _municipality(viewer: Viewer) -> str:
    if not viewer.municipality:
        raise HTTPException(
            409,
            "Din konto hører ikke til en bestemt kommune, så der er ingen brugere at administrere her. "
            "Opret brugere med: sagsgang bruger opret … --kommune NAVN.",
        )
    return viewer.municipality


def _notice(request: Request, municipality: str) -> list[str]:
    done, number = request.query_params.get("udfoert", ""), request.query_params.get("bruger", "")
    if done not in DONE or not number.isdigit() or len(number) > 9:
        return []
    with web(request).session() as session:
        row = session.get(User, int(number))
        if row is None or row.municipality != municipality:
            return []
        return [
            DONE[done].format(
                name=row.name or row.username, role=row.role, admin=" og er administrator" if row.admin else ""
            )
        ]


def _page(request: Request, viewer: Viewer, status_code: int = 200, **values) -> Response:
    municipality = _municipality(viewer)
    w = web(request)
    with w.session() as session:
        listed = administration.accounts(session, municipality)
    return render(
        request,
        "users.j2",
        status_code=status_code,
        viewer=viewer,
        active="brugere",
        accounts=listed,
        roles=ROLES,
        municipality_name=w.profile(municipality).name,
        **{"notices": _notice(request, municipality), **values},
    )


@router.get("/brugere", response_class=HTMLResponse)
async def users(request: Request, viewer: PageAdmin) -> Response:
    return await run_in_threadpool(_page, request, viewer)


def _done(what: str, user_id: int | None) -> Response:
    return RedirectResponse(f"/brugere?{urlencode({'udfoert': what, 'bruger': user_id or ''})}", status_code=303)


@router.post("/brugere", response_class=HTMLResponse)
async def create(request: Request, viewer: PageAdmin) -> Response:
    form = await _form(request, viewer)
    municipality = _municipality(viewer)

    def add() -> int | None:
        with web(request).session() as session:
            row = administration.add(
                session,
                municipality,
                form.get("brugernavn", ""),
                form.get("navn", ""),
                form.get("email", ""),
                form.get("rolle", ""),
                form.get("administrator") == "ja",
                form.get("adgangskode", ""),
            )
            return row.id

    try:
        user_id = await run_in_threadpool(add)
    except UserError as error:
        form.pop("adgangskode", None)
        field = FIELDS.get(error.field or "", "")
        return await run_in_threadpool(_page, request, viewer, 400, form=form, errors={field: error.message})
    return _done("oprettet", user_id)


@router.post("/brugere/{user_id}/{action}", response_class=HTMLResponse)
async def change(request: Request, user_id: int, action: str, viewer: PageAdmin) -> Response:
    if action not in ("aktiv", "rolle", "adgangskode"):
        raise HTTPException(404)
    form = await _form(request, viewer)
    municipality = _municipality(viewer)

    def apply() -> str:
        with web(request).session() as session:
            if action == "aktiv":
                active = form.get("aktiv") == "ja"
                administration.set_active(session, municipality, user_id, active, viewer.id)
                return "aktiveret" if active else "deaktiveret"
            if action == "rolle":
                administration.set_role(
                    session, municipality, user_id, form.get("rolle", ""), form.get("administrator") == "ja", viewer.id
                )
                return "rolle"
            administration.reset_password(session, municipality, user_id, form.get("adgangskode", ""))
            return "adgangskode"

    try:
        done = await run_in_threadpool(apply)
    except LookupError:
        raise HTTPException(404) from None
    except UserError as error:
        return await run_in_threadpool(_page, request, viewer, 400, errors={"": error.message})
    return _done(done, user_id)


# --- Min konto ----------------------------------------------------------------------------------


@router.get("/konto/adgangskode", response_class=HTMLResponse)
async def password_page(request: Request, viewer: PageViewer, skiftet: str = "") -> Response:
    notices = ["Din adgangskode er skiftet."] if skiftet else []
    return render(request, "password.j2", viewer=viewer, active="konto", notices=notices)


@router.post("/konto/adgangskode", response_class=HTMLResponse)
async def change_password(request: Request, viewer: PageViewer) -> Response:
    form = await _form(request, viewer)

    def change() -> None:
        with web(request).session() as session:
            administration.change_own_password(
                session, viewer.username, form.get("nuvaerende", ""), form.get("ny", ""), form.get("gentag", "")
            )

    try:
        await run_in_threadpool(change)
    except UserError as error:
        field = OWN_FIELDS.get(error.field or "", "")
        return render(
            request, "password.j2", status_code=400, viewer=viewer, active="konto", errors={field: error.message}
        )
    return RedirectResponse("/konto/adgangskode?skiftet=ja", status_code=303)
