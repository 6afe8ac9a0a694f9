"""The JSON API's documents (sagsgang.web.routes.api_*): what goes in and out, as the OpenAPI
document at /api/openapi.json describes them. Field names are the Danish ones users see."""

from __future__ import annotations

import datetime as dt

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from models.content import ItemKind
from models.tables import Outcome
from sagsgang.cases import caseview
from sagsgang.cases.follow_up import NEXT_STEPS, NextStep
from sagsgang.web.service import Viewer

DATE = "Dato som dd-mm-åååå (fx 24-06-2027) eller åååå-mm-dd"
ERRORS: dict[int | str, dict[str, object]] = {
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


def me_out(found: Viewer, token: str) -> Me:
    return Me(
        brugernavn=found.username,
        navn=found.name,
        email=found.email,
        rolle=str(found.role),
        maa_skrive=found.may_write,
        csrf_token=token,
    )


# --- cases --------------------------------------------------------------------------------------


class Standing(BaseModel):
    status: str = Field(description="i rute | i risiko | frist overskredet | afventer beslutning | afsluttet")
    naeste_frist: dt.date | None
    naeste_organ: str
    luft_arbejdsdage: int | None
    bemaerkning: str = Field("", description="Fx 'mødet er holdt: Direktionen tirsdag 9. marts 2027'")


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


def standing_out(s: caseview.Standing) -> Standing:
    return Standing(
        status=s.health.value,
        naeste_frist=s.next_deadline,
        naeste_organ=s.next_body,
        luft_arbejdsdage=s.slack_working_days,
        bemaerkning=s.note,
    )


class Step(BaseModel):
    fase: str = Field(description="afsluttet | næste | senere | ikke nået")
    tilstand: str = Field(
        description="behandlet | næste | materiale afleveret | frist overskredet | afventer beslutning | senere | ikke nået"
    )
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


def steps_out(entries: list[caseview.Entry]) -> list[Step]:
    return [
        Step(
            fase=e.phase.value,
            tilstand=e.state.value,
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


class ChangeOut(BaseModel):
    """Én rettelse i sagens historik."""

    tidspunkt: dt.datetime
    af: str
    kilde: str = Field(description="web, api, cli eller system (sagsforløbet selv)")
    felt: str
    foer: str
    efter: str


def changes_out(changes) -> list[ChangeOut]:
    return [ChangeOut(tidspunkt=c.at, af=c.by, kilde=c.source, felt=c.field, foer=c.old, efter=c.new) for c in changes]


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
    aendringer: list[ChangeOut] = Field(default_factory=list, description="Sagens rettelser, nyeste først")


class CaseMunicipality(BaseModel):
    kommune: str


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


class CaseEditIn(Strict):
    """Rettelser til en sag; felter, der udelades, forbliver som de er (samme felter som Ret sagen)."""

    titel: str | None = Field(None, max_length=500)
    sagsbehandler: str | None = Field(None, max_length=500)
    sagsbehandler_email: str | None = Field(None, max_length=500)
    leder: str | None = Field(None, max_length=500)
    leder_email: str | None = Field(None, max_length=500)
    afdeling: str | None = Field(None, max_length=500)
    rute: str | None = Field(None, max_length=100)
    klar: str | None = Field(None, max_length=40, description=DATE)
    punkttype: ItemKind | None = None
    tid: str | None = Field(None, max_length=10)
    anledning: str | None = Field(None, max_length=20_000)
    sagsfremstilling: str | None = Field(None, max_length=20_000)
    oekonomi: str | None = Field(None, max_length=20_000)
    lovgrundlag: str | None = Field(None, max_length=20_000)
    indstiller: str | None = Field(None, max_length=500)
    indstilling: list[str] | None = Field(None, max_length=50)
    bilag: list[str] | None = Field(None, max_length=50)

    def over(self, current: dict[str, str]) -> dict:
        """The form's fields: the case's current values, with the given ones on top."""
        given = self.model_dump(exclude_none=True)
        if self.punkttype is not None:
            given["punkttype"] = self.punkttype.value
        return {**current, **given}


class MaterialIn(Strict):
    organ: str | None = Field(
        None, max_length=100, description="Organets nøgle, fx direktion; udeladt: alle organer i sagens aktuelle trin"
    )


class EditPreview(BaseModel):
    tidsplan: list[Step]


class Preview(BaseModel):
    tidsplan: list[Step]


class FollowedUp(BaseModel):
    """What happens after the action: `naeste` says it, `koersel` is the page of the service's run."""

    naeste: str | None = Field(None, description="Fx 'Tjenesten følger op og sender påmindelserne.'")
    koersel: str | None = Field(None, description="Kørslens side i Prefect, når tjenesten følger op")


def followed_up(next_step: NextStep | None) -> dict[str, str | None]:
    """FollowedUp's fields after an action (sagsgang.web.service.follow)."""
    if next_step is None:
        return {"naeste": None, "koersel": None}
    return {"naeste": NEXT_STEPS[next_step], "koersel": next_step.run_url}


class Launched(FollowedUp):
    kommune: str
    journalnummer: str
    adresse: str
    advarsel: str | None = None


class DecisionIn(Strict):
    organ: str = Field(max_length=100, description="Organets nøgle, fx direktion")
    udfald: Outcome
    tekst: str = Field("", max_length=20_000)
    ny_klar: str = Field("", max_length=40, description=DATE + "; kun ved tilbagesendt")


class LateIn(Strict):
    organ: str = Field(max_length=100, description="Organets nøgle, fx chefforum")
    dato: str = Field(max_length=40, description=DATE + "; mødets dato")
    besluttet_af: str = Field(max_length=200, description="Hvem besluttede det, fx Direktørforum")
    begrundelse: str = Field("", max_length=20_000)


class Done(FollowedUp):
    besked: str
    advarsel: str | None = None


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


class MeetingChangeIn(Strict):
    handling: str = Field(pattern="^(flyt|aflys)$", description="flyt | aflys")
    ny_dato: str = Field("", max_length=40, description=DATE + "; kun ved flyt")
    tid: str = Field("", max_length=20, description="Nyt klokkeslæt tt:mm (valgfrit)")
    bekraeft: bool = Field(False, description="false: vis blot, hvor mange sager der planlægges igen")
    bekraeft_dag: bool = Field(False, description="true: flyt også til en helligdag, lukkedag, weekend eller ferie")


class MeetingChanged(FollowedUp):
    besked: str
    sager: list[str]
    udfoert: bool
    advarsel: str | None = None


# --- subscriptions ------------------------------------------------------------------------------


class FeedOut(BaseModel):
    titel: str
    adresse: str
    webcal: str


class PersonalOut(BaseModel):
    nummer: int
    afdeling: str
    oprettet: dt.date


class SubscribeIn(Strict):
    afdeling: str = Field("", max_length=200)


class Subscribed(BaseModel):
    nummer: int
    adresse: str
    webcal: str
