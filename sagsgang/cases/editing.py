"""Correcting a case after it was started: its title, people, department, ready date, route and
texts. Every changed field is written to the case's change history (models.audit) in the same
transaction, with who changed it and through what (web, api, cli). A changed ready date or
route re-plans the rest of the route (sagsgang.cases.routing.put_on_meetings, the one place
re-planning happens). Bad input raises UserError (Danish) and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.clock import Clock
from calendars.danish import short_date
from models.agenda_items import AttachmentText, CaseText, case_text, set_case_content
from models.audit import CaseChange, add_changes
from models.tables import Case, Consultation, Decision
from sagsgang.cases.history import Editor
from sagsgang.cases.history import change as _change
from sagsgang.cases.routing import put_on_meetings
from sagsgang.cases.state import id_of, touch
from sagsgang.inputs import UserError, read_profile, read_route


@dataclass(frozen=True)
class CaseFacts:
    """The facts of a case a secretary may correct."""

    title: str
    owner_name: str
    owner_email: str
    manager_name: str
    manager_email: str
    department: str
    ready_date: dt.date
    route: str  # the route's key in the profile


# The history names each field as the edit form labels it.
FACT_LABELS = {
    "title": "Titel",
    "owner_name": "Sagsbehandler",
    "owner_email": "Sagsbehandlers e-mail",
    "manager_name": "Leder",
    "manager_email": "Leders e-mail",
    "department": "Afdeling",
    "ready_date": "Sagen er klar",
    "route": "Rute",
}
TEXT_LABELS = {
    "kind": "Punkttype",
    "slot_minutes": "Tid på mødet (minutter)",
    "occasion": "Anledning",
    "presentation": "Sagsfremstilling",
    "economy": "Økonomi",
    "legal_basis": "Lovgrundlag",
    "recommender": "Indstiller",
    "points": "Indstilling",
    "attachments": "Bilag",
}


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts(
        case.title,
        case.owner_name,
        case.owner_email,
        case.manager_name,
        case.manager_email,
        case.department,
        case.ready_date,
        case.route_key,
    )


def edit_case(
    session: Session, case: Case, facts: CaseFacts, text: CaseText | None, editor: Editor, clock: Clock
) -> list[CaseChange]:
    """Store the corrected facts and texts (None: the texts stay as they are); re-plan when the
    ready date or the route changed. Returns the changes written to the history."""
    before = facts_of(case)
    facts = _stripped(facts)
    if not facts.title:
        raise UserError("Sagen skal have en titel.", "title")
    if not facts.owner_email or not facts.manager_email:
        raise UserError(
            "Angiv e-mail for både sagsbehandler og leder: de får påmindelser og eskaleringer.", "owner_email"
        )
    profile = read_profile(case.municipality)
    if facts.route != before.route:
        read_route(profile, facts.route)
        if _decided(session, case):
            raise UserError(
                "Ruten kan kun ændres, før et organ har behandlet sagen. Registrér i stedet udfaldet "
                "'tilbagesendt', og start en ny sag med den rigtige rute.",
                "route",
            )
    if facts.ready_date != before.ready_date and facts.ready_date < clock.today():
        raise UserError(
            f"Sagen kan ikke blive klar før i dag ({short_date(clock.today())}). Skriv i dag eller en senere dato.",
            "ready",
        )
    changes = [
        _change(case, editor, clock, FACT_LABELS[name], _shown(old), _shown(new))
        for name, old, new in _differences(before, facts)
    ]
    try:
        for name, _old, new in _differences(before, facts):
            setattr(case, "route_key" if name == "route" else name, new)
    except ValueError as error:  # the table's own checks: e-mail addresses
        raise UserError(str(error), getattr(error, "field", None)) from None
    if facts.route != before.route:
        # The old route's plan goes; nothing was decided on it (checked above).
        session.exec(sa.delete(Consultation).where(col(Consultation.case_id) == id_of(case)))
    if text is not None:
        changes += set_texts(session, case, text, editor, clock, record=False)
    touch(session, case, "rettelsen")
    if facts.route != before.route or facts.ready_date != before.ready_date:
        put_on_meetings(session, case, profile)
    add_changes(session, changes)
    return changes


def set_texts(
    session: Session, case: Case, text: CaseText, editor: Editor, clock: Clock, record: bool = True
) -> list[CaseChange]:
    """Give the case these texts (as `sagsgang sagstekst` and the edit form do) and write what
    changed to the history. An attachment given by title only keeps the file it had."""
    old = case_text(session, case) or CaseText()
    files = {a.title: a.file for a in old.attachments if a.file}
    text = dataclasses.replace(
        text, attachments=tuple(AttachmentText(a.title, a.file or files.get(a.title, "")) for a in text.attachments)
    )
    try:
        set_case_content(session, case, text)
    except ValueError as error:
        raise UserError(str(error), getattr(error, "field", None)) from None
    changes = [
        _change(case, editor, clock, label, _text_value(old, name), _text_value(text, name))
        for name, label in TEXT_LABELS.items()
        if _text_value(old, name) != _text_value(text, name)
    ]
    if record:
        add_changes(session, changes)
    return changes


def _stripped(facts: CaseFacts) -> CaseFacts:
    return CaseFacts(
        facts.title.strip(),
        facts.owner_name.strip(),
        facts.owner_email.strip(),
        facts.manager_name.strip(),
        facts.manager_email.strip(),
        facts.department.strip(),
        facts.ready_date,
        facts.route.strip(),
    )


def _differences(before: CaseFacts, after: CaseFacts) -> list[tuple[str, object, object]]:
    return [
        (f.name, getattr(before, f.name), getattr(after, f.name))
        for f in dataclasses.fields(CaseFacts)
        if getattr(before, f.name) != getattr(after, f.name)
    ]


def _decided(session: Session, case: Case) -> bool:
    return (
        session.exec(
            select(Decision.id)
            .join(Consultation, col(Consultation.id) == col(Decision.consultation_id))
            .where(Consultation.case_id == id_of(case))
        ).first()
        is not None
    )


def _shown(value: object) -> str:
    return short_date(value) if isinstance(value, dt.date) else str(value)


def _text_value(text: CaseText, name: str) -> str:
    value = getattr(text, name)
    if name == "points":
        return "\n".join(value)
    if name == "attachments":
        return "\n".join(a.title for a in value)
    return "" if value is None else str(value)
