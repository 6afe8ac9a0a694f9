"""The pages: Sager, Sag, Ny sag (with a live timetable), Møder, Abonnér. Server-rendered Danish
HTML (templates/web); every path function parses, calls sagsgang.web.service, and lays out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from calendars.danish import DateFormatError, long_date
from models.content import ItemKind
from sagsgang.danish_words import sorted_danish
from sagsgang.publishing.agenda import AgendaError
from sagsgang.web import case_search, case_service, late_service, mail_status, security, service
from sagsgang.web.deps import PageViewer, PageWriter, render, require_csrf, web
from sagsgang.web.forms import OUTCOME_CHOICES, FormErrors, read_day
from sagsgang.web.notices import changed_notice, follow_up_notice, recorded_notices
from sagsgang.web.routes.plan_import import imported_notice
from sagsgang.web.service import Viewer

router = APIRouter(include_in_schema=False)

LAUNCHED = "Sagen er oprettet og planlagt. Sagsbehandleren får påmindelser før hver frist."


async def _form(request: Request, found: Viewer | None) -> dict[str, str]:
    """The submitted form as text fields, after its CSRF token was checked."""
    try:
        raw = await request.form(max_files=0, max_fields=100)
    except Exception:
        raise HTTPException(400, "Formularen kunne ikke læses. Genindlæs siden og prøv igen.") from None
    data = {key: value for key, value in raw.items() if isinstance(value, str)}
    require_csrf(request, found, data.pop(security.CSRF_FIELD, None))
    return data


# --- Sager ------------------------------------------------------------------------------------


@router.get("/", include_in_schema=False)
async def front_door() -> Response:
    """`sagsgang serve` prints the server's address: there, the case list (or the login first)."""
    return RedirectResponse("/sager", status_code=303)


@router.get("/sager", response_class=HTMLResponse)
async def cases(request: Request, viewer: PageViewer) -> Response:
    w = web(request)
    search, filters = case_search.read(request.query_params)
    found = await run_in_threadpool(service.find_cases, w, viewer, search)
    choices = await run_in_threadpool(service.filter_choices, w, viewer)
    warnings = await run_in_threadpool(mail_status.warnings_for, w, viewer)
    return render(
        request,
        "cases.j2",
        viewer=viewer,
        active="sager",
        warnings=warnings,
        found=found,
        cases=found.cases,
        choices=choices,
        filters=filters,
        lists=case_search.LISTS,
        orders=case_search.ORDERS,
        page_link=lambda page: case_search.link(filters, page),
    )


# --- Ny sag -----------------------------------------------------------------------------------


def _new_case_page(
    request: Request,
    viewer: Viewer,
    form: dict[str, str],
    errors: dict[str, str],
    entries,
    preview_errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    w = web(request)
    given = form.get("kommune")
    visible = w.visible(viewer)
    key = given if given and given in visible else (viewer.municipality or w.default_municipality())
    profile = w.profile(key)
    routes = [(route.key, route.name) for route in profile.routes.values()]
    last = {body for route in profile.routes.values() for body in route.stages[-1]}
    return render(
        request,
        "new_case.j2",
        status_code=status_code,
        viewer=viewer,
        active="ny",
        form={"kommune": key, **{k: v for k, v in form.items() if k != "kommune"}},
        errors=errors,
        municipalities=[(m, w.profile(m).name) for m in visible],
        routes=routes,
        target_bodies=sorted_danish(((b, profile.bodies[b].name) for b in last), key=lambda x: x[1]),
        kinds=[(kind.value, kind.value) for kind in ItemKind],
        entries=entries,
        preview_errors=preview_errors,
    )


async def _preview(request: Request, form: dict[str, str]):
    if not form.get("rute"):
        return None, {}
    try:
        return await run_in_threadpool(service.preview, web(request), form), {}
    except FormErrors as error:
        return None, error.errors


@router.get("/sager/ny", response_class=HTMLResponse)
async def new_case(request: Request, viewer: PageWriter, kommune: str = "") -> Response:
    return await run_in_threadpool(_new_case_page, request, viewer, {"kommune": kommune}, {}, None, {})


@router.post("/sager/ny/tidsplan", response_class=HTMLResponse)
async def new_case_preview(request: Request, viewer: PageWriter) -> Response:
    """The timetable fragment the form's script asks for while the secretary types."""
    form = await _form(request, viewer)
    entries, errors = await _preview(request, form)
    return render(request, "_preview.j2", viewer=viewer, entries=entries, preview_errors=errors)


@router.post("/sager/ny", response_class=HTMLResponse)
async def launch(request: Request, viewer: PageWriter) -> Response:
    form = await _form(request, viewer)
    if form.get("handling") != "start":  # "Opdatér tidsplan" without JavaScript
        entries, errors = await _preview(request, form)
        return _new_case_page(request, viewer, form, {}, entries, errors)
    try:
        municipality, journal_number, warning, next_step = await run_in_threadpool(
            service.launch, web(request), form, viewer
        )
    except FormErrors as error:
        entries, preview_errors = await _preview(request, form)
        return _new_case_page(request, viewer, form, error.errors, entries, preview_errors, status_code=400)
    query = "?oprettet=ja" + ("&advarsel=ja" if warning else "") + (f"&opfoelgning={next_step}" if next_step else "")
    return RedirectResponse(f"/sager/{quote(municipality)}/{quote(journal_number)}{query}", status_code=303)


# --- Sag --------------------------------------------------------------------------------------


async def _case_page(
    request: Request, viewer: Viewer, municipality: str, journal_number: str, status_code: int = 200, **values
) -> Response:
    if not viewer.sees(municipality):
        raise HTTPException(404)
    try:
        case = await run_in_threadpool(service.case_view, web(request), municipality, journal_number)
        extras = await run_in_threadpool(case_service.extras, web(request), municipality, journal_number)
    except LookupError:
        raise HTTPException(404) from None
    return render(
        request,
        "case.j2",
        status_code=status_code,
        viewer=viewer,
        active="sager",
        case=case,
        extras=extras,
        outcomes=[(o, o) for o in OUTCOME_CHOICES],
        **values,
    )


@router.get("/sager/{municipality}/{journal_number}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    municipality: str,
    journal_number: str,
    viewer: PageViewer,
    oprettet: str = "",
    advarsel: str = "",
    modtaget: str = "",
    rettet: str = "",
    bilag: str = "",
    besluttet: str = "",
    eftersendt: str = "",
    opfoelgning: str = "",
) -> Response:
    notices = [LAUNCHED] if oprettet else []
    notices += case_service.notices(web(request), municipality, modtaget[:100], rettet[:10], bilag[:500])
    notices += await run_in_threadpool(
        recorded_notices, web(request), municipality, journal_number, besluttet[:100], eftersendt[:100]
    )
    if said := follow_up_notice(web(request), opfoelgning):
        notices.append(said)
    warnings = (
        ["Sagen er gemt, men sagsforløbet kunne ikke køres nu. Den daglige kontrol tager det op."] if advarsel else []
    )
    return await _case_page(request, viewer, municipality, journal_number, notices=notices, warnings=warnings)


@router.post("/sager/{municipality}/{journal_number}/beslutning", response_class=HTMLResponse)
async def decide(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    return await _recorded(request, viewer, municipality, journal_number, service.decide, "besluttet")


@router.post("/sager/{municipality}/{journal_number}/eftersendelse", response_class=HTMLResponse)
async def send_late(request: Request, municipality: str, journal_number: str, viewer: PageWriter) -> Response:
    return await _recorded(request, viewer, municipality, journal_number, late_service.send_late, "eftersendt")


async def _recorded(
    request: Request, viewer: Viewer, municipality: str, journal_number: str, record, done: str
) -> Response:
    """Record something about the case from its page's form; then back to the case page
    (Post/Redirect/Get: a reload does not record it twice), which reads the confirmation back
    (?besluttet=organ / ?eftersendt=organ); the page again with the errors if it was refused."""
    form = await _form(request, viewer)
    if not viewer.sees(municipality):
        raise HTTPException(404)
    try:
        _message, warning, next_step = await run_in_threadpool(
            record, web(request), municipality, journal_number, form, viewer.editor()
        )
    except LookupError:
        raise HTTPException(404) from None
    except FormErrors as error:
        return await _case_page(
            request, viewer, municipality, journal_number, status_code=400, form=form, errors=error.errors
        )
    query = {done: form.get("organ", ""), **({"advarsel": "ja"} if warning else {})}
    query |= {"opfoelgning": next_step} if next_step else {}
    return RedirectResponse(f"/sager/{quote(municipality)}/{quote(journal_number)}?{urlencode(query)}", status_code=303)


# --- Møder ------------------------------------------------------------------------------------


def _date(text: str, default: dt.date, name: str, errors: dict[str, str]) -> dt.date:
    if not text.strip():
        return default
    try:
        return read_day(text)
    except DateFormatError as error:
        errors[name] = str(error)
        return default


@router.get("/moeder", response_class=HTMLResponse)
async def meetings(
    request: Request,
    viewer: PageViewer,
    kommune: str = "",
    organ: str = "",
    fra: str = "",
    til: str = "",
    indlaest: str = "",
    aendret: str = "",
    moede: str = "",
) -> Response:
    w = web(request)
    errors: dict[str, str] = {}
    notices = [imported_notice(indlaest, request.query_params)] if indlaest else []
    visible = w.visible(viewer)
    key = kommune if kommune in visible else (viewer.municipality or await run_in_threadpool(w.default_municipality))
    today = w.clock.today()
    first, last = today - dt.timedelta(days=14), today + dt.timedelta(days=120)
    changed = await run_in_threadpool(service.meeting_by_key, w, key, moede[:200]) if aendret and moede else None
    if changed is not None:  # after a move or cancellation (Post/Redirect/Get): show that meeting
        numbers = request.query_params.get("sager", "")[:4000].split(",")
        replanned = await run_in_threadpool(service.known_cases, w, key, numbers)
        notices.append(changed_notice(changed, aendret, replanned, bool(request.query_params.get("advarsel"))))
        if said := follow_up_notice(w, request.query_params.get("opfoelgning", "")):
            notices.append(said)
        first, last = min(first, changed.day - dt.timedelta(days=14)), max(last, changed.day + dt.timedelta(days=14))
    start = _date(fra, first, "fra", errors)
    end = _date(til, last, "til", errors)
    if end < start:
        errors["til"] = "Til-datoen ligger før fra-datoen."
    elif (end - start).days > 800:
        errors["til"] = "Vis højst to år ad gangen."
    profile = w.profile(key)
    if organ and organ not in profile.bodies:
        errors["organ"] = f"Organet '{organ}' findes ikke i {profile.name}."
    listed = [] if errors else await run_in_threadpool(service.meetings, w, key, organ, start, end)
    return render(
        request,
        "meetings.j2",
        status_code=400 if errors else 200,
        viewer=viewer,
        active="moeder",
        meetings=listed,
        errors=errors,
        notices=notices,
        municipalities=[(m, w.profile(m).name) for m in visible],
        bodies=[(b.key, b.name) for b in profile.bodies.values()],
        filters={
            "kommune": key,
            "organ": organ,
            # A date input shows åååå-mm-dd; what it cannot read stays as typed, beside its error.
            "fra": fra if "fra" in errors else start.isoformat(),
            "til": til if "til" in errors else end.isoformat(),
        },
    )


async def _meeting(request: Request, municipality: str, body: str, day: str) -> service.MeetingView:
    w = web(request)
    try:
        if municipality not in w.visible(getattr(request.state, "viewer", None)):
            raise LookupError(municipality)
        return await run_in_threadpool(service.find_meeting, w, municipality, body, read_day(day))
    except (LookupError, DateFormatError, FormErrors):
        raise HTTPException(404) from None


@router.get("/moeder/{municipality}/{body}/{day}/{action}", response_class=HTMLResponse)
async def meeting_action(
    request: Request,
    municipality: str,
    body: str,
    day: str,
    action: str,
    viewer: PageViewer,
    referat: str = "",
    offentlig: str = "",
) -> Response:
    if action == "dagsorden":
        meeting = await _meeting(request, municipality, body, day)
        try:
            html = await run_in_threadpool(
                service.agenda_html, web(request), municipality, body, meeting.day, bool(referat), bool(offentlig)
            )
        except (AgendaError, LookupError) as error:
            return render(
                request,
                "error.j2",
                status_code=409,
                viewer=viewer,
                heading="Ikke muligt",
                message=str(error),
                back="/moeder",
            )
        return HTMLResponse(html)
    if action not in ("flyt", "aflys"):
        raise HTTPException(404)
    if not viewer.may_write:
        raise HTTPException(403, "Kun sekretariatet kan flytte og aflyse møder.")
    meeting = await _meeting(request, municipality, body, day)
    if not meeting.changeable:
        return render(
            request,
            "error.j2",
            status_code=409,
            viewer=viewer,
            heading="Mødet er afholdt",
            message=f"Mødet i {meeting.body_name} {long_date(meeting.day)} er allerede begyndt eller afholdt. "
            "Kun kommende møder kan flyttes eller aflyses.",
            back=f"/moeder?kommune={quote(municipality)}&organ={quote(body)}",
        )
    return render(
        request, "meeting_change.j2", viewer=viewer, active="moeder", meeting=meeting, moving=action == "flyt"
    )


@router.post("/moeder/{municipality}/{body}/{day}/{action}", response_class=HTMLResponse)
async def change_meeting(
    request: Request, municipality: str, body: str, day: str, action: str, viewer: PageWriter
) -> Response:
    if action not in ("flyt", "aflys"):
        raise HTTPException(404)
    form = await _form(request, viewer)
    meeting = await _meeting(request, municipality, body, day)
    moving = action == "flyt"
    try:
        if form.get("bekraeft") != "ja":
            raise FormErrors({"bekraeft": "Sæt flueben for at bekræfte ændringen."})
        _message, replanned, warning, next_step = await run_in_threadpool(
            service.change_meeting, web(request), municipality, body, meeting.day, form, moving, viewer.editor()
        )
    except FormErrors as error:
        return render(
            request,
            "meeting_change.j2",
            status_code=400,
            viewer=viewer,
            active="moeder",
            meeting=meeting,
            moving=moving,
            form=form,
            errors=error.errors,
        )
    query = {
        "kommune": municipality,
        "organ": body,
        "aendret": action,
        "moede": meeting.key,
        "sager": ",".join(replanned),
        **({"advarsel": "ja"} if warning else {}),
        **({"opfoelgning": next_step} if next_step else {}),
    }
    return RedirectResponse(f"/moeder?{urlencode(query)}", status_code=303)


# --- Abonnér ----------------------------------------------------------------------------------


async def _subscribe_page(request: Request, viewer: Viewer, status_code: int = 200, **values) -> Response:
    w = web(request)
    feeds = await run_in_threadpool(service.body_feeds, w)
    personal = await run_in_threadpool(service.personal_feeds, w, viewer)
    return render(
        request,
        "subscribe.j2",
        status_code=status_code,
        viewer=viewer,
        active="abonner",
        feeds=feeds,
        personal=personal,
        **{"new_link": None, **values},
    )


@router.get("/abonner", response_class=HTMLResponse)
async def subscriptions(request: Request, viewer: PageViewer) -> Response:
    return await _subscribe_page(request, viewer)


@router.post("/abonner", response_class=HTMLResponse)
async def subscribe(request: Request, viewer: PageViewer) -> Response:
    form = await _form(request, viewer)
    try:
        _number, link = await run_in_threadpool(service.subscribe, web(request), viewer, form.get("afdeling", ""))
    except FormErrors as error:
        return await _subscribe_page(request, viewer, status_code=400, form=form, errors=error.errors)
    return await _subscribe_page(request, viewer, new_link=link)


@router.post("/abonner/{number}/tilbagekald", response_class=HTMLResponse)
async def revoke(request: Request, number: int, viewer: PageViewer) -> Response:
    await _form(request, viewer)
    if not await run_in_threadpool(service.revoke, web(request), viewer, number):
        raise HTTPException(404)
    return await _subscribe_page(
        request, viewer, notices=[f"Abonnement nr. {number} er tilbagekaldt. Adressen virker ikke længere."]
    )
