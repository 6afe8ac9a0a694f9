"""Calendar feed commands: sagsgang kalender offentliggør|links|demo (old name `feeds publish|links|demo`),
sagsgang abonnement opret|tilbagekald|vis.

Only light imports at the top: the database layer, FastAPI and uvicorn are imported inside the
commands, so the planning commands stay fast.
"""

from __future__ import annotations

from pathlib import Path

from sagsgang.cli.database import current_database
from sagsgang.cli.main import command_name
from sagsgang.inputs import UserError, read_profile

OUTLOOK_HINT = (
    "Outlook: Tilføj kalender → Abonner fra internettet. Google Kalender: Andre kalendere → "
    "Fra webadresse. Apple Kalender og Thunderbird: åbn webcal-adressen."
)


def _context(args):
    from sagsgang.publishing.feeds import FeedContext, Profiles

    profiles = Profiles(read_profile(name) for name in (getattr(args, "kommune", None) or []))
    return FeedContext.from_settings(args.settings, profiles, base_url=getattr(args, "base_url", None))


def _base_url(text: str) -> str:
    if not text.startswith(("http://", "https://")) or text[-3:] == "://":
        raise UserError(
            f"--base-url skal være en http- eller https-adresse, fx https://sagsgang.slagelse.dk (fik '{text}')."
        )
    return text.rstrip("/")


def publish_command(args) -> int:
    from sagsgang.publishing import feed_files, feeds

    directory = Path(args.mappe)
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory} findes allerede og er ikke en mappe. Vælg en mappe til kalenderfilerne.")
    if args.base_url:
        _base_url(args.base_url)
    db = current_database(args.settings)
    context = _context(args)
    try:
        with db.session_scope() as session:
            if not feeds.municipalities(session, context):
                raise UserError(
                    "Databasen har ingen mødeplan for en kommune, vi har en profil for. "
                    "Indlæs mødeplanen først, eller angiv profilen med --kommune STI."
                )
        # As every publisher does: one at a time per folder, again if another stamped the same events first.
        report = feed_files.regenerate(directory, db.engine, context)
    except PermissionError as error:
        raise UserError(
            f"Kan ikke skrive i {directory}: {error.strerror}. Vælg en mappe, du har skriveadgang til."
        ) from None
    assert report is not None  # a folder was given
    if report.handed_over:
        print(f"En udgivelse til {directory} står allerede i kø efter den, der kører nu, og tager dine ændringer med.")
        return 0
    print(
        f"Udgav {report.total} kalendere i {directory}: {len(report.written)} nye eller ændrede, "
        f"{report.unchanged} uændrede" + (f", {len(report.removed)} fjernet" if report.removed else "") + "."
    )
    for path in report.removed:
        print(f"  fjernet: {path}")
    for path in report.failed:
        print(f"  ikke udgivet (detaljer i logfilen): {path}")
    index = feeds.feed_url(context.base_url, "").rstrip("/") + "/"
    print(f"Oversigt med abonnementslinks: {directory / 'index.html'} (udgives som {index})")
    return 0


def links_command(args) -> int:
    from sagsgang.publishing import feeds

    if args.base_url:
        _base_url(args.base_url)
    db = current_database(args.settings)
    context = _context(args)
    with db.session_scope() as session:
        specs = feeds.public_feeds(session, context)
    if not specs:
        print("Der er ingen offentlige kalendere endnu: indlæs mødeplanen først.")
        return 0
    for spec in specs:
        url = feeds.feed_url(context.base_url, spec.path)
        print(f"{spec.path}\n  {url}\n  {feeds.webcal_url(url)}")
    return 0


def demo_command(args) -> int:
    from sagsgang.demo import feed_demo
    from sagsgang.publishing import feeds

    folder = Path(args.mappe)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} findes allerede og er ikke en mappe. Vælg en tom mappe til demoen.")
    base = _base_url(args.base_url) if args.base_url else "http://127.0.0.1:8000"
    try:
        shown = feed_demo.run(folder, args.settings.clock(), base)
    except FileExistsError as error:
        raise UserError(str(error)) from None
    port = base.rsplit(":", 1)[-1].split("/")[0] if base.count(":") == 2 else "8000"
    print(
        f"Demo: Slagelse Kommunes møder det næste år og {len(feed_demo.EXAMPLES)} eksempelsager "
        f"(én af dem et lukket punkt), et flyttet og et aflyst byrådsmøde."
    )
    print(f"Udgav {shown['published']} offentlige kalendere i {folder / 'kalender'}.")
    print("Start serveren:")
    print(f"  SAGSGANG_DATABASE_URL={shown['url']} {command_name()} tjeneste --uden-prefect --port {port}")
    print("Abonnér så på byrådets møder og frister:")
    print(f"  {shown['council']}")
    print(f"  {feeds.webcal_url(shown['council'])}")
    print(f"… og på Mette Hansens egne sager (personlig kalender nr. {shown['subscription']}):")
    print(f"  {shown['personal']}")
    print(f"  {feeds.webcal_url(shown['personal'])}")
    print(f"Alle offentlige kalendere: {base}/kalender/")
    print(OUTLOOK_HINT)
    return 0


def subscribe_command(args) -> int:
    from sagsgang.accounts import subscriptions
    from sagsgang.publishing import feeds

    if args.base_url:
        _base_url(args.base_url)
    db = current_database(args.settings)
    context = _context(args)
    try:
        with db.session_scope() as session:
            row, token = subscriptions.create_subscription(
                session, args.email, args.afdeling or "", clock=args.settings.clock()
            )
            followed = subscriptions.cases_followed(session, row)
            number = row.id
    except ValueError as error:
        raise UserError(str(error)) from None
    url = feeds.feed_url(context.base_url, f"personlig/{token}.ics")
    scope = f" (kun afdeling {args.afdeling})" if args.afdeling else ""
    print(f"Personlig kalender oprettet for {row.email}{scope}: abonnement nr. {number}.")
    print("Adressen vises kun denne ene gang og kan ikke findes frem igen – giv den videre nu:")
    print(f"  {url}")
    print(f"  {feeds.webcal_url(url)}")
    print(OUTLOOK_HINT)
    if not followed:
        print(
            f"Bemærk: {row.email} er endnu ikke ansvarlig for eller leder af nogen åben sag"
            f"{scope}; kalenderen er tom, indtil det sker."
        )
    print(f"Tilbagekald med: sagsgang abonnement tilbagekald {number}")
    return 0


def revoke_command(args) -> int:
    from sagsgang.accounts import subscriptions

    db = current_database(args.settings)
    with db.session_scope() as session:
        rows = subscriptions.revoke_subscriptions(session, args.hvem, args.settings.clock())
        if not rows:
            raise UserError(
                f"Der er intet aktivt abonnement med nummer eller e-mailadresse '{args.hvem}'. "
                "Se de aktive med: sagsgang abonnement vis"
            )
        described = [subscriptions.describe_subscription(row) for row in rows]
    for text in described:
        print(f"Tilbagekaldt: abonnement {text}. Adressen virker ikke længere.")
    return 0


def list_command(args) -> int:
    from sagsgang.accounts import subscriptions

    db = current_database(args.settings)
    with db.session_scope() as session:
        described = [subscriptions.describe_subscription(row) for row in subscriptions.active(session)]
    if not described:
        print("Der er ingen aktive personlige kalendere.")
    for text in described:
        print(f"Abonnement {text}")
    return 0


def register(commands) -> None:
    base_help = "adressen, kalenderne udgives under (standard: SAGSGANG_BASE_URL eller http://127.0.0.1:8000)"
    profile_help = (
        "kommunens profil (navn eller .toml-sti); standard: de medfølgende profiler for kommunerne i databasen"
    )

    feeds_parser = commands.add_parser(
        "kalender",
        aliases=["feeds"],
        help="kalenderabonnementer: udgiv og vis kalendere (iCal)",
        description="Kalendere, som ledere og sekretariat abonnerer på i Outlook, Google, Apple og Thunderbird.",
    )
    actions = feeds_parser.add_subparsers(
        title="handlinger", metavar="<handling>", required=True, parser_class=type(feeds_parser)
    )
    publish = actions.add_parser(
        "offentliggør",
        aliases=["publish"],
        help="skriv alle offentlige kalendere som filer i en mappe",
        description="Skriver hver offentlig kalender (organer, sager, sekretariatets oversigt) som .ics-fil i "
        "MAPPE, plus index.html med abonnementslinks. Mappen udgives som <base-url>/kalender/. "
        "Uændrede filer røres ikke; lukkede punkter vises aldrig med titel.",
    )
    publish.add_argument("mappe", metavar="MAPPE", help="mappen, filerne skrives i (oprettes om nødvendigt)")
    publish.add_argument("--base-url", metavar="URL", help=base_help)
    publish.add_argument("--kommune", action="append", metavar="NAVN|STI", help=profile_help)
    publish.set_defaults(handler=publish_command)

    demo = actions.add_parser(
        "demo",
        help="prøv kalenderne på eksempeldata",
        description="Bygger en eksempeldatabase i MAPPE (Slagelses møder og fire sager), udgiver kalenderne og "
        "viser abonnementslinks, også til en personlig kalender.",
    )
    demo.add_argument("mappe", metavar="MAPPE", help="en tom mappe til demoen")
    demo.add_argument("--base-url", metavar="URL", help="adressen, serveren skal have (standard http://127.0.0.1:8000)")
    demo.set_defaults(handler=demo_command)

    links = actions.add_parser(
        "links",
        help="vis adresserne på de offentlige kalendere",
        description="Viser https- og webcal-adressen på hver offentlig kalender.",
    )
    links.add_argument("--base-url", metavar="URL", help=base_help)
    links.add_argument("--kommune", action="append", metavar="NAVN|STI", help=profile_help)
    links.set_defaults(handler=links_command)

    subscription = commands.add_parser(
        "abonnement",
        help="personlige kalendere: opret, tilbagekald, vis",
        description="Personlige kalendere med sagsfrister og møder for de sager, en person er ansvarlig for "
        "eller leder. Adressen indeholder en hemmelig nøgle, der kun vises, når den oprettes.",
    )
    subscription_actions = subscription.add_subparsers(
        title="handlinger", metavar="<handling>", required=True, parser_class=type(subscription)
    )
    create = subscription_actions.add_parser(
        "opret",
        help="opret en personlig kalender og vis adressen én gang",
        description="Opretter en personlig kalender og viser adressen én gang.",
    )
    create.add_argument("email", metavar="E-MAIL", help="personens e-mailadresse, som den står på sagerne")
    create.add_argument("--afdeling", metavar="AFDELING", help="kun sager fra denne afdeling")
    create.add_argument("--base-url", metavar="URL", help=base_help)
    create.set_defaults(handler=subscribe_command)
    revoke = subscription_actions.add_parser(
        "tilbagekald",
        help="tilbagekald en personlig kalender (nummer eller e-mail)",
        description="Tilbagekalder abonnementet med dette nummer, eller alle aktive for e-mailadressen. "
        "Adressen giver derefter 'findes ikke'.",
    )
    revoke.add_argument("hvem", metavar="E-MAIL|NUMMER", help="abonnementets nummer eller personens e-mailadresse")
    revoke.set_defaults(handler=revoke_command)
    listing = subscription_actions.add_parser(
        "vis",
        help="vis de aktive personlige kalendere",
        description="Viser de aktive personlige kalendere (uden adresser).",
    )
    listing.set_defaults(handler=list_command)
