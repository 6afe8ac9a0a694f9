"""A case's change history (models.audit): who, when, through what and what happened. Corrections
(sagsgang.cases.editing) write one row per changed field, old → new; the events of the case's
life — material received, a late addition, a decision, a moved meeting — write one row each,
worded in Danish (Materiale modtaget: "Direktionen, mødet 9. marts 2027"), in the same transaction as
the fact they tell of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from calendars.clock import Clock
from calendars.danish import long_date
from models.audit import CaseChange, add_changes
from models.tables import Case, Outcome
from sagsgang.cases.state import id_of

SOURCES = ("web", "api", "cli", "system")

# The history's field for each event (a correction names the form's field instead).
MATERIAL = "Materiale modtaget"
LATE = "Eftersendt"
DECISION = "Beslutning"
MOVED = "Mødet flyttet"
EVENTS = (MATERIAL, LATE, DECISION, MOVED)


@dataclass(frozen=True)
class Editor:
    """Who makes the change, and through what: 'web', 'api', 'cli', or 'system' (the lifecycle)."""

    name: str
    source: str


SYSTEM = Editor("Sagsgang", "system")


def change(case: Case, editor: Editor, clock: Clock, field: str, old: str, new: str) -> CaseChange:
    if editor.source not in SOURCES:
        raise ValueError(f"unknown source {editor.source!r}")
    return CaseChange(
        case_id=id_of(case),
        changed_at=clock.now(),
        changed_by=editor.name,
        source=editor.source,
        field=field,
        old=old,
        new=new,
    )


def material_received(
    session: Session, case: Case, editor: Editor, clock: Clock, received: list[tuple[str, dt.date]]
) -> None:
    """One row per (body name, meeting day) whose material came in."""
    add_changes(
        session,
        [change(case, editor, clock, MATERIAL, "", f"{name}, mødet {long_date(day)}") for name, day in received],
    )


def late_added(
    session: Session, case: Case, editor: Editor, clock: Clock, body_name: str, day: dt.date, decided_by: str
) -> None:
    what = f"til {body_name} {long_date(day)} efter fristen (besluttet af {decided_by})"
    add_changes(session, [change(case, editor, clock, LATE, "", what)])


def decided(
    session: Session,
    case: Case,
    editor: Editor,
    clock: Clock,
    body_name: str,
    day: dt.date,
    outcome: Outcome,
    text: str,
    new_ready: dt.date | None,
) -> None:
    what = f"{outcome} i {body_name} {long_date(day)}"
    if new_ready is not None:
        what += f"; klar igen {long_date(new_ready)}"
    if text.strip():
        what += f". {text.strip()}"
    add_changes(session, [change(case, editor, clock, DECISION, "", what)])


def meeting_moved(
    session: Session,
    cases: list[Case],
    editor: Editor,
    clock: Clock,
    body_name: str,
    old_day: dt.date,
    new_day: dt.date | None,
) -> None:
    """One row per case planned on a moved (new_day) or cancelled (None) meeting."""
    what = (
        f"{body_name}: fra {long_date(old_day)} til {long_date(new_day)}"
        if new_day is not None
        else f"{body_name} {long_date(old_day)} er aflyst"
    )
    add_changes(session, [change(case, editor, clock, MOVED, "", what) for case in cases])
