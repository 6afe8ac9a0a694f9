"""Case commands: sag opret | beslut | eftersend | indsend | vis, mødeplan flyt | aflys, daglig, worker.

Thin: parse, check the input against the database (a Danish message and exit code 2, nothing
written), then run the lifecycle through the orchestration port (sagsgang.orchestration: the
Prefect flows in this process, or inline, by SAGSGANG_ORCHESTRATION). Prefect and the database
layer are imported inside the commands: the planning commands must stay fast.
"""

from __future__ import annotations

from sagsgang.cli import case_arguments, edit_commands, plan_import_commands
from sagsgang.cli.case_arguments import WAIT_HELP
from sagsgang.cli.database import current_database
from sagsgang.cli.follow_ups import (
    DAILY_HANDED_OFF,
    LAUNCHED,
    MEETING_HANDED_OFF,
    NO_CASES,
    SUBMISSION_HANDED_OFF,
    advance,
    followed,
    orchestrator,
    print_summary,
    run_follow_up,
    waited,
)
from sagsgang.cli.prompts import ask_new_ready
from sagsgang.inputs import UserError, model_error, read_date, read_profile, read_target


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
    print(LAUNCHED.format(journal_number=request.journal_number))
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
    from sagsgang.cases.state import find_case, id_of
    from sagsgang.notifications.case_mails import mail_lines

    db = current_database(args.settings)
    clock = args.settings.clock()
    with db.session_scope() as session:
        case = find_case(session, args.sag, args.kommune)
        for line in describe(session, case, clock.today()):
            print(line)
        mails = mail_lines(session, id_of(case), clock.now())
    if mails:
        print("Mails:")
        for line in mails:
            print(f"  {line}")
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
            raise UserError(f"{error.message} {case_arguments.CONFIRM_DAY_HINT}") from None
        key = meeting.key
        what = f"flyttet til {long_date(meeting.day)} kl. {meeting.local_time:%H:%M}" if moving else "aflyst"
    print(f"Mødet i {profile.bodies[args.organ].name} {long_date(day)} er {what}.")
    chosen = orchestrator(args.settings)
    result = run_follow_up("Mødeændringen", lambda: chosen.meeting_changed(profile.key, key))
    if result is None:
        return 1
    if not result["sager"]:
        print(NO_CASES)
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
    sub = case_arguments.case_group(commands)
    case_arguments.add_launch(sub).set_defaults(handler=launch_command)
    case_arguments.add_decide(sub).set_defaults(handler=decide_command)
    case_arguments.add_late(sub).set_defaults(handler=late_command)
    case_arguments.add_submit(sub).set_defaults(handler=submit_command)
    show = sub.add_parser("vis", help="vis sagens historik og plan")
    show.add_argument("sag", metavar="SAG", help="sagens journalnummer")
    show.add_argument("--kommune", metavar="NAVN")
    show.set_defaults(handler=show_command)
    edit_commands.register(sub)

    msub = case_arguments.meeting_group(commands)
    case_arguments.add_move(msub).set_defaults(handler=move_command)
    case_arguments.add_cancel(msub).set_defaults(handler=cancel_command)
    plan_import_commands.register(msub)

    daily = commands.add_parser(
        "daglig",
        help="kør den daglige kontrol nu (påmindelser, eskaleringer)",
        description="Det samme som Prefect-deploymentet daglig-kontrol kører kl. 08:00.",
    )
    daily.add_argument("--vent", action="store_true", help=WAIT_HELP)
    daily.set_defaults(handler=daily_command)
