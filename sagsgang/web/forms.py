"""Reading what people typed into the web forms (and the same fields sent as JSON to /api/):
every problem as a Danish message on the field it belongs to, nothing stored.

Field names are the Danish ones the forms and the API share (kommune, titel, journalnummer, …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from calendars.danish import DateFormatError, parse_date, parse_time
from calendars.profile_reader import load_profile, shipped_profiles
from calendars.profiles import Profile, ProfileError
from calendars.workdays import FIRST_YEAR, LAST_YEAR
from models import fields
from models.agenda_items import AttachmentText, CaseText
from models.content import MAX_SLOT_MINUTES, ItemKind
from models.errors import Invalid
from models.tables import Outcome
from sagsgang.cases.launch import LaunchRequest
from sagsgang.errors import SagsgangError

MAX_TEXT = 20_000  # characters in one text field: a long Sagsfremstilling, not a book
MAX_LINE = fields.MAX_LINE


# A date input's bounds: the years Sagsgang's calendar covers (calendars.workdays).
DATE_MIN = dt.date(FIRST_YEAR, 1, 1).isoformat()
DATE_MAX = dt.date(LAST_YEAR, 12, 31).isoformat()


def read_day(text: str, field: str = "dato") -> dt.date:
    """The one reading of a date from a form, URL or query: åååå-mm-dd (what a date input sends)
    or dd-mm-åååå (typed where a browser has no date picker, or by a script), inside the
    calendar's years (nothing is looked up or planned on a day the calendar lacks); else
    DateFormatError, worded in Danish with the dd-mm-åååå format."""
    try:
        return fields.calendar_date(parse_date(text[:40]), field)
    except Invalid as error:
        raise DateFormatError(error.message) from None


class FormErrors(Exception):
    """Field name -> Danish message; '' is the form as a whole."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


class _Reader:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data: Mapping[str, Any] = data
        self.errors: dict[str, str] = {}

    def text(self, name: str, required: str | None = None, limit: int = MAX_LINE) -> str:
        """One line (the default) or, with a `limit` above MAX_LINE, a longer text (models.fields)."""
        value = self.data.get(name)
        try:
            if limit > MAX_LINE:
                text = fields.multi_line(value, name, "Teksten", limit)
            else:
                text = fields.single_line(value, name, "Feltet", limit)
        except Invalid as error:
            self.errors[name] = error.message
            return ""
        if required and not text:
            self.errors[name] = required
        return text

    def email(self, name: str, required: str | None) -> str:
        value = self.text(name, required)
        if value and name not in self.errors:
            try:
                return fields.email_address(value, name)
            except Invalid as error:
                self.errors[name] = error.message
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value or name in self.errors:
            return None
        try:
            return read_day(value, name)
        except DateFormatError as error:
            self.errors[name] = str(error)
            return None

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() in ("ja", "on", "true", "1")

    def lines(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name)
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                self.errors[name] = "Hvert punkt skal være tekst."
                return ()
            items = value
        else:
            items = self.text(name, limit=MAX_TEXT).split("\n")
        cleaned = tuple(line.strip().removeprefix("- ").strip() for line in items if line.strip())
        if any(len(line) > MAX_LINE * 4 for line in cleaned):
            self.errors[name] = f"Et punkt er for langt (højst {MAX_LINE * 4} tegn)."
        return cleaned

    def profile(self, name: str = "kommune") -> Profile | None:
        value = self.text(name, "Vælg kommunen.")
        if not value or name in self.errors:
            return None
        if value not in shipped_profiles():
            self.errors[name] = f"Kommunen '{value}' kendes ikke. Vælg en af: {', '.join(shipped_profiles())}."
            return None
        try:
            return load_profile(value)
        except ProfileError as error:
            self.errors[name] = str(error)
            return None

    def done(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


def read_launch(data: Mapping[str, Any], preview: bool = False) -> tuple[LaunchRequest, CaseText | None]:
    """A LaunchRequest and the case's texts (None when none were written), or FormErrors.

    With `preview`, only what the plan depends on must be filled in (kommune, rute, dates)."""
    r = _Reader(data)

    def need(message: str) -> str | None:
        return None if preview else message

    profile = r.profile()
    title = r.text("titel", need("Skriv sagens titel."))
    journal_number = r.text("journalnummer", need("Skriv sagens journalnummer (KLE), fx 27.00.00-G01-1-24."))
    if journal_number and "journalnummer" not in r.errors:
        try:
            fields.journal_number(journal_number, "journalnummer")
        except Invalid as error:
            r.errors["journalnummer"] = error.message
    owner = r.text("sagsbehandler", need("Skriv sagsbehandlerens navn."))
    owner_email = r.email("sagsbehandler_email", need("Skriv sagsbehandlerens e-mail: vedkommende får påmindelserne."))
    manager = r.text("leder", need("Skriv lederens navn."))
    manager_email = r.email("leder_email", need("Skriv lederens e-mail: vedkommende får eskaleringerne."))
    department = r.text("afdeling")
    route = r.text("rute", "Vælg sagens rute.")
    if profile and route and "rute" not in r.errors and route not in profile.routes:
        r.errors["rute"] = f"Ruten '{route}' findes ikke i {profile.name}. Vælg en af listen."
    ready = r.date("klar")
    target_body = r.text("maal_organ")
    target_date = r.date("maal_dato")
    if target_body and not target_date and "maal_dato" not in r.errors:
        r.errors["maal_dato"] = "Skriv datoen for målet (dd-mm-åååå), eller fjern organet."
    if target_date and not target_body and "maal_organ" not in r.errors:
        r.errors["maal_organ"] = "Vælg det organ, sagen skal nå senest på datoen."
    if target_body and profile and route in profile.routes and "maal_organ" not in r.errors:
        last = profile.routes[route].stages[-1]
        if target_body not in last:
            names = ", ".join(profile.bodies[b].name for b in last)
            r.errors["maal_organ"] = f"Målet skal være et organ i rutens sidste trin: {names}."
    if ready and target_date and target_date < ready and "maal_dato" not in r.errors:
        r.errors["maal_dato"] = "Målet ligger før den dato, sagen er klar. Ret en af datoerne."
    closed = r.flag("lukket")
    text = _read_text(r, need)
    r.done()
    if profile is None:  # r.profile() said why, and r.done() raised it
        raise FormErrors(r.errors)
    request = LaunchRequest(
        municipality=profile.key,
        title=title or "Forhåndsvisning",
        journal_number=journal_number or "00.00.00-A00-0-00",
        owner_name=owner or "-",
        owner_email=owner_email or "forhaandsvisning@example.org",
        manager_name=manager or "-",
        manager_email=manager_email or "forhaandsvisning@example.org",
        department=department,
        route=route,
        ready=ready,
        target_body=target_body or None,
        target_date=target_date,
        closed_item=closed,
    )
    return request, text


def _read_text(r: _Reader, need) -> CaseText | None:
    kind = r.text("punkttype") or ItemKind.DECISION.value
    if kind not in {k.value for k in ItemKind}:
        r.errors["punkttype"] = f"Vælg punkttype: {', '.join(k.value for k in ItemKind)}."
        kind = ItemKind.DECISION.value
    slot_text = r.text("tid")
    slot = None
    if slot_text and "tid" not in r.errors:
        if not slot_text.isdigit() or not 0 < int(slot_text) <= MAX_SLOT_MINUTES:
            r.errors["tid"] = f"Skriv tiden som et helt antal minutter mellem 1 og {MAX_SLOT_MINUTES}, fx 20."
        else:
            slot = int(slot_text)
    texts = {
        field: r.text(name, limit=MAX_TEXT)
        for name, field in (
            ("anledning", "occasion"),
            ("sagsfremstilling", "presentation"),
            ("oekonomi", "economy"),
            ("lovgrundlag", "legal_basis"),
        )
    }
    recommender = r.text("indstiller")
    points = r.lines("indstilling")
    attachments = tuple(AttachmentText(title) for title in r.lines("bilag"))
    if not (slot or any(texts.values()) or recommender or points or attachments or r.data.get("punkttype")):
        return None
    return CaseText(
        kind=ItemKind(kind), slot_minutes=slot, recommender=recommender, points=points, attachments=attachments, **texts
    )


OUTCOME_CHOICES = tuple(outcome.value for outcome in Outcome)


def read_decision(data: Mapping[str, Any]) -> tuple[str, Outcome, str, dt.date | None]:
    """(body key, outcome, text, new ready date) or FormErrors."""
    r = _Reader(data)
    body = r.text("organ", "Vælg organet.")
    outcome_text = r.text("udfald", "Vælg udfaldet.")
    outcome = None
    if outcome_text and "udfald" not in r.errors:
        if outcome_text not in OUTCOME_CHOICES:
            r.errors["udfald"] = f"Vælg et af udfaldene: {', '.join(OUTCOME_CHOICES)}."
        else:
            outcome = Outcome(outcome_text)
    text = r.text("tekst", limit=MAX_TEXT)
    new_ready = r.date("ny_klar")
    if new_ready and outcome is not None and outcome is not Outcome.SENT_BACK:
        r.errors["ny_klar"] = "En ny klar-dato hører kun til udfaldet 'tilbagesendt'. Tøm feltet."
    r.done()
    if outcome is None:  # r.text() said why, and r.done() raised it
        raise FormErrors(r.errors)
    return body, outcome, text, new_ready


def read_late(data: Mapping[str, Any]) -> tuple[str, dt.date, str, str]:
    """(body key, meeting day, who decided, why) for a late addition, or FormErrors."""
    r = _Reader(data)
    body = r.text("organ", "Vælg organet.")
    day = r.date("dato")
    if day is None and "dato" not in r.errors:
        r.errors["dato"] = "Skriv mødets dato, fx 20-03-2024."
    decided_by = r.text("besluttet_af", "Skriv hvem der besluttede at eftersende sagen, fx Direktørforum.")
    reason = r.text("begrundelse", limit=MAX_TEXT)
    r.done()
    if day is None:  # r.done() raised the reason
        raise FormErrors(r.errors)
    return body, day, decided_by, reason


def read_meeting_change(data: Mapping[str, Any], moving: bool) -> tuple[dt.date | None, dt.time | None]:
    """(new day, new time) for a move; (None, None) for a cancellation. FormErrors on bad input."""
    if not moving:
        return None, None
    r = _Reader(data)
    new_day = None
    if r.text("ny_dato", "Skriv den nye dato (dd-mm-åååå).") and "ny_dato" not in r.errors:
        new_day = r.date("ny_dato")
    new_time = None
    if time_text := r.text("tid"):
        try:
            new_time = parse_time(time_text)
        except DateFormatError as error:
            r.errors["tid"] = str(error)
    r.done()
    return new_day, new_time


# The form fields of the domain's fields (sagsgang.errors.SagsgangError.field).
FORM_FIELDS = {
    "journal_number": "journalnummer",
    "title": "titel",
    "owner_email": "sagsbehandler_email",
    "manager_email": "leder_email",
    "route": "rute",
    "ready": "klar",
    "target_date": "maal_dato",
    "municipality": "kommune",
    "body": "organ",
    "outcome": "udfald",
    "new_ready": "ny_klar",
    "new_day": "ny_dato",
}


def form_field(error: SagsgangError, default: str = "") -> str:
    """The form field to show `error` at: its own field's, else `default` ("" = the form's top)."""
    return FORM_FIELDS.get(error.field or "", default)
