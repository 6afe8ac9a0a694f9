"""Møder → Indlæs mødeplan (secretariat only): upload a plan, see what it changes, confirm.

POST /moeder/indlaes shows the preview (it writes nothing); POST /moeder/indlaes/gem stores and
re-plans, then redirects to the Møder page for the plan's period (Post/Redirect/Get).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sagsgang.danish_words import count
from sagsgang.meetingplans.importing import NeedsConfirmation
from sagsgang.meetingplans.reading import PlanFileError
from sagsgang.web import plan_import, security
from sagsgang.web.deps import page_writer, render, require_csrf, web
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)


async def _submitted(request: Request, viewer: Viewer) -> tuple[dict[str, str], UploadFile | None]:
    try:
        raw = await request.form(max_files=1, max_fields=20, max_part_size=4 * plan_import.MAX_BYTES)
    except Exception:
        raise HTTPException(400, "Formularen kunne ikke læses. Genindlæs siden og prøv igen.") from None
    fields = {key: value for key, value in raw.items() if isinstance(value, str)}
    require_csrf(request, viewer, fields.pop(security.CSRF_FIELD, None))
    upload = raw.get("fil")
    return fields, upload if isinstance(upload, UploadFile) else None


def _municipality(request: Request, key: str) -> str:
    if key not in web(request).municipalities:
        raise HTTPException(400, "Vælg en kommune.")
    return key


def _show(
    request: Request,
    viewer: Viewer,
    upload: plan_import.Upload,
    page: plan_import.PreviewPage | None = None,
    problems: list[str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The preview page; with problems (bad rows), only them."""
    if problems:
        errors = {"fil": "Mødeplanen kan ikke indlæses, og intet er gemt. Ret rækkerne nedenfor og prøv igen."}
    return render(
        request,
        "meeting_import.j2",
        status_code=400 if errors else 200,
        viewer=viewer,
        active="moeder",
        page=page,
        upload=upload,
        problems=problems or [],
        errors=errors or {},
    )


@router.post("/moeder/indlaes", response_class=HTMLResponse)
async def upload_plan(request: Request, viewer: Viewer = Depends(page_writer)) -> Response:
    fields, file = await _submitted(request, viewer)
    upload = plan_import.Upload(
        _municipality(request, fields.get("kommune", "")),
        fields.get("organ", ""),
        (file.filename or "") if file else "",
        await file.read(plan_import.MAX_BYTES + 1) if file else b"",
    )
    try:
        page = await run_in_threadpool(plan_import.preview, web(request), upload)
    except PlanFileError as error:
        return _show(request, viewer, upload, problems=[str(p) for p in error.problems])
    return _show(request, viewer, upload, page)


@router.post("/moeder/indlaes/gem", response_class=HTMLResponse)
async def store_plan(request: Request, viewer: Viewer = Depends(page_writer)) -> Response:
    fields, _ = await _submitted(request, viewer)
    municipality = _municipality(request, fields.get("kommune", ""))
    try:
        upload = plan_import.Upload.decoded(
            municipality, fields.get("organ", ""), fields.get("filnavn", ""), fields.get("data", "")
        )
        stored, replanned, warning = await run_in_threadpool(
            plan_import.store, web(request), upload, fields.get("bekraeft") == "ja"
        )
    except PlanFileError as error:
        empty = plan_import.Upload(municipality, "", "", b"")
        return _show(request, viewer, empty, problems=[str(p) for p in error.problems])
    except NeedsConfirmation as error:
        page = await run_in_threadpool(plan_import.preview, web(request), upload)
        flagged = ", ".join(flag.message for flag in error.preview.flags)
        return _show(request, viewer, upload, page, errors={"bekraeft": f"Sæt flueben for at bekræfte: {flagged}."})
    days = sorted(c.day for c in stored.changes) or [web(request).clock.today()]
    query = {
        "kommune": municipality,
        "organ": upload.body,
        "fra": days[0].strftime("%d-%m-%Y"),
        "til": days[-1].strftime("%d-%m-%Y"),
        "indlaest": str(len(stored.changes)),
        "planlagt_igen": str(len(replanned)),
    }
    if warning:
        query["advarsel"] = "1"
    return RedirectResponse(f"/moeder?{urlencode(query)}", status_code=303)


def imported_notice(changed: str, query) -> str:
    """The Møder page's message after the redirect from /moeder/indlaes/gem."""
    replanned = query.get("planlagt_igen", "0")
    moved, planned = (int(n) if n.isdigit() and len(n) < 7 else 0 for n in (changed, replanned))
    text = f"Mødeplanen er gemt: {count(moved, 'møde')} er ændret, og {count(planned, 'sag')} er planlagt igen."
    if query.get("advarsel"):
        text += " Sagsforløbet kunne ikke køres nu; den daglige kontrol tager det op."
    return text
