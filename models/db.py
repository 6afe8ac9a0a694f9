"""Where the database is, how to connect, transactions, and migrations.

One setting decides the database: SAGSGANG_DATABASE_URL. Without it Sagsgang keeps a SQLite file
in SAGSGANG_HOME (default ~/.sagsgang). The same code runs on Postgres: nothing here or in the
tables is SQLite-only, apart from switching SQLite's foreign keys on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

URL_VARIABLE = "SAGSGANG_DATABASE_URL"
HOME_VARIABLE = "SAGSGANG_HOME"
MIGRATIONS = Path(__file__).parent / "migrations"


def home() -> Path:
    """Sagsgang's own folder (SAGSGANG_HOME, default ~/.sagsgang); not created here."""
    return Path(os.environ.get(HOME_VARIABLE) or "~/.sagsgang").expanduser()


def database_url() -> str:
    """The database URL from the environment, read on every call so tests can change it."""
    return os.environ.get(URL_VARIABLE) or f"sqlite:///{home() / 'sagsgang.db'}"


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (default: the setting). Creates the SQLite file's folder."""
    url = url or database_url()
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if sqlite:
        # SQLite ignores foreign keys unless every connection asks for them.
        event.listen(engine, "connect", _sqlite_foreign_keys_on)
    return engine


def _sqlite_foreign_keys_on(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """A shared engine per URL, so connection pools are reused across sessions."""
    return _engine_for(url or database_url())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Bad input therefore writes nothing: a function that fails half-way leaves no half-done rows.
    """
    # Rows stay readable after the block (the CLI prints what it stored); they are not
    # re-read from the database after the commit, which is what we want for a short scope.
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration without an alembic.ini: the scripts live in models/migrations.

    For a new revision: `command.revision(alembic_config(), "message", autogenerate=True)`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Config values go through configparser, where '%' starts an interpolation.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    """Bring the database at `url` (default: the setting) up to `revision` (`alembic upgrade`)."""
    command.upgrade(alembic_config(url), revision)
