"""The JSON API under /api/: everything the pages do, for other systems and scripts. Described by
the OpenAPI document at /api/openapi.json (behind login, like everything here).

Log in with POST /api/login (JSON), then send the session cookie; writing calls also send the
X-CSRF-Token header with the token from /api/login or GET /api/mig. Errors are JSON with Danish
messages: {"detail": "…", "fejl": {"felt": "…"}} (422 for input, 401, 403, 404, 409).
"""

from __future__ import annotations

import datetime as dt
import math

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from calendars.danish import DateFormatError, parse_date
from models.content import ItemKind
from models.tables import Outcome
from sagsgang.accounts import logins
from sagsgang.cases import caseview
from sagsgang.web import late_service, security, service
from sagsgang.web.deps import api_subscriber, api_viewer, api_writer, csrf_token_for, web
from sagsgang.web.forms import FormErrors
from sagsgang.web.service import Viewer

router = APIRouter(prefix="/api", tags=["sagsgang"])

DATE = "Dato som dd-mm-åååå (fx 24-06-2027) eller åååå-mm-dd"
ERRORS = {
    401: {"description": "Ikke logget ind"},
    403: {"description": "Rollen må ikke / CSRF-nøgle mangler"},
    422: {"description": "Fejl i input, pr. felt"},
}


def invalid(errors: dict[str, str]) -> JSONResponse:
    return JSONResponse({"detail": "Ret fejlene i felterne.", "fejl": errors}, status_code=422)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- who am I -----------------------------------------------------------------------------------


class LoginIn(Strict):
    brugernavn: str = Field(max_length=200)
    adgangskode: str = Field(max_length=1000)


class Me(BaseModel):
    brugernavn: str
    navn: str
    email: str
    rolle: str
    maa_skrive: bool
    csrf_token: str = Field(description="Sendes i headeren X-CSRF-Token ved skrivende kald")


@router.post(
    "/login",
    response_model=Me,
    responses={
        401: {"description": "Forkert brugernavn eller adgangskode"},
        429: {"description": "For mange forkerte forsøg"},
    },
)
async def login(request: Request, body: LoginIn) -> JSONResponse:
    """Log ind; svaret sætter sessionscookien og giver CSRF-nøglen."""
    from sagsgang.web.routes.login import _address, set_csrf_cookie, set_session_cookie

    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        # A page on another site can post a form, but not JSON without asking first (CORS).
        return JSONResponse({"detail": "Send brugernavn og adgangskode som JSON (application/json)."}, status_code=415)
    w, address = web(request), _address(request)
    wait = w.throttle.wait(body.brugernavn, address)
    if wait > 0:
        return JSONResponse(
            {"detail": f"For mange forkerte forsøg. Vent {math.ceil(wait)} sekunder."},
            status_code=429,
            headers={"Retry-After": str(math.ceil(wait))},
        )

    def check():
        with w.session() as session:
            user = logins.authenticate(session, body.brugernavn, body.adgangskode)
            return user and Viewer(user.id, user.username, user.name, user.email, user.role)

    found = await run_in_threadpool(check)
    if found is None:
        w.throttle.failed(body.brugernavn, address)
        return JSONResponse({"detail": "Forkert brugernavn eller adgangskode."}, status_code=401)
    w.throttle.succeeded(body.brugernavn, address)
    nonce = security.new_csrf_nonce()
    response = JSONResponse(_me(found, security.csrf_token(w.settings, nonce, found.username)).model_dump())
    set_session_cookie(request, response, security.make_session(w.settings, found.id, w.clock.now().timestamp()))
    set_csrf_cookie(request, response, nonce)
    return response


def _me(found: Viewer, token: str) -> Me:
    return Me(
        brugernavn=found.username,
        navn=found.name,
        email=found.email,
        rolle=str(found.role),
        maa_skrive=found.may_write,
        csrf_token=token,
    )


@router.get("/mig", response_model=Me, responses=ERRORS)
async def me(request: Request, viewer: Viewer = Depends(api_viewer)) -> Me:
    """Den indloggede bruger og CSRF-nøglen til skrivende kald."""
    return _me(viewer, csrf_token_for(request, viewer))


# --- cases --------------------------------------------------------------------------------------


class Standing(BaseModel):
    status: str = Field(description="i rute | i risiko | frist overskredet | afsluttet")
    naeste_frist: dt.date | None
    naeste_organ: str
    luft_arbejdsdage: int | None
    bemaerkning: str = Field("", description="Uden frist forude: fx 'afventer beslutning i Direktionen'")


class CaseSummary(BaseModel):
    kommune: str
    journalnummer: str
    titel: str
    sagsbehandler: str
    sagsbehandler_email: str
    afdeling: str
    lukket: bool
    organer_forude: list[str]
    status: Standing


def _standing(s: caseview.Standing) -> Standing:
    return Standing(
        status=s.health.value,
        naeste_frist=s.next_deadline,
        naeste_organ=s.next_body,
        luft_arbejdsdage=s.slack_working_days,
        bemaerkning=s.note,
    )


@router.get("/sager", response_model=list[CaseSummary], responses=ERRORS)
async def cases(
    request: Request,
    organ: str = Query("", max_length=100),
    afdeling: str = Query("", max_length=200),
    ansvarlig: str = Query("", max_length=200),
    viewer: Viewer = Depends(api_viewer),
) -> list[CaseSummary]:
    """Åbne sager, de mest presserende først; filtrér på organ (nøgle), afdeling og sagsbehandler."""
    listed = await run_in_threadpool(service.list_cases, web(request), organ, afdeling, ansvarlig)
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
            status=_standing(c.standing),
        )
        for c in listed
    ]


class Step(BaseModel):
    fase: str = Field(description="afsluttet | næste | senere")
    trin: int
    runde: int
    organ: str
    organ_navn: str
    sagsfrist: dt.date
    moede: dt.date
    moede_tid: str
    moede_status: str = Field(description="planlagt | foreløbig | aflyst")
    senest_sagsfrist: dt.date
    senest_moede: dt.date
    luft_arbejdsdage: int
    materiale_afleveret: bool
    udfald: str | None
    beslutning: str
    kan_besluttes: bool


def _steps(entries: list[caseview.Entry]) -> list[Step]:
    return [
        Step(
            fase=e.phase.value,
            trin=e.stage,
            runde=e.round,
            organ=e.body,
            organ_navn=e.body_name,
            sagsfrist=e.deadline,
            moede=e.meeting_day,
            moede_tid=f"{e.meeting_time:%H:%M}",
            moede_status=e.meeting_status,
            senest_sagsfrist=e.latest_deadline,
            senest_moede=e.latest_meeting_day,
            luft_arbejdsdage=e.slack_working_days,
            materiale_afleveret=e.submitted,
            udfald=e.outcome,
            beslutning=e.decision_text,
            kan_besluttes=e.decidable,
        )
        for e in entries
    ]


class CaseOut(BaseModel):
    kommune: str
    journalnummer: str
    titel: str
    rute: str
    status: str
    lukket: bool
    sagsbehandler: str
    leder: str
    afdeling: str
    klar: dt.date
    maal: dt.date | None
    tidsplan: list[Step]
    historik: list[str]
    stand: Standing
    kalender: str | None = Field(description="webcal-adressen på sagens offentlige kalender (ikke for lukkede punkter)")


@router.get("/sager/{kommune}/{journalnummer}", response_model=CaseOut, responses={**ERRORS, 404: {}})
async def case(request: Request, kommune: str, journalnummer: str, viewer: Viewer = Depends(api_viewer)) -> CaseOut:
    """Sagens tidsplan (behandlet, næste, senere), Historik og kalender."""
    try:
        v = await run_in_threadpool(service.case_view, web(request), kommune, journalnummer)
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
        tidsplan=_steps(v.entries),
        historik=v.history,
        stand=_standing(v.standing),
        kalender=v.feed_url,
    )


class CaseIn(Strict):
    """En ny sag; samme felter som formularen Ny sag."""

    kommune: str = Field(max_length=100, examples=["slagelse"])
    titel: str = Field("", max_length=500)
    journalnummer: str = Field("", max_length=100, examples=["27.00.00-G01-1-27"])
    sagsbehandler: str = Field("", max_length=500)
    sagsbehandler_email: str = Field("", max_length=500)
    leder: str = Field("", max_length=500)
    leder_email: str = Field("", max_length=500)
    afdeling: str = Field("", max_length=500)
    rute: str = Field(max_length=100, examples=["politisk"])
    klar: str = Field("", max_length=40, description=DATE + "; tomt: i dag")
    maal_organ: str = Field("", max_length=100)
    maal_dato: str = Field("", max_length=40, description=DATE)
    lukket: bool = False
    punkttype: ItemKind | None = None
    tid: str = Field("", max_length=10, description="Minutter på mødet, fx 20")
    anledning: str = Field("", max_length=20_000)
    sagsfremstilling: str = Field("", max_length=20_000)
    oekonomi: str = Field("", max_length=20_000)
    lovgrundlag: str = Field("", max_length=20_000)
    indstiller: str = Field("", max_length=500)
    indstilling: list[str] = Field(default_factory=list, max_length=50)
    bilag: list[str] = Field(default_factory=list, max_length=50)

    def fields(self) -> dict:
        data = self.model_dump()
        data["punkttype"] = self.punkttype.value if self.punkttype else ""
        return data


class Preview(BaseModel):
    tidsplan: list[Step]


@router.post("/sager/tidsplan", response_model=Preview, responses=ERRORS)
async def preview(request: Request, body: CaseIn, viewer: Viewer = Depends(api_writer)) -> Preview | JSONResponse:
    """Tidsplanen, sagen ville få, hvis den blev startet nu (intet gemmes)."""
    try:
        return Preview(tidsplan=_steps(await run_in_threadpool(service.preview, web(request), body.fields())))
    except FormErrors as error:
        return invalid(error.errors)


class Launched(BaseModel):
    kommune: str
    journalnummer: str
    adresse: str
    advarsel: str | None = None


@router.post("/sager", response_model=Launched, status_code=201, responses=ERRORS)
async def launch(request: Request, body: CaseIn, viewer: Viewer = Depends(api_writer)) -> Launched | JSONResponse:
    """Start sagen: samme flow som `sagsgang sag opret`."""
    try:
        municipality, journal_number, warning = await run_in_threadpool(service.launch, web(request), body.fields())
    except FormErrors as error:
        return invalid(error.errors)
    return JSONResponse(
        Launched(
            kommune=municipality,
            journalnummer=journal_number,
            adresse=f"/api/sager/{municipality}/{journal_number}",
            advarsel=warning,
        ).model_dump(),
        status_code=201,
    )


class DecisionIn(Strict):
    organ: str = Field(max_length=100, description="Organets nøgle, fx direktion")
    udfald: Outcome
    tekst: str = Field("", max_length=20_000)
    ny_klar: str = Field("", max_length=40, description=DATE + "; kun ved tilbagesendt")


class Done(BaseModel):
    besked: str
    advarsel: str | None = None


@router.post("/sager/{kommune}/{journalnummer}/beslutninger", response_model=Done, responses={**ERRORS, 404: {}})
async def decide(
    request: Request, kommune: str, journalnummer: str, body: DecisionIn, viewer: Viewer = Depends(api_writer)
) -> Done | JSONResponse:
    """Registrér et organs beslutning: samme som `sagsgang sag beslut`; sagen føres videre."""
    data = {**body.model_dump(), "udfald": body.udfald.value}
    try:
        message, warning = await run_in_threadpool(service.decide, web(request), kommune, journalnummer, data)
    except LookupError:
        raise HTTPException(404, "Sagen findes ikke.") from None
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=message, advarsel=warning)


class LateIn(BaseModel):
    organ: str = Field(max_length=100, description="Organets nøgle, fx chefforum")
    dato: str = Field(max_length=40, description=DATE + "; mødets dato")
    besluttet_af: str = Field(max_length=200, description="Hvem besluttede det, fx Direktørforum")
    begrundelse: str = Field("", max_length=20_000)


@router.post("/sager/{kommune}/{journalnummer}/eftersendelse", response_model=Done, responses={**ERRORS, 404: {}})
async def send_late(
    request: Request, kommune: str, journalnummer: str, body: LateIn, viewer: Viewer = Depends(api_writer)
) -> Done | JSONResponse:
    """Sæt sagen på et møde efter sagsfristen (eftersendt punkt): samme som `sagsgang sag eftersend`."""
    try:
        message, warning = await run_in_threadpool(
            late_service.send_late, web(request), kommune, journalnummer, body.model_dump()
        )
    except LookupError:
        raise HTTPException(404, "Sagen findes ikke.") from None
    except FormErrors as error:
        return invalid(error.errors)
    return Done(besked=message, advarsel=warning)


# --- meetings -----------------------------------------------------------------------------------


class MeetingOut(BaseModel):
    kommune: str
    organ: str
    organ_navn: str
    dato: dt.date
    tid: str
    sted: str
    status: str
    flyttet_fra: dt.date | None
    sager: int = Field(description="Sager, der planlægges igen, hvis mødet flyttes eller aflyses")


def _day(text: str, name: str, default: dt.date, errors: dict[str, str]) -> dt.date:
    if not text:
        return default
    try:
        return parse_date(text)
    except DateFormatError as error:
        errors[name] = str(error)
        return default


@router.get("/moeder/{kommune}", response_model=list[MeetingOut], responses={**ERRORS, 404: {}})
async def meetings(
    request: Request,
    kommune: str,
    organ: str = Query("", max_length=100),
    fra: str = Query("", max_length=40, description=DATE),
    til: str = Query("", max_length=40, description=DATE),
    viewer: Viewer = Depends(api_viewer),
) -> list[MeetingOut] | JSONResponse:
    """Organernes møder i perioden (standard: 14 dage tilbage, 120 frem)."""
    w = web(request)
    if kommune not in w.municipalities:
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


class MeetingChangeIn(Strict):
    handling: str = Field(pattern="^(flyt|aflys)$", description="flyt | aflys")
    ny_dato: str = Field("", max_length=40, description=DATE + "; kun ved flyt")
    tid: str = Field("", max_length=20, description="Nyt klokkeslæt tt:mm (valgfrit)")
    bekraeft: bool = Field(False, description="false: vis blot, hvor mange sager der planlægges igen")


class MeetingChanged(BaseModel):
    besked: str
    sager: list[str]
    udfoert: bool
    advarsel: str | None = None


@router.post("/moeder/{kommune}/{organ}/{dato}", response_model=MeetingChanged, responses={**ERRORS, 404: {}})
async def change_meeting(
    request: Request, kommune: str, organ: str, dato: str, body: MeetingChangeIn, viewer: Viewer = Depends(api_writer)
) -> MeetingChanged | JSONResponse:
    """Flyt eller aflys et møde (som `sagsgang mødeplan flyt|aflys`); sagerne på det planlægges igen.
    Uden bekraeft=true ændres intet: svaret siger, hvor mange sager ændringen rammer."""
    w = web(request)
    try:
        if kommune not in w.municipalities:
            raise LookupError(kommune)
        meeting = await run_in_threadpool(service.find_meeting, w, kommune, organ, parse_date(dato))
    except (LookupError, DateFormatError, FormErrors):
        raise HTTPException(404, "Mødet findes ikke.") from None
    moving = body.handling == "flyt"
    if not body.bekraeft:
        return MeetingChanged(
            besked=f"{meeting.cases} sager planlægges igen, hvis mødet "
            f"{'flyttes' if moving else 'aflyses'}. Send bekraeft=true for at gøre det.",
            sager=[],
            udfoert=False,
        )
    try:
        message, replanned, warning = await run_in_threadpool(
            service.change_meeting, w, kommune, organ, meeting.day, body.model_dump(), moving
        )
    except FormErrors as error:
        return invalid(error.errors)
    return MeetingChanged(besked=message, sager=replanned, udfoert=True, advarsel=warning)


# --- subscriptions ------------------------------------------------------------------------------


class FeedOut(BaseModel):
    titel: str
    adresse: str
    webcal: str


@router.get("/kalendere", response_model=list[FeedOut], responses=ERRORS)
async def feeds(request: Request, viewer: Viewer = Depends(api_viewer)) -> list[FeedOut]:
    """De offentlige kalendere (organer, sekretariatets oversigt) med webcal-links."""
    links = await run_in_threadpool(service.body_feeds, web(request))
    return [FeedOut(titel=f.title, adresse=f.url, webcal=f.webcal) for f in links]


class PersonalOut(BaseModel):
    nummer: int
    afdeling: str
    oprettet: dt.date


@router.get("/abonnementer", response_model=list[PersonalOut], responses=ERRORS)
async def personal(request: Request, viewer: Viewer = Depends(api_viewer)) -> list[PersonalOut]:
    """Mine aktive personlige kalendere (adresserne kan ikke vises igen)."""
    rows = await run_in_threadpool(service.personal_feeds, web(request), viewer)
    return [PersonalOut(nummer=r.id, afdeling=r.department, oprettet=r.created) for r in rows]


class SubscribeIn(Strict):
    afdeling: str = Field("", max_length=200)


class Subscribed(BaseModel):
    nummer: int
    adresse: str
    webcal: str


@router.post("/abonnementer", response_model=Subscribed, status_code=201, responses=ERRORS)
async def subscribe(request: Request, body: SubscribeIn, viewer: Viewer = Depends(api_subscriber)) -> JSONResponse:
    """Opret min personlige kalender; adressen vises kun i dette svar."""
    try:
        number, link = await run_in_threadpool(service.subscribe, web(request), viewer, body.afdeling)
    except FormErrors as error:
        return invalid(error.errors)
    return JSONResponse(Subscribed(nummer=number, adresse=link.url, webcal=link.webcal).model_dump(), status_code=201)


@router.delete("/abonnementer/{nummer}", status_code=204, responses={**ERRORS, 404: {}})
async def revoke(
    request: Request, nummer: int = Path(ge=1, le=2**31 - 1), viewer: Viewer = Depends(api_subscriber)
) -> None:
    """Tilbagekald en af mine personlige kalendere."""
    if not await run_in_threadpool(service.revoke, web(request), viewer, nummer):
        raise HTTPException(404, "Du har intet aktivt abonnement med det nummer.")
