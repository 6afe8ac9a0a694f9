"""`sagsgang sager eksport FIL`: the open cases, with the Sager page's filters, as an Excel sheet
(.xlsx) or a CSV file Danish Excel opens (.csv)."""

from __future__ import annotations

from pathlib import Path

from sagsgang.cli.database import current_database
from sagsgang.cli.output import format_for, write_file
from sagsgang.danish_words import count
from sagsgang.inputs import UserError, read_profile

_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv"}


def export_command(args) -> int:
    from sagsgang.cases import caseview
    from sagsgang.publishing import spreadsheets

    fmt = format_for(args.fil, _SUFFIXES)
    profile = read_profile(args.kommune)
    if args.organ and args.organ not in profile.bodies:
        raise UserError(
            f"Organet '{args.organ}' findes ikke i {profile.name}. Kendte organer: {', '.join(profile.bodies)}."
        )
    db = current_database(args.settings)
    with db.session_scope() as session:
        listed = caseview.open_cases(
            session, args.settings.clock().today(), args.organ or "", args.afdeling or "", args.ansvarlig or ""
        )
    listed = [case for case in listed if case.municipality == profile.key]
    sheet = spreadsheets.case_list_sheet(listed)
    write_file(Path(args.fil), spreadsheets.to_xlsx(sheet) if fmt == "xlsx" else spreadsheets.to_csv(sheet))
    print(f"{count(len(listed), 'sag')} fra {profile.name} er skrevet til {args.fil}.")
    return 0


def register(commands) -> None:
    cases = commands.add_parser("sager", help="lister over sager til Excel", description="Sagslister som filer.")
    sub = cases.add_subparsers(title="kommandoer", metavar="<kommando>", required=True)
    export = sub.add_parser(
        "eksport",
        help="de åbne sager som .xlsx eller .csv",
        description="Skriver de åbne sager, de mest presserende først, som Excel-ark (.xlsx) eller "
        "CSV med semikolon (.csv), med samme filtre som siden Sager.",
    )
    export.add_argument("fil", help="filen: .xlsx (Excel) eller .csv")
    export.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    export.add_argument("--organ", metavar="ORGAN", help="kun sager, der endnu skal til dette organ")
    export.add_argument("--afdeling", metavar="NAVN", help="kun sager fra denne afdeling")
    export.add_argument("--ansvarlig", metavar="NAVN|E-MAIL", help="kun sager med denne sagsbehandler")
    export.set_defaults(handler=export_command)
