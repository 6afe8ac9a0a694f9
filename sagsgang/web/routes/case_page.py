"""The case page's own actions: material received, correcting the case (with a preview of the
re-plan), and the case as files. Every write answers with a redirect to the case page
(Post/Redirect/Get), so a reload never submits it again."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sagsgang.cases import caseview
from sagsgang.publishing.agenda_render import PdfUnavailable
from sagsgang.web import case_service, security, service
from sagsgang.web.deps import PageViewer, PageWriter, render, require_csrf, web
from sagsgang.web.forms import FormErrors
from sagsgang.web.routes.downloads import _TYPES
from sagsgang.web.routes.pages import _case_page, _form
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)


def _back(municipality: str, journal_number: str, query: str) -> Response:
    return RedirectResponse(f"{caseview.page_path(municipality, journal_number)}?{query}", status_code=303)


@router.post("/sager/{municipality}/{journal_number}/materiale", response_class=HTMLResponse)
async def receive(request: Request, municipality: str, journal_number: str, viewer: PageViewer) -> Response:
    form = await _form(request, viewer)
    try:
        _name, warning, next_step = await run_in_threadpool(
            case_service.receive, web(request), municipality, journal_number, form, viewer
        )
    except LookupError:
        raise HTTPException(404) from None
    except PermissionError as error:
        raise HTTPException(403, str(error)) from None
    except FormErrors as error:
        form = {**form, "formular": "materiale"}
        return await _case_page(
            request, viewer, municipality, journal_number, status_code=400, form=form, errors=error.errors
        )
    query = f"modtaget={quote(form['organ'])}" + ("&advarsel=ja" if warning else "")
    return _back(municipality, journal_number, query + (f"&opfoelgning={next_step}" if next_step else ""))


# --- correcting the case ------------------------------------------------------------------------


async def _edit_page(
    request: Request,
    viewer: Viewer,
    municipality: str,
    journal_number: str,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    w = web(request)
    try:
        case = await run_in_threadpool(service.case_view, w, municipality, journal_number)
    except LookupError:
        raise HTTPException(404) from None
    try:
        entries, preview_errors = (
            await run_in_threadpool(case_service.preview_edit, w, municipality, journal_number, form),
            {},
        )
    except FormErrors as error:
        entries, preview_errors = None, error.errors
    return render(
        request,
        "case_edit.j2",
        status_code=status_code,
        viewer=viewer,
        active="sager",
        case=case,
        form=form,
        errors=errors,
        routes=case_service.routes(w, case.municipality),
        kinds=[(kind, kind) for kind in ("beslutning", "drøftelse", "orientering")],
        entries=entries,
        preview_errors=preview_errors,
        preview_caption="Sådan bliver sagen planlagt, hvis du gemmer rettelserne",
    )


@router.get("/sager/{municipality}/{journal_number}/ret", response_class=HTMLResponse)
async def edit(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    try:
        form = await run_in_threadpool(case_service.edit_values, web(request), municipality, journal_number)
    except LookupError:
        raise HTTPException(404) from None
    return await _edit_page(request, viewer, municipality, journal_number, form, {})


@router.post("/sager/{municipality}/{journal_number}/ret/tidsplan", response_class=HTMLResponse)
async def edit_preview(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    """The timetable fragment the form's script asks for while the secretary types."""
    form = await _form(request, viewer)
    try:
        entries, errors = (
            await run_in_threadpool(case_service.preview_edit, web(request), municipality, journal_number, form),
            {},
        )
    except LookupError:
        raise HTTPException(404) from None
    except FormErrors as error:
        entries, errors = None, error.errors
    return render(
        request,
        "_preview.j2",
        viewer=viewer,
        entries=entries,
        preview_errors=errors,
        preview_caption="Sådan bliver sagen planlagt, hvis du gemmer rettelserne",
    )


@router.post("/sager/{municipality}/{journal_number}/ret", response_class=HTMLResponse)
async def save(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    form = await _form(request, viewer)
    if form.get("handling") != "gem":  # "Vis ny tidsplan" without JavaScript
        return await _edit_page(request, viewer, municipality, journal_number, form, {})
    try:
        count, warning = await run_in_threadpool(
            case_service.save_edit, web(request), municipality, journal_number, form, viewer
        )
    except LookupError:
        raise HTTPException(404) from None
    except FormErrors as error:
        return await _edit_page(request, viewer, municipality, journal_number, form, error.errors, status_code=400)
    return _back(municipality, journal_number, f"rettet={count}" + ("&advarsel=ja" if warning else ""))


# --- attachments ------------------------------------------------------------------------------


@router.post("/sager/{municipality}/{journal_number}/bilag", response_class=HTMLResponse)
async def attach(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    """An uploaded bilag (multipart: titel, fil), checked by its content and size."""
    limit = web(request).settings.max_attachment_mb * 1024 * 1024
    try:
        raw = await request.form(max_files=1, max_fields=10)
    except Exception:
        raise HTTPException(400, "Formularen kunne ikke læses. Genindlæs siden og prøv igen.") from None
    token = raw.get(security.CSRF_FIELD)
    require_csrf(request, viewer, token if isinstance(token, str) else None)
    upload, title = raw.get("fil"), raw.get("titel")
    data, filename = b"", ""
    if upload is not None and not isinstance(upload, str):
        data, filename = await upload.read(limit + 1), upload.filename or ""
    form = {"titel": title if isinstance(title, str) else "", "formular": "bilag"}
    try:
        stored = await run_in_threadpool(
            case_service.attach, web(request), municipality, journal_number, form["titel"], filename, data, viewer
        )
    except LookupError:
        raise HTTPException(404) from None
    except FormErrors as error:
        return await _case_page(
            request, viewer, municipality, journal_number, status_code=400, form=form, errors=error.errors
        )
    return _back(municipality, journal_number, f"bilag={quote(stored)}")


@router.get("/bilag/{name}")
async def attachment(request: Request, name: str, viewer: PageViewer) -> Response:
    """A stored bilag, for logged-in users only; served as a download of its checked type."""
    from sagsgang.cases import attachments

    found = attachments.find(web(request).settings.home_folder, name)
    if found is None:
        raise HTTPException(404)
    return _bilag_file(found, name, "private, max-age=3600")


@router.get("/offentlig/bilag/{name}")
async def public_attachment(request: Request, name: str) -> Response:
    """A bilag a public agenda links: to anyone, only while an open item on a published agenda
    lists it (sagsgang.cases.public_attachments); a closed item's bilag answers 404."""
    from sagsgang.cases import attachments, public_attachments

    w = web(request)

    def public() -> bool:
        with w.session() as session:
            return public_attachments.is_public(session, name, w.clock.today())

    found = attachments.find(w.settings.home_folder, name)
    if found is None or not await run_in_threadpool(public):
        raise HTTPException(404)
    return _bilag_file(found, name, "public, max-age=300")


def _bilag_file(found: tuple[Path, str], name: str, cache: str) -> FileResponse:
    """A stored bilag as a download of its checked type (never sniffed into another)."""
    path, media_type = found
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": cache},
    )


# --- the case as files --------------------------------------------------------------------------


@router.get("/sager/{municipality}/{journal_number}/{name}.{fmt}")
async def case_file(
    request: Request, municipality: str, journal_number: str, name: str, fmt: str, viewer: PageViewer
) -> Response:
    """`sag.docx|pdf`: the case's texts as the agenda prints them; `tidsplan.docx|xlsx|csv`: its
    timetable as the page shows it."""
    if fmt not in case_service.FILE_FORMATS.get(name, ()):
        raise HTTPException(404)
    try:
        content = await run_in_threadpool(case_service.case_file, web(request), municipality, journal_number, name, fmt)
    except LookupError:
        raise HTTPException(404) from None
    except PdfUnavailable as error:
        raise HTTPException(409, str(error)) from None
    filename = f"{name}-{journal_number}.{fmt}"
    return Response(
        content, media_type=_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
