"""The schema check every command runs before it touches the database: plain SQL against
`alembic_version` and the revisions read from models/migrations/versions, without alembic (which
costs most of a command's start-up); alembic itself runs only when the schema is upgraded."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from models import db


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'sagsgang.db'}"


def test_the_newest_revision_is_alembics_own_head():
    """Fails when a migration is written in a way the file reader does not understand."""
    scripts = ScriptDirectory(str(db.MIGRATIONS))
    assert db.newest_revision() == scripts.get_current_head()
    known = {script.revision for script in scripts.walk_revisions()}
    assert all(db.is_known_revision(revision) for revision in known)
    assert not db.is_known_revision("0099")


def test_an_empty_database_has_no_schema_and_is_not_current(url):
    engine = db.make_engine(url)

    assert db.schema_revision(engine) is None
    with pytest.raises(db.SchemaNotCurrent) as raised:
        db.require_current_schema(engine)
    assert (raised.value.current, raised.value.newest, raised.value.known) == (None, db.newest_revision(), True)
    assert sa.inspect(engine).get_table_names() == []  # the check wrote nothing


def test_an_older_schema_is_behind_and_known(url):
    db.upgrade(url, "0004")
    engine = db.make_engine(url)

    assert db.schema_revision(engine) == "0004"
    with pytest.raises(db.SchemaNotCurrent) as raised:
        db.require_current_schema(engine)
    assert (raised.value.current, raised.value.known) == ("0004", True)


def test_the_newest_schema_passes_the_check(url):
    db.upgrade(url)
    engine = db.make_engine(url)

    db.require_current_schema(engine)
    assert db.schema_revision(engine) == ScriptDirectory(str(db.MIGRATIONS)).get_current_head()


def test_a_schema_from_a_newer_sagsgang_is_not_known(url):
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")

    with pytest.raises(db.SchemaNotCurrent) as raised:
        db.require_current_schema(engine)
    assert (raised.value.current, raised.value.known) == ("0099", False)


def test_an_empty_version_table_counts_as_no_schema(url):
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")

    assert db.schema_revision(engine) is None


def test_checking_the_schema_does_not_import_alembic(url):
    db.upgrade(url)
    code = (
        "import sys; from models import db; "
        f"db.require_current_schema(db.make_engine({url!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
