"""The commands' way to Sagsgang's database: the one `args.settings` names, with the newest schema,
or a Danish message that says how to get it (`sagsgang db opgrader`) and exit code 3.

Migrations run on purpose only — `sagsgang db opgrader`, and `serve` / `worker` once at start —
never as a side effect of another command. The database layer is imported inside the functions:
the planning commands must stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from sagsgang.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from models.db import Upgrade


class Unavailable(Exception):
    """Something the command depends on is not there (the database, its schema): printed as it
    is (Danish), exit code 3, nothing written."""


class Database:
    """The database `settings` name, for the command that opened it."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database
        self.engine: Engine = settings.engine()

    def get_engine(self) -> Engine:
        return self.engine

    def session_scope(self) -> AbstractContextManager[Session]:
        """One transaction (models.db.session_scope): commit at the end, roll back on any error."""
        from models import db

        return db.session_scope(self.engine)


def current_database(settings: Settings) -> Database:
    """The settings' database, after checking that it answers and has the newest schema."""
    from models import db

    database = Database(settings)
    with _reachable(settings):
        try:
            db.require_current_schema(database.engine)
        except db.SchemaNotCurrent as error:
            raise Unavailable(schema_message(error.current, error.newest, error.known)) from None
    return database


def upgraded_database(settings: Settings) -> Upgrade:
    """Bring the settings' database up to the newest schema; says what models.db.upgrade() did."""
    from models import db

    with _reachable(settings):
        before = db.schema_revision(settings.engine())
        if before is not None and not db.is_known_revision(before):
            raise Unavailable(schema_message(before, db.newest_revision(), known=False))
        return db.upgrade(settings.database)


def schema_message(current: str | None, newest: str, known: bool = True) -> str:
    from sagsgang.cli.main import command_name

    if not known:
        return (
            f"Databasen har version {current}, som denne udgave af Sagsgang ikke kender (dens nyeste er "
            f"{newest}). Brug den udgave af Sagsgang, der opgraderede databasen."
        )
    has = f"version {current}" if current else "ingen tabeller endnu"
    return f"Databasen har ikke den nyeste struktur ({has}, skal være {newest}). Kør: {command_name()} db opgrader"


@contextmanager
def _reachable(settings: Settings) -> Iterator[None]:
    """'Cannot connect' becomes Unavailable, in Danish (sagsgang.faults) with the database's address
    and the setting to check; the driver's own words go to the log file for IT."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from sagsgang.faults import fault_message, log_traceback

    try:
        yield
    except OperationalError as error:
        path = log_traceback(error, settings)
        shown = make_url(settings.database).render_as_string(hide_password=True)
        said = fault_message(error, settings) or f"Databasen {shown} kan ikke åbnes. Tjek SAGSGANG_DATABASE_URL."
        raise Unavailable(f"{said} (Detaljer er skrevet i {path}.)") from None
