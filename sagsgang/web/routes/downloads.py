"""Files to download from the secretariat's pages, behind login like the pages themselves: the
Sager page's list as Excel (.xlsx) or CSV with the page's filters (organ, afdeling, ansvarlig),
and a meeting's agenda or minutes as Word (.docx) or PDF, internal or public edition."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sagsgang.publishing import spreadsheets
from sagsgang.publishing.agenda import AgendaError
from sagsgang.publishing.agenda_render import PdfUnavailable
from sagsgang.web import service
from sagsgang.web.deps import page_viewer, web
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@router.get("/sager.{fmt}")
async def case_list(
    request: Request,
    fmt: str,
    organ: str = "",
    afdeling: str = "",
    ansvarlig: str = "",
    viewer: Viewer = Depends(page_viewer),
) -> Response:
    if fmt not in ("xlsx", "csv"):
        raise HTTPException(404)
    listed = await run_in_threadpool(
        service.list_cases, web(request), organ[:100], afdeling[:200], ansvarlig[:200], viewer
    )
    sheet = spreadsheets.case_list_sheet(listed)
    content = spreadsheets.to_xlsx(sheet) if fmt == "xlsx" else spreadsheets.to_csv(sheet)
    return Response(
        content,
        media_type=_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="sager.{fmt}"'},
    )


@router.get("/moeder/{municipality}/{body}/{day}/dagsorden.{fmt}")
async def agenda_file(
    request: Request,
    municipality: str,
    body: str,
    day: str,
    fmt: str,
    referat: str = "",
    offentlig: str = "",
    viewer: Viewer = Depends(page_viewer),
) -> Response:
    """The agenda (or, with ?referat=ja, the minutes), as `sagsgang dagsorden … -o FIL` makes it."""
    w = web(request)
    try:
        meeting_day = dt.date.fromisoformat(day)
    except ValueError:
        raise HTTPException(404) from None
    if fmt not in ("docx", "pdf") or municipality not in w.visible(viewer):
        raise HTTPException(404)

    def build() -> bytes:
        from models.agenda_items import find_meeting, load_agenda
        from sagsgang.publishing.agenda import compose
        from sagsgang.publishing.agenda_render import render_pdf
        from sagsgang.publishing.word import render_docx

        profile = w.profile(municipality)
        with w.session() as session:
            stored = load_agenda(session, find_meeting(session, body, meeting_day, profile.key))
        document = compose(stored, profile, minutes=bool(referat), public=bool(offentlig), today=w.clock.today())
        return render_docx(document) if fmt == "docx" else render_pdf(document)

    try:
        content = await run_in_threadpool(build)
    except LookupError:
        raise HTTPException(404) from None
    except (AgendaError, PdfUnavailable) as error:
        raise HTTPException(409, str(error)) from None
    name = f"{'referat' if referat else 'dagsorden'}-{body}-{day}{'-offentlig' if offentlig else ''}.{fmt}"
    return Response(content, media_type=_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
