"""Launching a case: the request as the secretary fills it in, checked and stored with its plan.
Bad input raises UserError (Danish) and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from calendars.clock import Clock
from calendars.planner import Target
from calendars.profiles import Profile, Route
from models import fields
from models.store import save_plan
from models.tables import Body, Case
from sagsgang.cases.scheduling import plan_route
from sagsgang.inputs import UserError, read_profile, read_route


class LaunchRequest(BaseModel):
    """A new case, as the secretary fills it in (CLI or the Prefect UI's run form)."""

    model_config = ConfigDict(title="Ny sag")

    municipality: str = Field(title="Kommune", description="Profilens navn, fx slagelse")
    title: str = Field(title="Sagens titel", min_length=1)
    journal_number: str = Field(title="Journalnummer (KLE)", description="Fx 27.00.00-G01-1-24")
    owner_name: str = Field(title="Sagsbehandler", min_length=1)
    owner_email: str = Field(title="Sagsbehandlers e-mail")
    manager_name: str = Field(title="Leder", min_length=1)
    manager_email: str = Field(title="Leders e-mail")
    department: str = Field("", title="Afdeling")
    route: str = Field(title="Rute", description="Rutens nøgle i profilen, fx politisk")
    ready: dt.date | None = Field(None, title="Sagen er klar", description="Tom: i dag")
    target_body: str | None = Field(None, title="Mål: organ", description="Fx byraadet (rutens sidste trin)")
    target_date: dt.date | None = Field(None, title="Mål: senest den")
    closed_item: bool = Field(False, title="Lukket punkt")


def launch(session: Session, request: LaunchRequest, clock: Clock) -> Case:
    """Store a new case and its plan. Raises UserError (Danish) on bad input; writes nothing then."""
    profile = read_profile(request.municipality)
    route = read_route(profile, request.route)
    ready = request.ready or clock.today()
    target = _target(profile, route, request)
    try:  # the shared rules (models.fields): the dates here, the texts in the table's own validators
        for day, field in ((request.ready, "ready"), (request.target_date, "target_date")):
            if day is not None:
                fields.calendar_date(day, field)
        case = Case(
            municipality=profile.key,
            journal_number=fields.journal_number(request.journal_number),  # as typed, spaces around it dropped
            title=request.title.strip(),
            route_key=route.key,
            ready_date=ready,
            closed_item=request.closed_item,
            owner_name=request.owner_name.strip(),
            owner_email=request.owner_email.strip(),
            manager_name=request.manager_name.strip(),
            manager_email=request.manager_email.strip(),
            department=request.department.strip(),
            target_date=target.day if target else None,
        )
    except ValueError as error:  # the table's own checks: KLE journal number, e-mail addresses
        raise UserError(str(error), getattr(error, "field", None)) from None
    if not case.title:
        raise UserError("Sagen skal have en titel.", "title")
    if not case.owner_name or not case.manager_name:
        raise UserError("Skriv navnet på både sagsbehandler og leder (kun mellemrum tæller ikke).", "owner_name")
    if not case.owner_email or not case.manager_email:
        raise UserError(
            "Angiv e-mail for både sagsbehandler og leder: de får påmindelser og eskaleringer.", "owner_email"
        )
    duplicate = session.exec(
        select(Case.id).where(Case.municipality == profile.key, Case.journal_number == case.journal_number)
    ).first()
    if duplicate is not None:
        raise UserError(
            f"Sagen {case.journal_number} findes allerede i {profile.name}. Vælg et andet journalnummer, "
            "eller ret den eksisterende sag.",
            "journal_number",
        )
    result = plan_route(session, profile, route, ready, target, since=clock.today())
    bodies = {row.key: row for row in session.exec(select(Body).where(Body.municipality == profile.key))}
    if target:
        case.target_body_id = bodies[target.body].id
    session.add(case)
    try:
        session.flush()
    except IntegrityError:
        raise UserError(f"Sagen {case.journal_number} blev oprettet af en anden samtidig.", "journal_number") from None
    save_plan(session, case, result)
    return case


def check_launch(engine, request: LaunchRequest, clock: Clock) -> None:
    """Everything launch() would refuse, refused now, with nothing written (rolled back)."""
    with Session(engine) as session:
        try:
            launch(session, request, clock)
        finally:
            session.rollback()


def _target(profile: Profile, route: Route, request: LaunchRequest) -> Target | None:
    if request.target_body is None and request.target_date is None:
        return None
    if request.target_body is None or request.target_date is None:
        raise UserError("Et mål skal have både organ og dato, fx byraadet:24-06-2027.", "target_date")
    if request.target_body not in profile.bodies:
        raise UserError(
            f"Organet '{request.target_body}' findes ikke i {profile.name}. Vælg et af: {', '.join(route.stages[-1])}.",
            "target_date",
        )
    return Target(request.target_body, request.target_date)
