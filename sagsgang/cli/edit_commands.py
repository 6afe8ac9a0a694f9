"""`sagsgang sag ret SAG [--titel …] [--klar DATO] [--rute RUTE] …`: correct a case from the
command line, as the case page's Ret sagen does (sagsgang.cases.editing): every changed field is
written to the case's change history with source 'cli', and a new ready date or route re-plans it."""

from __future__ import annotations

import dataclasses
import getpass

from sagsgang.cli.database import current_database
from sagsgang.inputs import UserError, read_date

# option → CaseFacts field
_OPTIONS = {
    "titel": "title",
    "sagsbehandler": "owner_name",
    "sagsbehandler_email": "owner_email",
    "leder": "manager_name",
    "leder_email": "manager_email",
    "afdeling": "department",
    "rute": "route",
}


def editor_name(given: str | None) -> str:
    """Who the history names: --af, else the user logged in on this machine."""
    return (given or "").strip() or getpass.getuser()


def edit_command(args) -> int:
    from sagsgang.cases.editing import edit_case, facts_of
    from sagsgang.cases.history import Editor
    from sagsgang.cases.state import find_case
    from sagsgang.cli.case_commands import _advance

    db = current_database(args.settings)
    clock = args.settings.clock()
    with db.session_scope() as session:
        case = find_case(session, args.sag, args.kommune)
        given = {
            field: getattr(args, option) for option, field in _OPTIONS.items() if getattr(args, option) is not None
        }
        if args.klar is not None:
            given["ready_date"] = read_date(args.klar, "ready")
        if not given:
            raise UserError('Angiv mindst én rettelse, fx --titel "…" eller --klar 15-03-2027.')
        facts = dataclasses.replace(facts_of(case), **given)
        changes = edit_case(session, case, facts, None, Editor(editor_name(args.af), "cli"), clock)
        municipality, journal_number = case.municipality, case.journal_number
        for change in changes:
            print(f"{change.field}: {change.old or '(tom)'} → {change.new or '(tom)'}")
    if not changes:
        print("Der var ingen ændringer at gemme.")
        return 0
    print(f"Sagen {journal_number} er rettet; rettelserne står i sagens historik.")
    if "ready_date" in given or "route" in given:
        return _advance(args.settings, "Rettelsen", journal_number, municipality)
    return 0


def register(sub) -> None:
    """`ret` under `sag` (sagsgang.cli.case_commands)."""
    edit = sub.add_parser(
        "ret",
        help="ret en sags titel, ansvarlige, afdeling, klar-dato eller rute",
        description="Retter sagen. Hver ændring skrives i sagens historik; en ny klar-dato eller "
        "rute planlægger sagen igen. Ruten kan kun ændres, før et organ har behandlet sagen.",
    )
    edit.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    edit.add_argument("--titel", metavar="TITEL")
    edit.add_argument("--sagsbehandler", metavar="NAVN")
    edit.add_argument("--sagsbehandler-email", metavar="E-MAIL")
    edit.add_argument("--leder", metavar="NAVN")
    edit.add_argument("--leder-email", metavar="E-MAIL")
    edit.add_argument("--afdeling", metavar="NAVN")
    edit.add_argument("--klar", metavar="DATO", help="den nye dato, sagen er klar")
    edit.add_argument("--rute", metavar="RUTE", help="rutens nøgle i profilen")
    edit.add_argument("--af", metavar="NAVN", help="hvem der retter (standard: brugeren på maskinen)")
    edit.add_argument("--kommune", metavar="NAVN", help="kun nødvendig hvis journalnummeret findes i flere")
    edit.set_defaults(handler=edit_command)
