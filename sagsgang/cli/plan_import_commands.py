"""`sagsgang mødeplan indlæs FIL --kommune K [--organ O] [--gem] [--bekræft]`: an adopted meeting
plan from .xlsx, .csv or .ics. A dry run by default: the new, moved and cancelled meetings and the
cases that would be re-planned; --gem stores it in one transaction and re-plans the cases through
the orchestration port, as `mødeplan flyt` does."""

from __future__ import annotations

from pathlib import Path

from sagsgang.cli.database import current_database
from sagsgang.inputs import UserError, read_profile
from sagsgang.settings import Settings


def import_command(args) -> int:
    from sagsgang.meetingplans import importing, wording
    from sagsgang.meetingplans.reading import PlanFileError, read_plan

    profile = read_profile(args.kommune)
    path = Path(args.fil)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"Filen {path} kan ikke læses ({error.strerror}).") from None
    try:
        rows = read_plan(path.name, data, profile, args.organ)
    except PlanFileError as error:
        raise UserError(f"Mødeplanen i {path.name} kan ikke indlæses; intet er gemt.\n{error}") from None
    db = current_database(args.settings)
    try:
        if not args.gem:
            preview = importing.preview_rows(db.get_engine(), profile, rows)
        else:
            preview, keys = importing.store_rows(db.get_engine(), profile, rows, args.bekraeft)
    except PlanFileError as error:
        raise UserError(f"Mødeplanen i {path.name} kan ikke indlæses; intet er gemt.\n{error}") from None
    except importing.NeedsConfirmation as error:
        raise UserError(
            f"Mødeplanen har møder på dage, hvor der normalt ikke holdes møder; intet er gemt.\n{error}\n"
            "Er datoerne rigtige, så kør igen med --bekræft."
        ) from None
    print(f"Mødeplan for {profile.name} fra {path.name}: {len(rows)} møder.")
    for heading, lines in wording.sections(preview):
        print(f"{heading}:")
        for line in lines:
            print(f"  {line}")
    print(wording.summary(preview))
    if preview.flags:
        print("Dage der skal bekræftes (--bekræft):")
        for flag in preview.flags:
            print(f"  {flag}")
    if preview.cases:
        print(f"Sager der planlægges igen: {', '.join(preview.cases)}")
    if not args.gem:
        print("Intet er gemt (prøvekørsel). Kør igen med --gem for at indlæse mødeplanen.")
        return 0
    print("Mødeplanen er gemt.")
    return _replan(args.settings, profile.key, keys)


def _replan(settings: Settings, municipality: str, keys: list[str]) -> int:
    from functools import partial

    from sagsgang.cli.follow_ups import orchestrator, print_summary, run_follow_up

    status, chosen = 0, orchestrator(settings)
    for key in keys:
        result = run_follow_up("Mødeplanen", partial(chosen.meeting_changed, municipality, key))
        if result is None:
            status = 1
            continue
        for journal_number, summary in result["sager"].items():
            print(f"Sagen {journal_number} er planlagt igen:")
            print_summary(summary)
    return status


def register(meeting_commands) -> None:
    """`indlæs` under `mødeplan` (sagsgang.cli.case_commands)."""
    load = meeting_commands.add_parser(
        "indlæs",
        help="indlæs en vedtaget mødeplan fra .xlsx, .csv eller .ics",
        description="Læser mødeplanen (kolonner Dato, Tid, Sted og, for flere organer, Organ) og viser, "
        "hvilke møder der bliver nye, flyttede og aflyste, og hvilke sager der planlægges igen. "
        "Intet gemmes uden --gem.",
    )
    load.add_argument("fil", metavar="FIL", help="mødeplanen: .xlsx, .csv (semikolon eller komma) eller .ics")
    load.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    load.add_argument("--organ", metavar="ORGAN", help="organet, når filen ikke har kolonnen Organ (eller kun dette)")
    load.add_argument("--gem", action="store_true", help="gem mødeplanen (ellers kun en prøvekørsel)")
    load.add_argument(
        "--bekræft",
        dest="bekraeft",
        action="store_true",
        help="gem også møder på helligdage, lukkedage, weekender og i ferier",
    )
    load.set_defaults(handler=import_command)
