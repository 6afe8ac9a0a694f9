"""How to connect, transactions, and migrations, for a database URL the caller passes in.

Which database is a setting (sagsgang.settings: SAGSGANG_DATABASE_URL, default a SQLite file in
SAGSGANG_HOME); this module reads no settings: its callers pass `settings.database`. The same code
runs on Postgres: nothing here or in the tables is SQLite-only, apart from the pragmas every SQLite
connection sets (foreign keys on, WAL, synchronous=FULL) and how its transactions begin (below).
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # alembic's own, one row: the schema version the database has
# `revision: str = '0011'` and `down_revision: str | None = '0010'`, as `alembic revision` writes them.
_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)""", re.M)


def make_engine(url: str) -> Engine:
    """A new engine for `url`. Creates the SQLite file's folder."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if not sqlite:
        return create_engine(url)
    # pysqlite's own `timeout` is the busy timeout; a `?timeout=` in the URL says otherwise.
    engine = create_engine(url, connect_args={} if "timeout" in parsed.query else {"timeout": BUSY_TIMEOUT})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


# Seconds a SQLite transaction waits for the write lock while other processes (the web app, the
# workers' flow runs, CLI commands) commit theirs, before it fails with "database is locked"
# (sagsgang.faults tells the user in Danish). A burst of actions queues well within it.
BUSY_TIMEOUT = 30.0

# Execution option for a connection that only reads: its transaction begins deferred and takes no
# write lock (schema_revision: every command checks the schema while others may be writing).
READ_ONLY = "sagsgang_read_only"


def _sqlite_begin(connection: Connection) -> None:
    """Begin each SQLite transaction ourselves, as BEGIN IMMEDIATE (SQLAlchemy's pysqlite notes,
    "Serializable isolation / Savepoints / Transactional DDL").

    pysqlite left alone runs a transaction's reads outside it (it sends BEGIN only before the first
    INSERT/UPDATE/DELETE): two processes launching at once both read "no meetings stored" and both
    insert them, and one fails on the unique key; and a SAVEPOINT before the first write becomes the
    outermost transaction, whose RELEASE commits. A plain (deferred) BEGIN puts the reads inside
    but takes the write lock only at the first write, and SQLite cannot wait for that upgrade (its
    snapshot may be stale): "database is locked" at once, whatever the busy timeout. BEGIN
    IMMEDIATE takes the write lock first, waiting up to the busy timeout for other writers'
    commits; readers are not blocked (WAL), so a burst of writers queues and every one commits.

    A transaction that only reads (READ_ONLY) begins deferred, and with SQLite's query_only on:
    a write in it fails at once ("attempt to write a readonly database"), in the tests too, where
    it would otherwise succeed and only fail in production, when another process holds the lock.
    """
    deferred = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql(
        f"PRAGMA query_only={'ON' if deferred else 'OFF'}"
    )  # set at every begin: pooled connections
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    """What every SQLite connection asks for.

    foreign_keys: SQLite ignores foreign keys unless each connection asks for them.
    journal_mode=WAL (kept in the file once set; an in-memory database stays 'memory'): a commit
    appends to the -wal file and fsyncs it once, instead of writing a rollback journal and the
    database with their fsyncs, so the outbox's 'sendt' commit right after the SMTP server's 250,
    the window in which a crash resends a mail, is shorter; readers and the one writer no longer
    block each other. The -wal and -shm files belong with the database (same folder, a local
    disk); the online backup (sqlite3 .backup, Python's backup API) copies them consistently.
    synchronous=FULL: each commit is on disk when it returns, across a power loss too: a mail
    marked sent stays marked (NORMAL would be safe against a crashed process but could roll back
    the last commits on a power loss: a case the web app confirmed, or a 'sendt' mark, would be
    gone, and that mail sent again).
    """
    dbapi_connection.isolation_level = None  # pysqlite's own BEGINs off: _sqlite_begin sends ours
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str) -> Engine:
    """A shared engine per URL, so connection pools are reused across sessions."""
    return _engine_for(url)


@contextmanager
def session_scope(engine: Engine, read_only: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Bad input therefore writes nothing: a function that fails half-way leaves no half-done rows.
    `read_only`: the block means only to read, and on SQLite its transaction takes no write lock
    (READ_ONLY), so it never waits for another process's writes; a write in it fails (_sqlite_begin).
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    # Rows stay readable after the block (the CLI prints what it stored); they are not
    # re-read from the database after the commit, which is what we want for a short scope.
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`: the scripts live in models/migrations.

    The top-level alembic.ini says the same for developers' `alembic revision --autogenerate`.
    Alembic is imported here, on the migration path only: it costs most of a command's start-up.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Config values go through configparser, where '%' starts an interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: the schema version before (None: an empty database) and after."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


class SchemaNotCurrent(Exception):
    """The database's schema is not the newest one the code knows: older, none at all (current
    None), or one this code does not know (known False: made by a newer version)."""

    def __init__(self, current: str | None, newest: str, known: bool) -> None:
        super().__init__(f"schema {current or 'none'}, newest {newest}")
        self.current = current
        self.newest = newest
        self.known = known


@lru_cache(maxsize=1)
def _revisions() -> dict[str, str | None]:
    """Each revision of models/migrations/versions and the one before it, read from the files'
    `revision = …` and `down_revision = …` lines (no alembic: checking the schema must be cheap)."""
    found: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        lines = {name: value or None for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))}
        if lines.get("revision"):
            found[str(lines["revision"])] = lines.get("down_revision")
    return found


def newest_revision() -> str:
    """The newest schema version the code knows (the head of models/migrations/versions)."""
    revisions = _revisions()
    heads = set(revisions) - set(revisions.values())
    assert len(heads) == 1, f"models/migrations/versions must have one head, has {sorted(heads)}"
    return heads.pop()


def is_known_revision(revision: str) -> bool:
    """Whether `revision` is one of models/migrations/versions (not one of a newer version's)."""
    return revision in _revisions()


def schema_revision(engine: Engine) -> str | None:
    """The schema version the database at `engine` has (None: never migrated), read with plain SQL."""
    with engine.connect() as connection:
        return _revision(connection.execution_options(**{READ_ONLY: True}))


def require_current_schema(engine: Engine) -> None:
    """Raise SchemaNotCurrent unless the database has the newest schema (`sagsgang db opgrader`)."""
    current, newest = schema_revision(engine), newest_revision()
    if current != newest:
        raise SchemaNotCurrent(current, newest, current is None or is_known_revision(current))


def upgrade(url: str, revision: str = "heads") -> Upgrade:
    """Bring the database at `url` up to `revision` (`alembic upgrade`).

    Safe to run from several processes at once: each waits for the others' migration to finish
    (PostgreSQL: an advisory lock held by the migration's own connection; SQLite: a lock file
    beside the database file), then finds the schema current and does nothing.
    """
    from alembic import command

    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection, _migration_lock(connection):
            before = _revision(connection)
            config.attributes["connection"] = connection  # models/migrations/env.py migrates on it
            command.upgrade(config, revision)
            return Upgrade(before, _revision(connection))
    finally:
        engine.dispose()


def _revision(connection: Connection) -> str | None:
    """The version in alembic's table (None: no table, or empty); ends the read's transaction, so a
    migration on the same connection begins its own."""
    rows: list[str] = []
    if inspect(connection).has_table(VERSION_TABLE):
        rows = list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    connection.commit()
    if len(rows) > 1:  # branches merged by a newer Sagsgang: not a version this code knows
        return ",".join(sorted(rows))
    return rows[0] if rows else None


# Any constant bigint: what matters is that every Sagsgang process takes the same one.
ADVISORY_LOCK_KEY = 7_305_241_002_010_005


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """One migration at a time per database: other processes wait here until it is done."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()  # the lock belongs to the session (this connection), not the transaction
        try:
            yield
        finally:
            connection.rollback()  # after a failed migration, so that the unlock can run
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
        return
    database = connection.engine.url.database
    if connection.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        with open(f"{Path(database).expanduser()}.migration-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield
        return
    yield
