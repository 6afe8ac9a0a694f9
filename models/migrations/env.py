"""Alembic environment for Sagsgang's own database (not Prefect's).

Run by models.db.upgrade() (`sagsgang db opgrader`), which passes its locked connection, or by
`alembic` with the top-level alembic.ini (developers: `alembic revision --autogenerate -m ...`),
which connects to `-x url=...`, else SAGSGANG_DATABASE_URL. That is the one environment read under
models/, and only here: this script is the `alembic` command's own entry point, which the
application never runs (models.db.upgrade passes its connection). The target schema comes from the models' tables.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models.audit
import models.content
import models.feed_tables
import models.outbox
import models.tables
import models.users  # noqa: F401
from models.db import make_engine
from models.types import AwareDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types, so revisions don't import models.*,
    which may change after the revision was written."""
    if type_ == "type" and isinstance(obj, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and type(obj).__name__ == "AutoString":  # sqlmodel's str column
        return "sa.String()"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        **options,
    )


def _url() -> str:
    url = (
        config.get_main_option("sqlalchemy.url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("SAGSGANG_DATABASE_URL")
    )
    if not url:
        raise SystemExit("No database URL: set SAGSGANG_DATABASE_URL or run alembic -x url=...")
    return url


def run_migrations_offline() -> None:
    url = _url()
    _configure(
        url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")  # models.db.upgrade() passes the one it locked
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def _migrate(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by DROP + CREATE; with foreign keys on, the DROP would
        # cascade-delete child rows. The pragma only works outside a transaction, so it goes to
        # the driver's connection: through SQLAlchemy's, it would begin one (models.db begins
        # each SQLite transaction itself).
        connection.commit()  # no transaction open: Alembic begins its own per migration
        _outside_transaction(connection, "PRAGMA foreign_keys=OFF")
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    _configure(connection=connection, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"The migration left rows with broken foreign keys: {problems}")
        connection.commit()
        _outside_transaction(connection, "PRAGMA foreign_keys=ON")


def _outside_transaction(connection: Connection, pragma: str) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None and not driver.in_transaction, pragma
    driver.execute(pragma)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
