"""Files to download from the secretariat's pages: the Sager page's list as Excel (.xlsx) or CSV,
with the page's filters (organ, afdeling, ansvarlig). Behind login, like the page itself."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sagsgang.publishing import spreadsheets
from sagsgang.web import service
from sagsgang.web.deps import page_viewer, web
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
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
    if fmt not in _TYPES:
        return Response("Filtypen findes ikke. Hent listen som .xlsx eller .csv.", status_code=404)
    listed = await run_in_threadpool(service.list_cases, web(request), organ[:100], afdeling[:200], ansvarlig[:200])
    sheet = spreadsheets.case_list_sheet(listed)
    content = spreadsheets.to_xlsx(sheet) if fmt == "xlsx" else spreadsheets.to_csv(sheet)
    return Response(
        content,
        media_type=_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="sager.{fmt}"'},
    )
