"""Planning commands: plan, kommuner, møder, demo. No database, no Prefect: they answer fast."""

from __future__ import annotations

import json
from pathlib import Path

from calendars.danish import long_date
from calendars.profile_reader import shipped_profiles
from calendars.workdays import CalendarRangeError
from sagsgang.cli.output import format_for, write_file
from sagsgang.inputs import UserError, read_date, read_late, read_profile, read_route, read_target


def plan_command(args) -> int:
    from calendars.horizon import plan_for_profile
    from calendars.planner import PlanningError
    from sagsgang.publishing import timeline

    profile = read_profile(args.kommune)
    route = read_route(profile, args.rute)
    target = read_target(profile, args.senest) if args.senest else None
    ready = read_date(args.klar) if args.klar else args.settings.clock().today()
    if args.mellemrum is not None and args.mellemrum < 0:
        raise UserError(
            "--mellemrum kan ikke være negativ: 0 betyder, at næste trins sagsfrist kan "
            "ligge på selve mødedagen, 1 dagen efter."
        )
    late = [read_late(profile, text, args.besluttet_af) for text in args.eftersendt or ()]
    try:
        result = plan_for_profile(profile, route, ready, target, gap=args.mellemrum, late=late)
    except PlanningError as error:
        raise UserError(str(error)) from None
    except CalendarRangeError as error:
        raise UserError(f"{error} Vælg en dato mellem 1990 og 2097.") from None
    if args.o:
        write_file(Path(args.o), _timetable_file(result, profile.name, format_for(args.o, _SUFFIXES)))
        print(f"Tidsplanen er skrevet til {args.o}.")
    elif args.format == "json":
        print(json.dumps(timeline.as_json(result, profile.name), ensure_ascii=False, indent=2))
    else:
        print(timeline.render(result, profile.name, args.format), end="")
    return 0


_SUFFIXES = {".docx": "docx", ".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".txt": "tabel", ".json": "json"}


def _timetable_file(result, municipality: str, fmt: str) -> str | bytes:
    from sagsgang.publishing import spreadsheets, timeline

    if fmt == "docx":
        from sagsgang.publishing.word import render_timetable_docx

        return render_timetable_docx(result, municipality)
    if fmt == "xlsx":
        return spreadsheets.to_xlsx(spreadsheets.timetable_sheet(result, municipality))
    if fmt == "csv":
        return spreadsheets.to_csv(spreadsheets.timetable_sheet(result, municipality))
    if fmt == "json":
        return json.dumps(timeline.as_json(result, municipality), ensure_ascii=False, indent=2) + "\n"
    return timeline.render(result, municipality, fmt)


def municipalities_command(args) -> int:
    names = [args.kommune] if args.kommune else shipped_profiles()
    for name in names:
        profile = read_profile(name)
        print(f"{profile.name} (--kommune {profile.key})")
        print("  Organer:")
        for body in profile.bodies.values():
            print(f"    {body.key:<22} {body.name} ({body.kind}, frist {body.deadline.describe()})")
        print("  Ruter:")
        for route in profile.routes.values():
            stages = " → ".join(" + ".join(stage) for stage in route.stages)
            print(f"    {route.key:<22} {route.name}: {stages}")
    return 0


def meetings_command(args) -> int:
    from calendars.meetings import meeting_plan

    profile = read_profile(args.kommune)
    if args.organ and args.organ not in profile.bodies:
        raise UserError(
            f"Organet '{args.organ}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}."
        )
    start, end = read_date(args.fra), read_date(args.til)
    if end < start:
        raise UserError("--til ligger før --fra. Byt om på datoerne.")
    for meeting in meeting_plan(profile, start, end):
        if args.organ and meeting.body != args.organ:
            continue
        status = "" if meeting.status == "planlagt" else f" ({meeting.status})"
        print(f"{long_date(meeting.day):<28} kl. {meeting.time:%H:%M}  {profile.bodies[meeting.body].name}{status}")
    return 0


def demo_command(args) -> int:
    if args.tjeneste:
        from sagsgang.demo import service_demo

        return service_demo.run(args.settings)
    from sagsgang.demo.walkthrough import run

    return run(args.settings)


def register(commands) -> None:
    plan_parser = commands.add_parser(
        "plan",
        help="tidsplan for en sag: sagsfrister og møder på ruten",
        description="Beregner sagens tidsplan: hver sagsfrist og hvert møde på ruten, tidligst og "
        "senest, med de helligdage, lukkedage og ferier der ligger i perioden.",
    )
    plan_parser.add_argument(
        "--kommune",
        required=True,
        metavar="NAVN|STI",
        help=f"kommunens profil: {', '.join(shipped_profiles())} eller stien til en .toml-fil",
    )
    plan_parser.add_argument(
        "--rute", required=True, metavar="RUTE", help="rutens navn i profilen (se 'sagsgang kommuner')"
    )
    plan_parser.add_argument("--klar", metavar="DATO", help="datoen sagen er klar (dd-mm-åååå); standard: i dag")
    plan_parser.add_argument(
        "--senest",
        metavar="ORGAN:DATO",
        help="sagen skal nå dette organs møde senest denne dato, fx byraadet:28-06-2027",
    )
    plan_parser.add_argument(
        "--format",
        choices=("tabel", "json", "md"),
        default="tabel",
        help="tabel (standard), json eller md (Markdown til et kommissorium)",
    )
    plan_parser.add_argument(
        "--mellemrum",
        type=int,
        metavar="N",
        help="arbejdsdage fra et møde til næste trins sagsfrist: 0 = samme dag, 1 = dagen efter (standard fra profilen)",
    )
    plan_parser.add_argument(
        "--eftersendt",
        action="append",
        metavar="ORGAN:DATO",
        help="sagen optages på organets møde denne dato efter sagsfristen, fx chefforum:20-03-2024 (kan gentages)",
    )
    plan_parser.add_argument(
        "--besluttet-af", default="", metavar="HVEM", help="hvem besluttede eftersendelsen, fx Direktørforum"
    )
    plan_parser.add_argument(
        "-o",
        metavar="FIL",
        help="skriv tidsplanen til en fil: .docx (Word), .xlsx (Excel), .csv, .md, .txt eller .json",
    )
    plan_parser.set_defaults(handler=plan_command)

    list_parser = commands.add_parser(
        "kommuner",
        help="vis kommuneprofiler med organer og ruter",
        description="Viser de medfølgende kommuneprofiler, deres organer og ruter.",
    )
    list_parser.add_argument("--kommune", metavar="NAVN|STI", help="vis kun denne profil")
    list_parser.set_defaults(handler=municipalities_command)

    meetings_parser = commands.add_parser(
        "møder",
        help="vis mødeplanen for en periode",
        description="Viser møderne i en periode; foreløbige møder er markeret.",
    )
    meetings_parser.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    meetings_parser.add_argument("--organ", metavar="ORGAN", help="vis kun dette organ")
    meetings_parser.add_argument("--fra", required=True, metavar="DATO", help="første dato (dd-mm-åååå)")
    meetings_parser.add_argument("--til", required=True, metavar="DATO", help="sidste dato (dd-mm-åååå)")
    meetings_parser.set_defaults(handler=meetings_command)

    demo_parser = commands.add_parser(
        "demo",
        help="vis hvad Sagsgang gør, på en medfølgende profil",
        description="En kort rundvisning for nye brugere.",
    )
    demo_parser.add_argument(
        "--tjeneste", action="store_true", help="start tjenesten kort, opret en sag gennem den, og stop igen"
    )
    demo_parser.set_defaults(handler=demo_command)
