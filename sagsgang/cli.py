"""The `sagsgang` command. Thin: parse, call the core, print. Everything a user sees is Danish.

The planning commands must answer fast, so nothing here imports Prefect or the database layer
at module level; commands that need them import them when they run.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
from collections.abc import Callable, Sequence

from calendars.danish import DateFormatError, long_date, parse_date
from calendars.profiles import Profile, ProfileError, load_profile, shipped_profiles
from calendars.workdays import CalendarRangeError
from sagsgang.argparse_da import DanishArgumentParser

EXIT_BAD_INPUT = 2


class UserError(Exception):
    """Bad input: printed as it is (Danish), exit code 2, nothing written."""


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except DateFormatError as error:
        raise UserError(str(error)) from None


def _profile(name: str) -> Profile:
    try:
        return load_profile(name)
    except ProfileError as error:
        raise UserError(str(error)) from None


def _route(profile: Profile, key: str):
    if key not in profile.routes:
        choices = "\n".join(f"  {k}: {r.name}" for k, r in profile.routes.items())
        raise UserError(f"Ruten '{key}' findes ikke i {profile.name}. Vælg en af:\n{choices}")
    return profile.routes[key]


def _target(profile: Profile, text: str):
    from calendars.planner import Target

    body, sep, day = text.partition(":")
    if not sep:
        raise UserError(f"--senest skal skrives <organ>:<dato>, fx byraadet:24-06-2027 (fik '{text}').")
    if body not in profile.bodies:
        raise UserError(f"Organet '{body}' findes ikke i {profile.name}. "
                        f"Vælg et af: {', '.join(profile.bodies)}.")
    return Target(body, _date(day))


def plan_command(args) -> int:
    from calendars.clock import clock_from_env
    from calendars.meetings import Schedule
    from calendars.planner import PlanningError, plan
    from sagsgang import timeline

    profile = _profile(args.kommune)
    route = _route(profile, args.rute)
    target = _target(profile, args.senest) if args.senest else None
    ready = _date(args.klar) if args.klar else clock_from_env().today()
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
        profile = _profile(name)
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

    profile = _profile(args.kommune)
    if args.organ and args.organ not in profile.bodies:
        raise UserError(f"Organet '{args.organ}' findes ikke i {profile.name}. "
                        f"Vælg et af: {', '.join(profile.bodies)}.")
    start, end = _date(args.fra), _date(args.til)
    if end < start:
        raise UserError("--til ligger før --fra. Byt om på datoerne.")
    for meeting in meeting_plan(profile, start, end):
        if args.organ and meeting.body != args.organ:
            continue
        status = "" if meeting.status == "planlagt" else f" ({meeting.status})"
        print(f"{long_date(meeting.day):<28} kl. {meeting.time:%H:%M}  "
              f"{profile.bodies[meeting.body].name}{status}")
    return 0


def demo_command(args) -> int:
    from sagsgang.demo import run

    return run()


def build_parser() -> DanishArgumentParser:
    parser = DanishArgumentParser(
        prog="sagsgang",
        description="Sagsgang planlægger politiske sagers vej gennem kommunens organer: "
                    "sagsfrister og møder, tidligst og senest, i arbejdsdage.",
    )
    commands = parser.add_subparsers(title="kommandoer", metavar="<kommando>", required=True,
                                     parser_class=DanishArgumentParser)

    plan_parser = commands.add_parser(
        "plan", help="tidsplan for en sag: sagsfrister og møder på ruten",
        description="Beregner sagens tidsplan: hver sagsfrist og hvert møde på ruten, tidligst og "
                    "senest, med de helligdage, lukkedage og ferier der ligger i perioden.")
    plan_parser.add_argument("--kommune", required=True, metavar="NAVN|STI",
                             help=f"kommunens profil: {', '.join(shipped_profiles())} eller stien til en .toml-fil")
    plan_parser.add_argument("--rute", required=True, metavar="RUTE", help="rutens navn i profilen (se 'sagsgang kommuner')")
    plan_parser.add_argument("--klar", metavar="DATO", help="datoen sagen er klar (dd-mm-åååå); standard: i dag")
    plan_parser.add_argument("--senest", metavar="ORGAN:DATO",
                             help="sagen skal nå dette organs møde senest denne dato, fx byraadet:28-06-2027")
    plan_parser.add_argument("--format", choices=("tabel", "json", "md"), default="tabel",
                             help="tabel (standard), json eller md (Markdown til et kommissorium)")
    plan_parser.add_argument("--mellemrum", type=int, metavar="N",
                             help="arbejdsdage fra et møde til næste trins sagsfrist (standard fra profilen)")
    plan_parser.set_defaults(handler=plan_command)

    list_parser = commands.add_parser("kommuner", help="vis kommuneprofiler med organer og ruter",
                                      description="Viser de medfølgende kommuneprofiler, deres organer og ruter.")
    list_parser.add_argument("--kommune", metavar="NAVN|STI", help="vis kun denne profil")
    list_parser.set_defaults(handler=municipalities_command)

    meetings_parser = commands.add_parser("møder", help="vis mødeplanen for en periode",
                                          description="Viser møderne i en periode; foreløbige møder er markeret.")
    meetings_parser.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    meetings_parser.add_argument("--organ", metavar="ORGAN", help="vis kun dette organ")
    meetings_parser.add_argument("--fra", required=True, metavar="DATO", help="første dato (dd-mm-åååå)")
    meetings_parser.add_argument("--til", required=True, metavar="DATO", help="sidste dato (dd-mm-åååå)")
    meetings_parser.set_defaults(handler=meetings_command)

    demo_parser = commands.add_parser("demo", help="vis hvad Sagsgang gør, på en medfølgende profil",
                                      description="En kort rundvisning for nye brugere.")
    demo_parser.set_defaults(handler=demo_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Piped into `head`: stop quietly like other command-line tools.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    handler: Callable[..., int] = args.handler
    try:
        return handler(args)
    except UserError as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
