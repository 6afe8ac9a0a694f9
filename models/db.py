"""How to connect, transactions, and migrations, for a database URL the caller passes in.

Which database is a setting (sagsgang.settings: SAGSGANG_DATABASE_URL, default a SQLite file in
SAGSGANG_HOME); this module reads no settings: its callers pass `settings.database`. The same code
runs on Postgres: nothing here or in the tables is SQLite-only, apart from switching SQLite's
foreign keys on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """A new engine for `url`. Creates the SQLite file's folder."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if sqlite:
        # SQLite ignores foreign keys unless every connection asks for them.
        event.listen(engine, "connect", _sqlite_foreign_keys_on)
    return engine


def _sqlite_foreign_keys_on(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str) -> Engine:
    """A shared engine per URL, so connection pools are reused across sessions."""
    return _engine_for(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Bad input therefore writes nothing: a function that fails half-way leaves no half-done rows.
    """
    # Rows stay readable after the block (the CLI prints what it stored); they are not
    # re-read from the database after the commit, which is what we want for a short scope.
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic's configuration without an alembic.ini: the scripts live in models/migrations.

    For a new revision: `command.revision(alembic_config(url), "message", autogenerate=True)`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Config values go through configparser, where '%' starts an interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` up to `revision` (`alembic upgrade`)."""
    command.upgrade(alembic_config(url), revision)
