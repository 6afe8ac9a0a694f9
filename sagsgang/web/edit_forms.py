"""The edit form of a case (and the same fields as JSON to the API): read with Danish messages on
their fields (sagsgang.web.forms), and filled in from what the case has now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.agenda_items import CaseText
from sagsgang.cases.editing import CaseFacts
from sagsgang.web.forms import FormErrors, _read_text, _Reader


def read_edit(data: Mapping[str, Any]) -> tuple[CaseFacts, CaseText | None]:
    """The corrected facts and texts (None when the form sent no text fields), or FormErrors."""
    r = _Reader(data)
    title = r.text("titel", "Skriv sagens titel.")
    owner = r.text("sagsbehandler", "Skriv sagsbehandlerens navn.")
    owner_email = r.email("sagsbehandler_email", "Skriv sagsbehandlerens e-mail: vedkommende får påmindelserne.")
    manager = r.text("leder", "Skriv lederens navn.")
    manager_email = r.email("leder_email", "Skriv lederens e-mail: vedkommende får eskaleringerne.")
    department = r.text("afdeling")
    route = r.text("rute", "Vælg sagens rute.")
    ready = r.date("klar")
    if ready is None and "klar" not in r.errors:
        r.errors["klar"] = "Skriv den dato, sagen er klar (dd-mm-åååå)."
    text = _read_text(r, lambda message: message)
    r.done()
    if ready is None:  # r.done() raised the reason
        raise FormErrors(r.errors)
    return CaseFacts(title, owner, owner_email, manager, manager_email, department, ready, route), text


def edit_form_values(facts: CaseFacts, text: CaseText | None) -> dict[str, str]:
    values = {
        "titel": facts.title,
        "sagsbehandler": facts.owner_name,
        "sagsbehandler_email": facts.owner_email,
        "leder": facts.manager_name,
        "leder_email": facts.manager_email,
        "afdeling": facts.department,
        "rute": facts.route,
        "klar": facts.ready_date.isoformat(),  # what a date input shows
    }
    if text is not None:
        values |= {
            "punkttype": str(text.kind),
            "tid": str(text.slot_minutes or ""),
            "anledning": text.occasion,
            "sagsfremstilling": text.presentation,
            "oekonomi": text.economy,
            "lovgrundlag": text.legal_basis,
            "indstiller": text.recommender,
            "indstilling": "\n".join(text.points),
            "bilag": "\n".join(a.title for a in text.attachments),
        }
    return values
