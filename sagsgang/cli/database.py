"""The commands' way to Sagsgang's database: one that has the newest schema, or a Danish message
that says how to get it (`sagsgang db opgrader`) and exit code 3.

Migrations run on purpose only — `sagsgang db opgrader`, and `serve` / `worker` once at start —
never as a side effect of another command. The database layer is imported inside the functions:
the planning commands must stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.db import Upgrade

EXIT_UNAVAILABLE = 3


class Unavailable(Exception):
    """Something the command depends on is not there (the database, its schema): printed as it
    is (Danish), exit code 3, nothing written."""


def current_database() -> ModuleType:
    """models.db, after checking that the database answers and has the newest schema."""
    from models import db

    with _reachable():
        try:
            db.require_current_schema()
        except db.SchemaNotCurrent as error:
            raise Unavailable(schema_message(error.current, error.newest, error.known)) from None
    return db


def upgraded_database() -> Upgrade:
    """Bring the database up to the newest schema; says what models.db.upgrade() did."""
    from models import db

    with _reachable():
        before = db.schema_revision(db.get_engine())
        if before is not None and not db.is_known_revision(before):
            raise Unavailable(schema_message(before, db.newest_revision(), known=False))
        return db.upgrade()


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
def _reachable() -> Iterator[None]:
    """'Cannot connect' becomes Unavailable, with the database's address and the setting to check."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from models import db

    try:
        yield
    except OperationalError as error:
        url = make_url(db.database_url()).render_as_string(hide_password=True)
        raise Unavailable(f"Databasen {url} kan ikke åbnes ({error.orig}). Tjek {db.URL_VARIABLE}.") from None
