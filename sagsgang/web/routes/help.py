"""/hjaelp: the user guide (sagsgang.web.guide), open to anyone who can reach the app, logged in or
not (the login page links to it); every page's Hjælp block links to a section of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from sagsgang.web.deps import render, viewer
from sagsgang.web.guide import guide_html

router = APIRouter(include_in_schema=False)


@router.get("/hjaelp", response_class=HTMLResponse)
async def guide(request: Request) -> Response:
    found = await run_in_threadpool(viewer, request)
    return render(request, "help.j2", viewer=found, active="hjaelp", guide=guide_html())
