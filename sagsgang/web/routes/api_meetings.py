"""The JSON API's meetings (sagsgang.web.routes.api_account says how the API works): the bodies'
meetings in a period, and moving or cancelling one."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from calendars.danish import DateFormatError
from sagsgang.danish_words import count
from sagsgang.web import service
from sagsgang.web.deps import ApiWriter, CurrentUser, WebDep
from sagsgang.web.forms import FormErrors, read_day
from sagsgang.web.schemas import DATE, ERRORS, MeetingChanged, MeetingChangeIn, MeetingOut, followed_up, invalid

router = APIRouter(prefix="/api", tags=["sagsgang"])


def _day(text: str, name: str, default: dt.date, errors: dict[str, str]) -> dt.date:
    if not text:
        return default
    try:
        return read_day(text)
    except DateFormatError as error:
        errors[name] = str(error)
        return default


@router.get("/moeder/{kommune}", response_model=list[MeetingOut], responses={**ERRORS, 404: {}})
async def meetings(
    kommune: str,
    w: WebDep,
    viewer: CurrentUser,
    organ: str = Query("", max_length=100),
    fra: str = Query("", max_length=40, description=DATE),
    til: str = Query("", max_length=40, description=DATE),
) -> list[MeetingOut] | JSONResponse:
    """Organernes møder i perioden (standard: 14 dage tilbage, 120 frem)."""
    if kommune not in w.visible(viewer):
        raise HTTPException(404, "Kommunen findes ikke.")
    errors: dict[str, str] = {}
    today = w.clock.today()
    start = _day(fra, "fra", today - dt.timedelta(days=14), errors)
    end = _day(til, "til", today + dt.timedelta(days=120), errors)
    if not errors and not 0 <= (end - start).days <= 800:
        errors["til"] = "Til-datoen skal ligge efter fra-datoen og højst to år senere."
    if errors:
        return invalid(errors)
    try:
        listed = await run_in_threadpool(service.meetings, w, kommune, organ, start, end)
    except FormErrors as error:
        return invalid(error.errors)
    return [
        MeetingOut(
            kommune=m.municipality,
            organ=m.body,
            organ_navn=m.body_name,
            dato=m.day,
            tid=f"{m.time:%H:%M}",
            sted=m.place,
            status=m.status,
            flyttet_fra=m.moved_from,
            sager=m.cases,
        )
        for m in listed
    ]


@router.post("/moeder/{kommune}/{organ}/{dato}", response_model=MeetingChanged, responses={**ERRORS, 404: {}})
async def change_meeting(
    kommune: str, organ: str, dato: str, body: MeetingChangeIn, w: WebDep, viewer: ApiWriter
) -> MeetingChanged | JSONResponse:
    """Flyt eller aflys et møde (som `sagsgang mødeplan flyt|aflys`); sagerne på det planlægges igen.
    Uden bekraeft=true ændres intet: svaret siger, hvor mange sager ændringen rammer."""
    try:
        if kommune not in w.visible(viewer):
            raise LookupError(kommune)
        meeting = await run_in_threadpool(service.find_meeting, w, kommune, organ, read_day(dato))
    except (LookupError, DateFormatError, FormErrors):
        raise HTTPException(404, "Mødet findes ikke.") from None
    moving = body.handling == "flyt"
    if not body.bekraeft:
        return MeetingChanged(
            besked=f"{count(meeting.cases, 'sag')} planlægges igen, hvis mødet "
            f"{'flyttes' if moving else 'aflyses'}. Send bekraeft=true for at gøre det.",
            sager=[],
            udfoert=False,
        )
    try:
        message, replanned, warning, next_step = await run_in_threadpool(
            service.change_meeting, w, kommune, organ, meeting.day, body.model_dump(), moving, viewer.editor("api")
        )
    except FormErrors as error:
        return invalid(error.errors)
    return MeetingChanged(
        besked=message,
        sager=replanned,
        udfoert=True,
        advarsel=warning,
        **followed_up(next_step if replanned else None),
    )
