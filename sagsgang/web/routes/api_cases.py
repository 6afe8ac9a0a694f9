"""The JSON API's cases (sagsgang.web.routes.api_account says how the API works): the list, one
case's timetable, the timetable a new case would get, launching, and recording a decision."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sagsgang.web import case_service, late_service, service
from sagsgang.web.deps import ApiWriter, CurrentUser, WebDep
from sagsgang.web.forms import FormErrors
from sagsgang.web.schemas import (
    ERRORS,
    CaseIn,
    CaseMunicipality,
    CaseOut,
    CaseSummary,
    DecisionIn,
    Done,
    LateIn,
    Launched,
    Preview,
    changes_out,
    followed_up,
    invalid,
    standing_out,
    steps_out,
)

router = APIRouter(prefix="/api", tags=["sagsgang"])


@router.get("/sager", response_model=list[CaseSummary], responses=ERRORS)
async def cases(
    w: WebDep,
    viewer: CurrentUser,
    organ: str = Query("", max_length=100),
    afdeling: str = Query("", max_length=200),
    ansvarlig: str = Query("", max_length=200),
) -> list[CaseSummary]:
    """Åbne sager, de mest presserende først; filtrér på organ (nøgle), afdeling og sagsbehandler."""
    listed = await run_in_threadpool(service.list_cases, w, organ, afdeling, ansvarlig, viewer)
    return [
        CaseSummary(
            kommune=c.municipality,
            journalnummer=c.journal_number,
            titel=c.title,
            sagsbehandler=c.owner_name,
            sagsbehandler_email=c.owner_email,
            afdeling=c.department,
            lukket=c.closed_item,
            organer_forude=list(c.bodies),
            status=standing_out(c.standing),
        )
        for c in listed
    ]


@router.get("/sager/{kommune}/{journalnummer}", response_model=CaseOut, responses={**ERRORS, 404: {}})
async def case(kommune: str, journalnummer: str, w: WebDep, viewer: CurrentUser) -> CaseOut:
    """Sagens tidsplan (behandlet, næste, senere), Historik og kalender."""
    if not viewer.sees(kommune):
        raise HTTPException(404, "Sagen findes ikke.")
    try:
        v = await run_in_threadpool(service.case_view, w, kommune, journalnummer)
        changes = await run_in_threadpool(case_service.changes, w, kommune, journalnummer)
    except LookupError:
        raise HTTPException(404, "Sagen findes ikke.") from None
    return CaseOut(
        kommune=v.municipality,
        journalnummer=v.journal_number,
        titel=v.title,
        rute=v.route,
        status=v.status,
        lukket=v.closed_item,
        sagsbehandler=v.owner_name,
        leder=v.manager_name,
        afdeling=v.department,
        klar=v.ready_date,
        maal=v.target_date,
        tidsplan=steps_out(v.entries),
        historik=v.history,
        stand=standing_out(v.standing),
        kalender=v.feed_url,
        aendringer=changes_out(changes),
    )


@router.get("/sagsnumre/{journalnummer}", response_model=CaseMunicipality, responses=ERRORS)
async def municipality_of(journalnummer: str, w: WebDep, viewer: ApiWriter) -> CaseMunicipality | JSONResponse:
    """Kommunen med sagen med journalnummeret (som `sagsgang sag …` uden --kommune finder den)."""
    try:
        return CaseMunicipality(kommune=await run_in_threadpool(service.municipality_of, w, journalnummer, viewer))
    except FormErrors as error:
        return invalid(error.errors)


@router.post("/sager/tidsplan", response_model=Preview, responses=ERRORS)
async def preview(body: CaseIn, w: WebDep, viewer: ApiWriter) -> Preview | JSONResponse:
    """Tidsplanen, sagen ville få, hvis den blev startet nu (intet gemmes)."""
    try:
        return Preview(tidsplan=steps_out(await run_in_threadpool(service.preview, w, body.fields())))
    except FormErrors as error:
        return invalid(error.errors)


@router.post("/sager", response_model=Launched, status_code=201, responses=ERRORS)
async def launch(body: CaseIn, w: WebDep, viewer: ApiWriter) -> Launched | JSONResponse:
    """Start sagen: samme flow som `sagsgang sag opret`."""
    try:
        municipality, journal_number, warning, next_step = await run_in_threadpool(
            service.launch, w, body.fields(), viewer
        )
    except FormErrors as error:
        return invalid(error.errors)
    return JSONResponse(
        Launched(
            kommune=municipality,
            journalnummer=journal_number,
            adresse=f"/api/sager/{municipality}/{journal_number}",
            advarsel=warning,
            **followed_up(next_step),
        ).model_dump(),
        status_code=201,
    )


@router.post("/sager/{kommune}/{journalnummer}/beslutninger", response_model=Done, responses={**ERRORS, 404: {}})
async def decide(
    kommune: str, journalnummer: str, body: DecisionIn, w: WebDep, viewer: ApiWriter
) -> Done | JSONResponse:
    """Registrér et organs beslutning: samme som `sagsgang sag beslut`; sagen føres videre."""
    if not viewer.sees(kommune):
        raise HTTPException(404, "Sagen findes ikke.")
    data = {**body.model_dump(), "udfald": body.udfald.value}
    try:
        message, warning, next_step = await run_in_threadpool(
            service.decide, w, kommune, journalnummer, data, viewer.editor("api")
        )
    except LookupError:
        raise HTTPException(404, "Sagen findes ikke.") from None
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=message, advarsel=warning, **followed_up(next_step))


@router.post("/sager/{kommune}/{journalnummer}/eftersendelse", response_model=Done, responses={**ERRORS, 404: {}})
async def send_late(
    kommune: str, journalnummer: str, body: LateIn, w: WebDep, viewer: ApiWriter
) -> Done | JSONResponse:
    """Sæt sagen på et møde efter sagsfristen (eftersendt punkt): samme som `sagsgang sag eftersend`."""
    if not viewer.sees(kommune):
        raise HTTPException(404, "Sagen findes ikke.")
    try:
        message, warning, next_step = await run_in_threadpool(
            late_service.send_late, w, kommune, journalnummer, body.model_dump(), viewer.editor("api")
        )
    except LookupError:
        raise HTTPException(404, "Sagen findes ikke.") from None
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=message, advarsel=warning, **followed_up(next_step))
