"""Account commands: sagsgang bruger opret | vis.

Only light imports at the top: argon2 and the database layer are imported inside the commands.
"""

from __future__ import annotations

import sys

from sagsgang.cli.database import current_database
from sagsgang.cli.prompts import ask_secret
from sagsgang.inputs import UserError, read_profile


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    without_terminal = (
        "Der er ingen terminal at spørge om adgangskoden i. Send den på standard input med "
        "--adgangskode-fra-stdin, eller opret brugeren med --kun-sso."
    )
    first = ask_secret("Adgangskode: ", without_terminal)
    if ask_secret("Gentag adgangskoden: ", without_terminal) != first:
        raise UserError("De to adgangskoder er ikke ens. Prøv igen.")
    return first


def create_command(args) -> int:
    from sagsgang.accounts import logins

    username = logins.check_username(args.brugernavn)
    role = logins.read_role(args.rolle)
    name = logins.check_name(args.navn)
    email = logins.check_email(args.email, given=args.email is not None)
    municipality = read_profile(args.kommune).key if args.kommune else ""
    if args.administrator and not role.may_write:
        raise UserError("Kun brugere med rollen sekretariat kan være administratorer.")
    password = None if args.kun_sso else logins.check_password(_read_password(args.adgangskode_fra_stdin))
    db = current_database(args.settings)
    with db.session_scope() as session:
        user = logins.create_user(session, username, role, password, name, email, municipality, args.administrator)
        email = user.email
    rights = (
        "må oprette sager, registrere beslutninger og ændre møder"
        if role.may_write
        else "må se sager og møder og abonnere på kalendere"
    )
    print(f"Brugeren {username} er oprettet med rollen {role} ({rights}).")
    if not email:
        print("Bemærk: brugeren har ingen e-mailadresse (--email), så den kan ikke få en personlig kalender.")
    print(
        "Log ind på /login, når sagsgang tjeneste kører"
        + (" via kommunens single sign-on." if password is None else ".")
    )
    return 0


def list_command(args) -> int:
    from sqlmodel import select

    from models.users import User

    db = current_database(args.settings)
    with db.session_scope() as session:
        rows = session.exec(select(User).order_by(User.username)).all()
        lines = [
            f"{u.username}: {u.role}{' (administrator)' if u.admin else ''}{' – ' + u.name if u.name else ''}"
            f"{' [' + u.municipality + ']' if u.municipality else ''}"
            f"{' <' + u.email + '>' if u.email else ''}{'' if u.active else ' (spærret)'}"
            for u in rows
        ]
    print(
        "\n".join(lines)
        if lines
        else "Der er ingen brugere endnu. Opret en med: sagsgang bruger opret NAVN --rolle sekretariat"
    )
    return 0


def register(commands) -> None:
    users = commands.add_parser(
        "bruger",
        help="brugere af webappen: opret og vis",
        description="Konti til webappen (sagsgang tjeneste). Sekretariatet må oprette og ændre; ledere må se og abonnere.",
    )
    actions = users.add_subparsers(title="handlinger", metavar="<handling>", required=True, parser_class=type(users))
    create = actions.add_parser(
        "opret",
        help="opret en bruger (spørger om adgangskoden)",
        description="Opretter en bruger. Adgangskoden (mindst 12 tegn) spørges der om to gange "
        "og gemmes kun som argon2-hash.",
    )
    create.add_argument("brugernavn", metavar="BRUGERNAVN", help="fx meha eller meha@slagelse.dk")
    create.add_argument("--rolle", required=True, metavar="sekretariat|leder", help="hvad brugeren må")
    create.add_argument("--navn", metavar="NAVN", help="fulde navn, vises i webappen")
    create.add_argument(
        "--email",
        metavar="E-MAIL",
        help="til den personlige kalender (standard: brugernavnet, hvis det er en e-mailadresse)",
    )
    create.add_argument(
        "--adgangskode-fra-stdin",
        action="store_true",
        help="læs adgangskoden fra første linje på standard input (til scripts)",
    )
    create.add_argument(
        "--kun-sso",
        action="store_true",
        help="ingen adgangskode: brugeren logger kun ind via single sign-on (proxy-header)",
    )
    create.add_argument(
        "--kommune",
        metavar="NAVN",
        help="kommunen, hvis organer og sager brugeren ser (uden: alle kommuner i installationen)",
    )
    create.add_argument(
        "--administrator",
        action="store_true",
        help="må oprette, deaktivere og nulstille brugere i webappen (kun rollen sekretariat)",
    )
    create.set_defaults(handler=create_command)
    listing = actions.add_parser("vis", help="vis brugerne", description="Viser brugerne og deres roller.")
    listing.set_defaults(handler=list_command)
