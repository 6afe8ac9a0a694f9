"""Case commands: sag opret | beslut | eftersend | indsend | vis, mødeplan flyt | aflys, daglig, worker.

Thin: parse, check the input against the database (a Danish message and exit code 2, nothing
written), then run the lifecycle through the orchestration port (sagsgang.orchestration: the
Prefect flows in this process, or inline, by SAGSGANG_ORCHESTRATION). Prefect and the database
layer are imported inside the commands: the planning commands must stay fast.
"""

from __future__ import annotations

from sagsgang.cli import edit_commands, plan_import_commands
from sagsgang.cli.database import current_database
from sagsgang.cli.follow_ups import (
    DAILY_HANDED_OFF,
    MEETING_HANDED_OFF,
    SUBMISSION_HANDED_OFF,
    WAIT_HELP,
    advance,
    followed,
    orchestrator,
    print_summary,
    run_follow_up,
    waited,
)
from sagsgang.cli.prompts import ask_new_ready
from sagsgang.inputs import UserError, model_error, read_date, read_profile, read_target

OUTCOMES = "godkendt, anbefalet, 'taget til efterretning', drøftet, udsat, tilbagesendt, 'ikke godkendt'"


def launch_command(args) -> int:
    from sagsgang.cases import launch

    profile = read_profile(args.kommune)
    target = read_target(profile, args.senest) if args.senest else None
    from pydantic import ValidationError

    try:
        request = launch.LaunchRequest(
            municipality=profile.key,
            title=args.titel,
            journal_number=args.journalnummer,
            owner_name=args.sagsbehandler,
            owner_email=args.sagsbehandler_email,
            manager_name=args.leder,
            manager_email=args.leder_email,
            department=args.afdeling,
            route=args.rute,
            ready=read_date(args.klar, "ready") if args.klar is not None else None,
            target_body=target.body if target else None,
            target_date=target.day if target else None,
            closed_item=args.lukket,
        )
    except ValidationError as error:
        raise model_error(launch.LaunchRequest, error) from None
    current_database(args.settings)
    chosen = orchestrator(args.settings)
    # Bad input is refused by the launch itself, in its own transaction (exit 2, nothing written):
    # checking it first here would plan and store the case twice.
    result = chosen.launch(request)
    print(f"Sagen {request.journal_number} er oprettet og planlagt.")
    return followed(args.settings, chosen, result, args.vent, [(request.journal_number, profile.key)])


def decide_command(args) -> int:
    from sagsgang.cases import decisions, state
    from sagsgang.cases.history import Editor
    from sagsgang.cli.edit_commands import editor_name

    db = current_database(args.settings)
    new_ready = read_date(args.klar, "new_ready") if args.klar is not None else None
    if new_ready is None and args.udfald.strip() == "tilbagesendt":
        new_ready = ask_new_ready()
    with db.session_scope() as session:
        recorded = decisions.record_decision(
            session,
            args.sag,
            args.organ,
            args.udfald,
            args.tekst or "",
            args.settings.clock(),
            new_ready,
            args.kommune,
            Editor(editor_name(None), "cli"),
        )
        name = state.load_state(session, recorded.case).body_name(args.organ)
        municipality, journal_number = recorded.case.municipality, recorded.case.journal_number
    from calendars.danish import long_date

    print(f"Beslutning registreret: {name} {long_date(recorded.meeting_day)}: {recorded.outcome}.")
    return advance(args.settings, "Beslutningen", journal_number, municipality, args.vent)


def late_command(args) -> int:
    from calendars.danish import long_date
    from sagsgang.cases import routing, state
    from sagsgang.cases.history import Editor
    from sagsgang.cli.edit_commands import editor_name

    day = read_date(args.dato)
    db = current_database(args.settings)
    with db.session_scope() as session:
        fact = routing.add_late(
            session,
            args.sag,
            args.organ,
            day,
            args.besluttet_af,
            args.begrundelse or "",
            args.settings.clock(),
            args.kommune,
            Editor(editor_name(None), "cli"),
        )
        case = state.find_case(session, args.sag, args.kommune)
        name = state.load_state(session, case).body_name(args.organ)
        municipality, journal_number = case.municipality, case.journal_number
    print(
        f"Sagen {journal_number} er eftersendt til {name} {long_date(fact.meeting.day)} "
        f"(besluttet af {fact.decided_by}). Dagsordenen viser den som eftersendt punkt."
    )
    return advance(args.settings, "Eftersendelsen", journal_number, municipality, args.vent)


def submit_command(args) -> int:
    from calendars.danish import long_date
    from sagsgang.cases import decisions, state
    from sagsgang.cases.history import Editor
    from sagsgang.cli.edit_commands import editor_name

    db = current_database(args.settings)
    editor = Editor(editor_name(None), "cli")
    with db.session_scope() as session:
        done = decisions.record_submission(session, args.sag, args.settings.clock(), args.organ, args.kommune, editor)
        case = state.find_case(session, args.sag, args.kommune)
        case_state = state.load_state(session, case)
        for treatment in done:
            print(
                f"Materialet til {case_state.body_name(treatment.body)} er modtaget (møde "
                f"{long_date(treatment.meeting.day)}). Der kommer ikke flere påmindelser om den frist."
            )
        municipality, journal_number = case.municipality, case.journal_number
    # The case's next wake-up moves (no more reminders for that deadline): the follow-up says so.
    return advance(args.settings, "Materialet", journal_number, municipality, args.vent, SUBMISSION_HANDED_OFF)


def show_command(args) -> int:
    from sagsgang.cases.description import describe
    from sagsgang.cases.state import find_case

    db = current_database(args.settings)
    with db.session_scope() as session:
        for line in describe(session, find_case(session, args.sag, args.kommune), args.settings.clock().today()):
            print(line)
    return 0


def move_command(args) -> int:
    return _change_meeting(args, moving=True)


def cancel_command(args) -> int:
    return _change_meeting(args, moving=False)


def _change_meeting(args, moving: bool) -> int:
    from calendars.danish import DateFormatError, long_date, parse_time
    from sagsgang.cases.history import Editor
    from sagsgang.cases.meeting_guard import DayNeedsConfirmation
    from sagsgang.cases.scheduling import change_meeting
    from sagsgang.cli.edit_commands import editor_name

    profile = read_profile(args.kommune)
    day = read_date(args.dato)
    new_day = read_date(args.ny_dato) if moving else None
    try:
        new_time = parse_time(args.tid) if moving and args.tid is not None else None
    except DateFormatError as error:
        raise UserError(str(error)) from None
    db = current_database(args.settings)
    with db.session_scope() as session:
        try:
            meeting = change_meeting(
                session,
                profile,
                args.organ,
                day,
                new_day,
                new_time,
                now=args.settings.clock().now(),
                confirmed=moving and args.bekraeft_dag,
                editor=Editor(editor_name(None), "cli"),
            )
        except DayNeedsConfirmation as error:
            raise UserError(f"{error.message} Tilføj --bekræft-dag for at flytte mødet dertil alligevel.") from None
        key = meeting.key
        what = f"flyttet til {long_date(meeting.day)} kl. {meeting.local_time:%H:%M}" if moving else "aflyst"
    print(f"Mødet i {profile.bodies[args.organ].name} {long_date(day)} er {what}.")
    chosen = orchestrator(args.settings)
    result = run_follow_up("Mødeændringen", lambda: chosen.meeting_changed(profile.key, key))
    if result is None:
        return 1
    if not result["sager"]:
        print("Ingen sager var planlagt på mødet.")
    if "koersel_id" in result:
        cases = [(journal_number, profile.key) for journal_number in result["sager"]]
        return followed(args.settings, chosen, result, args.vent, cases, MEETING_HANDED_OFF)
    for journal_number, summary in result["sager"].items():
        print(f"Sagen {journal_number} er planlagt igen:")
        print_summary(summary)
    return followed(args.settings, chosen, {"optaget": result.get("optaget", False)}, False, [])


def daily_command(args) -> int:
    from sagsgang.cases import follow_up
    from sagsgang.danish_words import count
    from sagsgang.orchestration import hand_off

    current_database(args.settings)
    chosen = orchestrator(args.settings)
    result = chosen.daily_check()
    service = hand_off(chosen)
    if "koersel_id" in result:
        print(f"{DAILY_HANDED_OFF} Følg kørslen: {result['koersel_url']}")
        if service is None or not args.vent:
            return 0
        return 0 if waited(service, result["koersel_id"]) == "COMPLETED" else 1
    print(
        f"Daglig kontrol: {count(result['påmindelser'], 'påmindelse')}, "
        f"{count(result['eskaleringer'], 'eskalering')}, "
        f"{result['ugeoversigter']} ugeoversigter lagt i udbakken; {result['sendt']} mails sendt"
        + (f", {result['ikke_sendt']} venter på at kunne sendes" if result["ikke_sendt"] else "")
        + "."
    )
    if said := follow_up.ran_here(result, args.settings.orchestration == "auto"):
        print(said)
    return 0 if not result["ikke_sendt"] else 1


def register(commands) -> None:
    case = commands.add_parser(
        "sag",
        help="opret sager, registrér beslutninger og materiale",
        description="En sags livsforløb: oprettelse, materiale, beslutninger.",
    )
    sub = case.add_subparsers(title="kommandoer", metavar="<kommando>", required=True)

    launch = sub.add_parser(
        "opret",
        help="opret en sag og planlæg dens rute",
        description="Opretter sagen, planlægger ruten og starter påmindelserne.",
    )
    launch.add_argument("--kommune", required=True, metavar="NAVN|STI", help="kommunens profil")
    launch.add_argument("--titel", required=True, help="sagens titel")
    launch.add_argument("--journalnummer", required=True, metavar="KLE", help="fx 27.00.00-G01-1-24")
    launch.add_argument("--sagsbehandler", required=True, metavar="NAVN")
    launch.add_argument("--sagsbehandler-email", required=True, metavar="E-MAIL")
    launch.add_argument("--leder", required=True, metavar="NAVN")
    launch.add_argument("--leder-email", required=True, metavar="E-MAIL")
    launch.add_argument("--afdeling", default="", metavar="NAVN")
    launch.add_argument("--rute", required=True, metavar="RUTE", help="rutens nøgle i profilen")
    launch.add_argument("--klar", metavar="DATO", help="datoen sagen er klar (standard i dag)")
    launch.add_argument("--senest", metavar="ORGAN:DATO", help="mål: organets seneste møde på eller før datoen")
    launch.add_argument("--lukket", action="store_true", help="lukket punkt")
    launch.add_argument("--vent", action="store_true", help=WAIT_HELP)
    launch.set_defaults(handler=launch_command)

    decide = sub.add_parser(
        "beslut",
        help="registrér et organs beslutning efter mødet",
        description=f"Udfald: {OUTCOMES}. Godkendt og lignende fører sagen videre; "
        "udsat giver organets næste møde; tilbagesendt planlægger fra en ny "
        "klar-dato; ikke godkendt afslutter sagen.",
    )
    decide.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    decide.add_argument("organ", metavar="ORGAN", help="organets nøgle, fx direktion")
    decide.add_argument("udfald", metavar="UDFALD", help=OUTCOMES)
    decide.add_argument("--tekst", metavar="TEKST", help="beslutningens ordlyd")
    decide.add_argument("--klar", metavar="DATO", help="ved tilbagesendt: hvornår sagen er klar igen")
    decide.add_argument("--kommune", metavar="NAVN", help="kun nødvendig hvis journalnummeret findes i flere")
    decide.add_argument("--vent", action="store_true", help=WAIT_HELP)
    decide.set_defaults(handler=decide_command)

    late = sub.add_parser(
        "eftersend",
        help="sæt sagen på et møde efter sagsfristen (eftersendt punkt)",
        description="Sagen optages på organets møde efter fristen, fordi nogen har besluttet det "
        "(fx Direktørforum). Kun denne sag: organets frist for andre sager er uændret. "
        "Sagen planlægges igen, og dagsordenen viser den som eftersendt punkt.",
    )
    late.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    late.add_argument("organ", metavar="ORGAN", help="organets nøgle, fx chefforum")
    late.add_argument("dato", metavar="DATO", help="mødets dato, fx 20-03-2024")
    late.add_argument("--besluttet-af", required=True, metavar="HVEM", help="hvem besluttede det, fx Direktørforum")
    late.add_argument("--begrundelse", metavar="TEKST", help="hvorfor sagen eftersendes")
    late.add_argument("--kommune", metavar="NAVN", help="kun nødvendig hvis journalnummeret findes i flere")
    late.add_argument("--vent", action="store_true", help=WAIT_HELP)
    late.set_defaults(handler=late_command)

    submit = sub.add_parser(
        "indsend",
        help="registrér at materialet er afleveret til sagsfristen",
        description="Materialet er afleveret: påmindelserne om fristen stopper.",
    )
    submit.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    submit.add_argument("--organ", metavar="ORGAN", help="kun til dette organ (standard: hele det aktuelle trin)")
    submit.add_argument("--kommune", metavar="NAVN")
    submit.add_argument("--vent", action="store_true", help=WAIT_HELP)
    submit.set_defaults(handler=submit_command)

    show = sub.add_parser("vis", help="vis sagens historik og plan")
    show.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    show.add_argument("--kommune", metavar="NAVN")
    show.set_defaults(handler=show_command)
    edit_commands.register(sub)

    meetings = commands.add_parser(
        "mødeplan",
        help="flyt, aflys eller indlæs møder; sagerne på dem planlægges igen",
        description="Ændringer i mødeplanen. Sager på mødet planlægges igen.",
    )
    msub = meetings.add_subparsers(title="kommandoer", metavar="<kommando>", required=True)
    move = msub.add_parser("flyt", help="flyt et møde til en ny dato")
    move.add_argument("organ", metavar="ORGAN")
    move.add_argument("dato", metavar="DATO", help="mødets nuværende dato")
    move.add_argument("ny_dato", metavar="NY_DATO")
    move.add_argument("--tid", metavar="TT:MM", help="nyt klokkeslæt (standard: det samme)")
    move.add_argument(
        "--bekræft-dag",
        dest="bekraeft_dag",
        action="store_true",
        help="flyt også til en helligdag, lukkedag, weekend eller ferie (ellers afvises det)",
    )
    move.add_argument("--kommune", required=True, metavar="NAVN|STI")
    move.add_argument("--vent", action="store_true", help=WAIT_HELP)
    move.set_defaults(handler=move_command)
    cancel = msub.add_parser("aflys", help="aflys et møde")
    cancel.add_argument("organ", metavar="ORGAN")
    cancel.add_argument("dato", metavar="DATO")
    cancel.add_argument("--kommune", required=True, metavar="NAVN|STI")
    cancel.add_argument("--vent", action="store_true", help=WAIT_HELP)
    cancel.set_defaults(handler=cancel_command)
    plan_import_commands.register(msub)

    daily = commands.add_parser(
        "daglig",
        help="kør den daglige kontrol nu (påmindelser, eskaleringer)",
        description="Det samme som Prefect-deploymentet daglig-kontrol kører kl. 08:00.",
    )
    daily.add_argument("--vent", action="store_true", help=WAIT_HELP)
    daily.set_defaults(handler=daily_command)
