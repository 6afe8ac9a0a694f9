"""The configured database for one command: migrated on open, with its engine and transactions."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sagsgang.inputs import UserError
from sagsgang.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


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


def open_database(settings: Settings) -> Database:
    """The database, brought up to date (it is created on first use); a Danish message if it
    cannot be opened."""
    from sqlalchemy.exc import OperationalError

    from models import db

    try:
        db.upgrade(settings.database)  # a fresh database gets its tables; an existing one its new migrations
    except OperationalError as error:
        raise UserError(
            f"Databasen {settings.database} kan ikke åbnes ({error.orig}). Tjek SAGSGANG_DATABASE_URL."
        ) from None
    return Database(settings)
