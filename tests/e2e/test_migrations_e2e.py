"""`sagsgang db opgrader` on the production database: several deploy steps or service starts
upgrading one empty PostgreSQL database at once wait on an advisory lock, so all succeed and
leave one schema (without the lock they race: duplicate tables, a failed deploy)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models.content
import models.feed_tables
import models.outbox
import models.tables
import models.users  # noqa: F401  (every table in SQLModel.metadata)
from tests.e2e.conftest import as_postgres_user, postgres_bindir

pytestmark = pytest.mark.e2e
RUNS = 6


def test_upgrades_started_together_on_an_empty_postgres_database_all_succeed_with_one_schema(postgres):
    host, port, user = postgres
    name = "sagsgang_samtidig"
    as_postgres_user([str(postgres_bindir() / "createdb"), "-h", host, "-p", str(port), "-U", user, name])
    url = f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    env = {**os.environ, "SAGSGANG_DATABASE_URL": url}

    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sagsgang.cli.main", "db", "opgrader"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(RUNS)
    ]
    results = [(run.wait(timeout=180), *run.communicate()) for run in runs]

    assert [code for code, _, _ in results] == [0] * RUNS, [err for _, _, err in results]
    outputs = sorted(out for _, out, _ in results)
    assert outputs == ["Databasen er allerede opdateret.\n"] * (RUNS - 1) + [
        "Databasen er opgraderet til version 0012.\n"
    ]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == ["0012"]
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
            # The lock is released: nobody holds an advisory lock once the upgrades have ended.
            held = connection.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").scalar()
            assert held == 0
    finally:
        engine.dispose()
