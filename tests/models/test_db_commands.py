"""Migrations on purpose: `sagsgang db opgrader` creates and upgrades the schema; every other
command only checks it and, on an empty or older database, says how to fix it and exits 3,
writing nothing. Real processes, as a secretary or a deploy script runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from models import db
from tests import configured

ROOT = Path(__file__).parents[2]
ALEMBIC = Path(sys.executable).parent / "alembic"


def sagsgang(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, configured.URL_VARIABLE: url, "SAGSGANG_TODAY": "2027-01-04"}
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args], capture_output=True, text=True, env=env, timeout=120
    )


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def version(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    finally:
        engine.dispose()


def test_upgrade_creates_the_schema_then_finds_it_current(tmp_path):
    url = f"sqlite:///{tmp_path / 'ny' / 'sagsgang.db'}"  # the folder does not exist yet

    first = sagsgang("db", "opgrader", url=url)
    assert (first.returncode, first.stdout) == (0, "Databasen er opgraderet til version 0012.\n"), first.stderr
    assert {"cases", "meetings", "outbox", "users"} <= tables(url)
    assert version(url) == ["0012"]

    again = sagsgang("db", "opgrader", url=url)
    assert (again.returncode, again.stdout) == (0, "Databasen er allerede opdateret.\n"), again.stderr


def test_a_command_on_an_empty_database_says_how_to_fix_it_and_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"

    result = sagsgang("bruger", "vis", url=url)

    assert result.returncode == 3
    assert result.stdout == ""
    assert "Databasen har ikke den nyeste struktur (ingen tabeller endnu, skal være 0012)." in result.stderr
    assert "db opgrader" in result.stderr
    assert "Traceback" not in result.stderr
    assert tables(url) == set()  # no migration ran behind the user's back


def test_a_command_on_an_older_schema_names_both_versions_and_works_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url, "0004")  # a database of the version before the users table

    result = sagsgang("bruger", "vis", url=url)
    assert result.returncode == 3
    assert "Databasen har ikke den nyeste struktur (version 0004, skal være 0012). Kør: " in result.stderr
    assert result.stderr.rstrip().endswith("db opgrader")
    assert "Traceback" not in result.stderr
    assert "users" not in tables(url) and version(url) == ["0004"]

    upgraded = sagsgang("db", "opgrader", url=url)
    assert upgraded.stdout == "Databasen er opgraderet til version 0012.\n", upgraded.stderr
    listing = sagsgang("bruger", "vis", url=url)
    assert listing.returncode == 0, listing.stderr


def test_a_schema_from_a_newer_sagsgang_is_not_upgraded_and_says_why(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    engine.dispose()

    for args in (("bruger", "vis"), ("db", "opgrader")):
        result = sagsgang(*args, url=url)
        assert result.returncode == 3, args
        assert "version 0099, som denne udgave af Sagsgang ikke kender" in result.stderr
        assert "Traceback" not in result.stderr
    assert version(url) == ["0099"]


def test_a_database_that_cannot_be_opened_is_named_with_the_setting_to_check(tmp_path):
    (tmp_path / "mappe.db").mkdir()  # a folder where the SQLite file should be
    url = f"sqlite:///{tmp_path / 'mappe.db'}"

    for args in (("bruger", "vis"), ("db", "opgrader")):
        result = sagsgang(*args, url=url)
        assert result.returncode == 3, args
        assert f"Databasen {url} kan ikke åbnes" in result.stderr
        assert configured.URL_VARIABLE in result.stderr and "Traceback" not in result.stderr


def test_upgrades_started_together_on_one_sqlite_file_all_succeed_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    env = {**os.environ, configured.URL_VARIABLE: url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sagsgang.cli.main", "db", "opgrader"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(5)
    ]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]

    assert [code for code, _, _ in results] == [0] * 5, [err for _, _, err in results]
    outputs = sorted(out for _, out, _ in results)
    assert outputs == ["Databasen er allerede opdateret.\n"] * 4 + ["Databasen er opgraderet til version 0012.\n"]
    assert version(url) == ["0012"]


def test_alembic_ini_compares_the_models_with_the_database_for_developers(tmp_path):
    """`alembic check` is `alembic revision --autogenerate` without writing the file: on an
    up-to-date database it finds nothing to generate, and it does find a missing column."""
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url)
    env = {**os.environ, configured.URL_VARIABLE: url}

    current = subprocess.run([str(ALEMBIC), "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert current.returncode == 0, current.stderr
    assert "No new upgrade operations detected" in current.stdout + current.stderr

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE meetings DROP COLUMN place")
    engine.dispose()
    drifted = subprocess.run([str(ALEMBIC), "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert drifted.returncode != 0
    assert "add_column" in drifted.stdout + drifted.stderr and "place" in drifted.stdout + drifted.stderr
