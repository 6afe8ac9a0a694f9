"""Agenda and minutes commands: `sagsgang dagsorden …` and `sagsgang sagstekst …`.

Only light imports here: the database layer and the document code are imported inside the
commands, so `sagsgang plan` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sagsgang.cli.database import current_database
from sagsgang.cli.main import worded
from sagsgang.cli.output import format_for, write_file
from sagsgang.inputs import UserError, read_date, read_profile

_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".pdf": "pdf", ".docx": "docx"}


def _output_format(args) -> str:
    if args.format:
        return args.format
    if args.o:
        return format_for(args.o, _SUFFIXES, "Eller vælg formatet med --format.")
    return "md"


def agenda_command(args) -> int:
    from models.agenda_items import find_meeting, load_agenda
    from sagsgang.publishing.agenda import AgendaError, compose
    from sagsgang.publishing.agenda_render import PdfUnavailable, render

    day = read_date(args.dato)
    published = read_date(args.udsendes) if args.udsendes else None
    if args.referat and (args.udsendes or args.begrundelse):
        raise UserError("--udsendes og --begrundelse gælder dagsordenen, ikke referatet. Fjern dem eller --referat.")
    fmt = _output_format(args)
    if fmt == "pdf" and not args.o:
        raise UserError("En PDF skal skrives til en fil: angiv fx -o dagsorden.pdf.")
    if fmt == "docx" and not args.o:
        raise UserError("Et Word-dokument skal skrives til en fil: angiv fx -o dagsorden.docx.")
    profile = read_profile(args.kommune) if args.kommune else None
    db = current_database(args.settings)
    with db.session_scope() as session:
        try:
            meeting = find_meeting(session, args.organ, day, profile.key if profile else None)
        except LookupError as error:
            raise worded(error) from None
        stored = load_agenda(session, meeting)
    profile = profile or read_profile(stored.municipality)
    try:
        document = compose(
            stored,
            profile,
            minutes=args.referat,
            public=args.offentlig,
            today=args.settings.clock().today(),
            published=published,
            reason=args.begrundelse or "",
        )
        content = render(document, fmt)
    except (AgendaError, PdfUnavailable) as error:
        raise UserError(str(error)) from None

    for notice in document.notices:
        print(f"Bemærk: {notice}", file=sys.stderr)
    if document.undecided:
        numbers = ", ".join(str(n) for n in document.undecided)
        print(f"Bemærk: der er ikke registreret beslutning på punkt {numbers}.", file=sys.stderr)
    if args.o:
        write_file(Path(args.o), content)
        version = "offentlig" if args.offentlig else "intern"
        print(
            f"{document.kind} for {document.body} {document.when} ({version} udgave) er skrevet til {args.o}.",
            file=sys.stderr,
        )
    elif isinstance(content, bytes):  # a PDF needs -o, so this is for completeness
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    return 0


def case_text_command(args) -> int:
    from models.agenda_items import find_case
    from sagsgang.cases.editing import set_texts
    from sagsgang.cases.history import Editor
    from sagsgang.cli.edit_commands import editor_name
    from sagsgang.publishing.case_texts import CaseTextError, read_case_text

    try:
        text_file = read_case_text(Path(args.fil))
    except CaseTextError as error:
        raise UserError(str(error)) from None
    profile = read_profile(args.kommune) if args.kommune else None
    db = current_database(args.settings)
    with db.session_scope() as session:
        try:
            case = find_case(session, args.journalnr, profile.key if profile else None)
            set_texts(session, case, text_file.text, Editor(editor_name(None), "cli"), args.settings.clock())
            if text_file.closed is not None:
                case.closed_item = text_file.closed
        except (LookupError, ValueError) as error:
            raise worded(error) from None
        title, journal_number, closed = case.title, case.journal_number, case.closed_item
    text = text_file.text
    points = len(text.points)
    print(
        f"Teksterne til {journal_number} ({title}) er gemt: {text.kind}, "
        f"{points} indstillingspunkt{'er' if points != 1 else ''}, {len(text.attachments)} bilag"
        f"{', lukket punkt' if closed else ''}."
    )
    return 0


def standing_items_command(args) -> int:
    from models.agenda_items import find_meeting, set_meeting_notes

    if args.journalnr is None and args.godkendelse is None and args.eventuelt is None:
        raise UserError("Angiv mindst én af --journalnr, --godkendelse og --eventuelt.")
    day = read_date(args.dato)
    profile = read_profile(args.kommune) if args.kommune else None
    db = current_database(args.settings)
    with db.session_scope() as session:
        try:
            meeting = find_meeting(session, args.organ, day, profile.key if profile else None)
            set_meeting_notes(
                session,
                meeting,
                journal_number=args.journalnr,
                approval_decision=args.godkendelse,
                other_business_decision=args.eventuelt,
            )
        except (LookupError, ValueError) as error:
            raise worded(error) from None
    print("De faste punkter er gemt.")
    return 0


def register(commands) -> None:
    agenda = commands.add_parser(
        "dagsorden",
        help="dagsorden eller referat for et møde (html, md, pdf eller docx)",
        description="Laver dagsordenen for et organs møde ud fra sagerne på mødet, eller referatet med "
        "beslutningerne (--referat). Den offentlige udgave (--offentlig) viser lukkede punkter "
        "som 'Lukket punkt' uden indhold.",
    )
    agenda.add_argument("organ", help="organets nøgle i profilen, fx chefforum")
    agenda.add_argument("dato", help="mødedatoen (dd-mm-åååå)")
    agenda.add_argument(
        "--kommune", metavar="NAVN|STI", help="kommunens profil (standard: den kommune, organet hører til)"
    )
    agenda.add_argument("--referat", action="store_true", help="referat med beslutninger i stedet for dagsorden")
    agenda.add_argument("--offentlig", action="store_true", help="offentlig udgave: lukkede punkter uden indhold")
    agenda.add_argument(
        "--format",
        choices=("html", "md", "pdf", "docx"),
        help="html, md, pdf eller docx (standard: ud fra filendelsen i -o, ellers md)",
    )
    agenda.add_argument("-o", metavar="FIL", help="skriv til denne fil i stedet for skærmen")
    agenda.add_argument(
        "--udsendes",
        metavar="DATO",
        help="datoen dagsordenen udsendes (standard: i dag); tjekkes mod Kommunestyrelseslovens § 8, stk. 4",
    )
    agenda.add_argument(
        "--begrundelse",
        metavar="TEKST",
        help="hvorfor dagsordenen udsendes senere end reglen siger; trykkes på dagsordenen",
    )
    agenda.set_defaults(handler=agenda_command)

    case_text = commands.add_parser(
        "sagstekst",
        help="gem en sags tekster (anledning, sagsfremstilling, indstilling, bilag) fra en TOML-fil",
        description="Gemmer sagens tekster til dagsorden og referat fra en TOML-fil med nøglerne "
        "punkttype, tid, lukket, anledning, sagsfremstilling, oekonomi, lovgrundlag, indstiller, "
        "indstilling og [[bilag]] (titel, fil). Filen erstatter sagens tidligere tekster.",
    )
    case_text.add_argument("journalnr", help="sagens journalnummer, fx 81.10.00-A26-1-24")
    case_text.add_argument("fil", help="TOML-filen med teksterne")
    case_text.add_argument(
        "--kommune", metavar="NAVN|STI", help="kommunens profil, hvis journalnummeret findes i flere"
    )
    case_text.set_defaults(handler=case_text_command)

    standing = commands.add_parser(
        "faste-punkter",
        help="journalnummer og beslutninger for et mødes faste punkter",
        description="Gemmer journalnummeret for mødets faste punkter og beslutningerne på "
        "'Godkendelse af dagsorden og referat' og 'Eventuelt', som referatet viser.",
    )
    standing.add_argument("organ", help="organets nøgle i profilen, fx chefforum")
    standing.add_argument("dato", help="mødedatoen (dd-mm-åååå)")
    standing.add_argument("--kommune", metavar="NAVN|STI", help="kommunens profil, hvis organet findes i flere")
    standing.add_argument("--journalnr", metavar="NR", help="journalnummer for de faste punkter, fx 00.01.00-P35-7-23")
    standing.add_argument("--godkendelse", metavar="TEKST", help="beslutningen på godkendelse af dagsorden og referat")
    standing.add_argument("--eventuelt", metavar="TEKST", help='beslutningen under eventuelt, fx "Intet."')
    standing.set_defaults(handler=standing_items_command)
