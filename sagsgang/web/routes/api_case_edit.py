"""The JSON API's corrections of a case, as the case page makes them: material received, the
timetable a correction would give, and the correction itself (written to the case's history
with source 'api'). sagsgang.web.routes.api_account says how the API works."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sagsgang.web import case_service
from sagsgang.web.deps import ApiHandler, ApiWriter, WebDep
from sagsgang.web.forms import FormErrors
from sagsgang.web.schemas import ERRORS, CaseEditIn, Done, EditPreview, MaterialIn, followed_up, invalid, steps_out

router = APIRouter(prefix="/api", tags=["sagsgang"])
NOT_FOUND = "Sagen findes ikke."


@router.post("/sager/{kommune}/{journalnummer}/materiale", response_model=Done, responses={**ERRORS, 404: {}})
async def receive(
    kommune: str, journalnummer: str, body: MaterialIn, w: WebDep, viewer: ApiHandler
) -> Done | JSONResponse:
    """Materialet til organets næste møde er modtaget (som `sagsgang sag indsend`); påmindelserne
    stopper. Sekretariatet og sagens sagsbehandler kan registrere det; uden organ: alle organer i
    sagens aktuelle trin."""
    try:
        name, warning, next_step = await run_in_threadpool(
            case_service.receive, w, kommune, journalnummer, body.model_dump(), viewer, "api"
        )
    except LookupError:
        raise HTTPException(404, NOT_FOUND) from None
    except PermissionError as error:
        raise HTTPException(403, str(error)) from None
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=case_service.received_notice(name), advarsel=warning, **followed_up(next_step))


async def _fields(w, kommune: str, journalnummer: str, body: CaseEditIn) -> dict:
    try:
        current = await run_in_threadpool(case_service.edit_values, w, kommune, journalnummer)
    except LookupError:
        raise HTTPException(404, NOT_FOUND) from None
    return body.over(current)


@router.post(
    "/sager/{kommune}/{journalnummer}/rettelse/tidsplan", response_model=EditPreview, responses={**ERRORS, 404: {}}
)
async def preview(
    kommune: str, journalnummer: str, body: CaseEditIn, w: WebDep, viewer: ApiWriter
) -> EditPreview | JSONResponse:
    """Tidsplanen, sagen ville få med rettelserne (intet gemmes)."""
    data = await _fields(w, kommune, journalnummer, body)
    try:
        entries = await run_in_threadpool(case_service.preview_edit, w, kommune, journalnummer, data)
    except FormErrors as error:
        return invalid(error.errors)
    return EditPreview(tidsplan=steps_out(entries))


@router.patch("/sager/{kommune}/{journalnummer}", response_model=Done, responses={**ERRORS, 404: {}})
async def edit(kommune: str, journalnummer: str, body: CaseEditIn, w: WebDep, viewer: ApiWriter) -> Done | JSONResponse:
    """Ret sagen: de givne felter gemmes, ændringerne skrives i sagens historik, og en ny klar-dato
    eller rute planlægger sagen igen."""
    data = await _fields(w, kommune, journalnummer, body)
    try:
        count, warning = await run_in_threadpool(case_service.save_edit, w, kommune, journalnummer, data, viewer, "api")
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=case_service.edited_notice(count), advarsel=warning)
