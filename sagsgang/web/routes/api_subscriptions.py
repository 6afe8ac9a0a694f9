"""The JSON API's calendars (sagsgang.web.routes.api_account says how the API works): the public
feeds, and the viewer's own personal feeds."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sagsgang.web import service
from sagsgang.web.deps import ApiSubscriber, CurrentUser, SessionDep, WebDep
from sagsgang.web.forms import FormErrors
from sagsgang.web.schemas import ERRORS, FeedOut, PersonalOut, Subscribed, SubscribeIn, invalid

router = APIRouter(prefix="/api", tags=["sagsgang"])


@router.get("/kalendere", response_model=list[FeedOut], responses=ERRORS)
async def feeds(w: WebDep, viewer: CurrentUser) -> list[FeedOut]:
    """De offentlige kalendere (organer, sekretariatets oversigt) med webcal-links."""
    links = await run_in_threadpool(service.body_feeds, w)
    return [FeedOut(titel=f.title, adresse=f.url, webcal=f.webcal) for f in links]


@router.get("/abonnementer", response_model=list[PersonalOut], responses=ERRORS)
def personal(session: SessionDep, viewer: CurrentUser) -> list[PersonalOut]:
    """Mine aktive personlige kalendere (adresserne kan ikke vises igen)."""
    rows = service.personal_feeds_in(session, viewer)
    return [PersonalOut(nummer=r.id, afdeling=r.department, oprettet=r.created) for r in rows]


@router.post("/abonnementer", response_model=Subscribed, status_code=201, responses=ERRORS)
async def subscribe(body: SubscribeIn, w: WebDep, viewer: ApiSubscriber) -> JSONResponse:
    """Opret min personlige kalender; adressen vises kun i dette svar."""
    try:
        number, link = await run_in_threadpool(service.subscribe, w, viewer, body.afdeling)
    except FormErrors as error:
        return invalid(error.errors)
    return JSONResponse(Subscribed(nummer=number, adresse=link.url, webcal=link.webcal).model_dump(), status_code=201)


@router.delete("/abonnementer/{nummer}", status_code=204, responses={**ERRORS, 404: {}})
async def revoke(w: WebDep, viewer: ApiSubscriber, nummer: int = Path(ge=1, le=2**31 - 1)) -> None:
    """Tilbagekald en af mine personlige kalendere."""
    if not await run_in_threadpool(service.revoke, w, viewer, nummer):
        raise HTTPException(404, "Du har intet aktivt abonnement med det nummer.")
