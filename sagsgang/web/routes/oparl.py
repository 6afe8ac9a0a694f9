"""OParl 1.1 at /oparl/v1.1/: public, read-only JSON for open-data clients (no login, no cookies).

Every answer is application/json with `Access-Control-Allow-Origin: *` (OParl 1.1 § CORS);
errors are OParl Error objects with a Danish message. Ids are absolute URLs built from the
request's own address, so they resolve wherever the installation is reached.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from models.db import session_scope
from sagsgang.publishing.oparl.answers import Answers
from sagsgang.publishing.oparl.lists import ListError, Window, read_window
from sagsgang.publishing.oparl.objects import Urls, schema_type

PREFIX = "/oparl/v1.1"
MEDIA_TYPE = "application/json; charset=utf-8"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, OPTIONS"}
_KEY = re.compile(r"^(\d+)-(\d+)-(\d+)-(\d+)$")
_AGENDA_KEY = re.compile(r"^(\d+)-(\d+-\d+-\d+-\d+)$")
_FILE_KEY = re.compile(r"^(\d+)-(\d+)$")

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _json(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=CORS, media_type=MEDIA_TYPE)


def _error(status: int, message: str) -> JSONResponse:
    return _json({"type": schema_type("Error"), "message": message, "debug": ""}, status)


_NOT_FOUND = "Objektet findes ikke. Start fra systemobjektet på /oparl/v1.1/."


async def _answer(request: Request, build: Callable[[Answers, Window], dict | None]) -> JSONResponse:
    try:
        window = read_window(request.query_params)
    except ListError as error:
        return _error(400, str(error))
    web = request.app.state.web

    def run() -> dict | None:
        with session_scope(web.engine, read_only=True) as session:  # open data only reads
            root = str(request.base_url).rstrip("/") + PREFIX
            urls = Urls(root, web.settings.home_folder)
            answers = Answers(session, urls, web.feed_context.profiles, web.clock.today())
            return build(answers, window)

    found = await run_in_threadpool(run)
    return _json(found) if found is not None else _error(404, _NOT_FOUND)


def _ints(pattern: re.Pattern[str], text: str) -> tuple[int, ...] | None:
    match = pattern.match(text)
    return tuple(int(part) for part in match.groups()) if match else None


@router.options("/{rest:path}")
async def preflight(rest: str) -> JSONResponse:
    return _json({})


@router.get("/")
async def system(request: Request) -> JSONResponse:
    return await _answer(request, lambda a, w: a.system())


@router.get("/body")
async def bodies(request: Request) -> JSONResponse:
    return await _answer(request, lambda a, w: a.bodies(w))


@router.get("/body/{municipality}")
async def body(request: Request, municipality: str) -> JSONResponse:
    return await _answer(request, lambda a, w: a.body(municipality))


@router.get("/body/{municipality}/{kind}")
async def body_list(request: Request, municipality: str, kind: str) -> JSONResponse:
    return await _answer(request, lambda a, w: a.body_list(municipality, kind, w))


@router.get("/organization/{body_id:int}")
async def organization(request: Request, body_id: int) -> JSONResponse:
    return await _answer(request, lambda a, w: a.organization(body_id))


@router.get("/organization/{body_id:int}/meeting")
async def organization_meetings(request: Request, body_id: int) -> JSONResponse:
    return await _answer(request, lambda a, w: a.organization_meetings(body_id, w))


@router.get("/meeting/{meeting_id:int}")
async def meeting(request: Request, meeting_id: int) -> JSONResponse:
    return await _answer(request, lambda a, w: a.meeting(meeting_id))


@router.get("/location/{meeting_id:int}")
async def location(request: Request, meeting_id: int) -> JSONResponse:
    return await _answer(request, lambda a, w: a.location(meeting_id))


@router.get("/agendaitem/{key}")
async def agenda_item(request: Request, key: str) -> JSONResponse:
    match = _AGENDA_KEY.match(key)
    if match is None or (parts := _ints(_KEY, match.group(2))) is None:
        return _error(404, _NOT_FOUND)
    meeting_id = int(match.group(1))
    return await _answer(request, lambda a, w: a.agenda_item(meeting_id, parts))


@router.get("/paper/{case_id:int}")
async def paper(request: Request, case_id: int) -> JSONResponse:
    return await _answer(request, lambda a, w: a.paper(case_id))


@router.get("/consultation/{key}")
async def consultation(request: Request, key: str) -> JSONResponse:
    if (parts := _ints(_KEY, key)) is None:
        return _error(404, _NOT_FOUND)
    return await _answer(request, lambda a, w: a.consultation(parts))


@router.get("/file/{key}")
async def file(request: Request, key: str) -> JSONResponse:
    if (parts := _ints(_FILE_KEY, key)) is None:
        return _error(404, _NOT_FOUND)
    return await _answer(request, lambda a, w: a.file(*parts))
