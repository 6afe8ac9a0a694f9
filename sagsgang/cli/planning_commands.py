"""Planning commands: plan, kommuner, møder, demo. No database, no Prefect: they answer fast."""

from __future__ import annotations

import datetime as dt
import json

from calendars.danish import long_date
from calendars.profiles import shipped_profiles
from calendars.workdays import CalendarRangeError
from sagsgang.inputs import UserError, read_date, read_profile, read_route, read_target


def plan_command(args) -> int:
    from calendars.meetings import Schedule
    from calendars.planner import PlanningError, plan
    from sagsgang.publishing import timeline

    profile = read_profile(args.kommune)
    route = read_route(profile, args.rute)
    target = read_target(profile, args.senest) if args.senest else None
    ready = read_date(args.klar) if args.klar else args.settings.clock().today()
    if args.mellemrum is not None and args.mellemrum < 1:
        raise UserError("--mellemrum skal være mindst 1 arbejdsdag.")
    end = max(ready, target.day if target else ready) + dt.timedelta(days=3 * 365)
    try:
        schedule = Schedule.for_period(profile, min(ready, target.day if target else ready), end)
        result = plan(route, schedule, ready, target, gap=args.mellemrum)
    except PlanningError as error:
        raise UserError(str(error)) from None
    except CalendarRangeError as error:
        raise UserError(f"{error} Vælg en dato mellem 1990 og 2097.") from None
    if args.format == "json":
        print(json.dumps(timeline.as_json(result, profile.name), ensure_ascii=False, indent=2))
    else:
        print(timeline.render(result, profile.name, args.format), end="")
    return 0


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
        help="arbejdsdage fra et møde til næste trins sagsfrist (standard fra profilen)",
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
    demo_parser.set_defaults(handler=demo_command)
