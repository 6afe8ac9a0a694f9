"""Database commands: sagsgang db opgrader.

Upgrading is done on purpose: by this command (after installing a new version of Sagsgang, and
by `make`), and by `sagsgang serve` and `sagsgang worker` once at start. Other commands only
check the schema and say when it is out of date.
"""

from __future__ import annotations

from sagsgang.cli.database import upgraded_database


def upgrade_command(args) -> int:
    done = upgraded_database(args.settings)
    if done.changed:
        print(f"Databasen er opgraderet til version {done.after}.")
    else:
        print("Databasen er allerede opdateret.")
    return 0


def register(commands) -> None:
    database = commands.add_parser(
        "db",
        help="Sagsgangs database: opgrader dens struktur",
        description="Sagsgangs egen database (SAGSGANG_DATABASE_URL, standard en SQLite-fil i SAGSGANG_HOME).",
    )
    actions = database.add_subparsers(
        title="handlinger", metavar="<handling>", required=True, parser_class=type(database)
    )
    upgrade = actions.add_parser(
        "opgrader",
        help="opret eller opgrader databasens tabeller til den nyeste struktur",
        description="Opretter tabellerne i en tom database eller bringer en eksisterende op til den "
        "nyeste struktur. Kør den efter hver installation af en ny udgave af Sagsgang. Flere "
        "samtidige kørsler venter på hinanden.",
    )
    upgrade.set_defaults(handler=upgrade_command)
