"""Several processes writing one SQLite file at once (models/db.py): the service's web app, its
workers' flow runs and CLI commands do, on the embedded default. Each transaction that reads and
then writes must see the others' commits and wait its turn, not lose their rows or fail."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
from sqlmodel import func, select

from calendars.profiles import BodyKind
from models import db
from models.tables import Body
from sagsgang.faults import fault_message

WRITERS = 6


def _read_then_write(url: str, start: Barrier, answers: Queue) -> None:
    """One transaction: count the bodies stored, then store the next one, named by that count (as
    a launch reads which meetings are stored, plans, and stores the missing ones)."""
    engine = db.make_engine(url)
    start.wait()  # all begin at once
    try:
        with db.session_scope(engine) as session:
            stored = session.exec(select(func.count()).select_from(Body)).one()
            time.sleep(0.2)  # the work between the read and the write (planning a route)
            session.add(
                Body(municipality="slagelse", key=f"organ-{stored}", name=f"Organ {stored}", kind=BodyKind.POLITICAL)
            )
        answers.put("committed")
    except Exception as error:
        answers.put(f"{type(error).__name__}: {error}")
    finally:
        engine.dispose()


def test_writers_that_read_first_all_commit_one_after_the_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url)
    context = multiprocessing.get_context("fork")  # Linux: the writers need not import Sagsgang again
    start, answers = context.Barrier(WRITERS), context.Queue()
    writers = [context.Process(target=_read_then_write, args=(url, start, answers)) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    told = [answers.get(timeout=120) for _ in writers]
    for writer in writers:
        writer.join()

    assert told == ["committed"] * WRITERS
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:  # each saw the ones before it: no count read twice
        keys = sorted(session.exec(select(Body.key)).all())
    engine.dispose()
    assert keys == sorted(f"organ-{n}" for n in range(WRITERS))


@pytest.fixture
def locked(tmp_path):
    """A migrated database whose write lock another connection holds (a long write elsewhere)."""
    path = tmp_path / "sagsgang.db"
    db.upgrade(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield f"sqlite:///{path}?timeout=0.2"
    other.rollback()
    other.close()


def test_a_write_lock_held_past_the_busy_timeout_is_told_in_danish_and_nothing_is_written(locked):
    engine = db.make_engine(locked)
    with pytest.raises(Exception) as raised, db.session_scope(engine) as session:
        session.add(Body(municipality="slagelse", key="direktion", name="Direktionen", kind=BodyKind.ADMINISTRATIVE))
    message = fault_message(raised.value)
    assert message is not None and "optaget af en anden" in message and "Intet er gemt" in message
    engine.dispose()
    with sqlite3.connect(locked.removeprefix("sqlite:///").split("?")[0]) as reader:
        assert reader.execute("SELECT count(*) FROM bodies").fetchone() == (0,)


def test_the_schema_check_reads_while_another_process_writes(locked):
    engine = db.make_engine(locked)
    db.require_current_schema(engine)  # no write lock wanted, so no wait for it
    engine.dispose()


def test_a_savepoint_before_the_first_write_commits_nothing_when_the_transaction_fails(tmp_path):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        session.exec(select(Body)).all()
        with session.begin_nested():  # as ensure_meetings and the outbox's insert do
            session.add(
                Body(municipality="slagelse", key="direktion", name="Direktionen", kind=BodyKind.ADMINISTRATIVE)
            )
        raise RuntimeError("the action is refused afterwards")
    with db.session_scope(engine) as session:
        assert session.exec(select(Body)).all() == []
    engine.dispose()


def test_a_transaction_that_only_reads_refuses_a_write_and_the_next_transaction_may_write(tmp_path):
    # On SQLite a read-only transaction cannot wait for the write lock: a write in it would work on
    # a quiet machine and fail only when another process writes. So it fails always, and at once.
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    organ = {"municipality": "slagelse", "name": "Organ", "kind": BodyKind.POLITICAL}
    with pytest.raises(Exception, match="readonly database"):
        with db.session_scope(engine, read_only=True) as session:
            session.add(Body(key="i-laesning", **organ))
    with db.session_scope(engine) as session:  # the same pooled connection, writing again
        session.add(Body(key="i-skrivning", **organ))
    with db.session_scope(engine, read_only=True) as session:
        assert session.exec(select(Body.key)).all() == ["i-skrivning"]
    engine.dispose()
