"""SQLite runs in WAL mode (models/db.py): a commit is appended to sagsgang.db-wal and may stay
there until a checkpoint. The README's online backup (Python's sqlite3 backup API, as `sqlite3
.backup`) must still hold every committed row while Sagsgang has the database open."""

from __future__ import annotations

import sqlite3

from sqlmodel import select

from calendars.profiles import BodyKind
from models import db
from models.tables import Body


def test_the_online_backup_holds_a_commit_that_is_still_only_in_the_write_ahead_log(tmp_path):
    path = tmp_path / "sagsgang.db"
    db.upgrade(f"sqlite:///{path}")
    engine = db.make_engine(f"sqlite:///{path}")
    with db.session_scope(engine) as session:
        session.add(Body(municipality="slagelse", key="direktion", name="Direktionen", kind=BodyKind.ADMINISTRATIVE))
    with engine.connect():  # Sagsgang still has the database open: no checkpoint at close
        assert (tmp_path / "sagsgang.db-wal").stat().st_size > 0  # the commit is in the log
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
            source.backup(target)
    engine.dispose()

    restored = db.make_engine(f"sqlite:///{backup}")
    with db.session_scope(restored) as session:
        assert [b.name for b in session.exec(select(Body))] == ["Direktionen"]
    restored.dispose()
