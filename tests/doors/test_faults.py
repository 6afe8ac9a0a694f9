"""What we depend on, broken (issue 12, item 5): each fault its own Danish message and exit code 3,
the traceback only in the log file under SAGSGANG_HOME; anything unforeseen is "Uventet fejl" with
exit code 1; Ctrl-C / Ctrl-D at a prompt end it with one Danish line."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from sagsgang.faults import fault_message
from sagsgang.settings import Settings
from tests.doors.world import ENGLISH, JOURNAL, LAUNCH, World, make_world


def _world(tmp_path, url: str) -> World:
    return World(Settings(database_url=url, home=tmp_path / "home", today="2027-01-04", orchestration="inline"))


def _told(world: World, answer, code: int, words: str) -> None:
    assert answer.code == code, answer.err
    assert words in answer.err
    said = answer.err.replace(str(world.settings.home), "").replace(words, "")
    assert "Traceback" not in answer.err and ENGLISH.search(said) is None
    log = (world.settings.home / "logs" / "sagsgang.log").read_text(encoding="utf-8")
    assert "Traceback" in log  # for IT


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "sagsgang.db"
    path.write_bytes(b"dette er et regneark, ikke en database" * 100)
    world = _world(tmp_path, f"sqlite:///{path}")
    _told(world, world.run("sag", "vis", JOURNAL), 3, "ikke en Sagsgang-database")


def test_a_postgresql_url_without_its_driver(tmp_path):
    pytest.importorskip("sqlalchemy")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("psycopg2 is installed here")
    world = _world(tmp_path, "postgresql://sagsgang@127.0.0.1:1/sagsgang")
    _told(world, world.run("sag", "vis", JOURNAL), 3, "postgresql+psycopg://")


def test_a_sqlite_database_locked_by_another_writer(tmp_path):
    # A busy timeout of 1 s (pysqlite's URL parameter), not models.db's default of 30 s.
    world = make_world(f"sqlite:///{tmp_path / 'sagsgang.db'}?timeout=1", tmp_path / "home", files=True)
    other = sqlite3.connect(tmp_path / "sagsgang.db")
    other.execute("BEGIN EXCLUSIVE")
    try:
        argv = [*LAUNCH]
        argv[argv.index("--journalnummer") + 1] = "27.00.00-G01-9-27"
        answer = world.run(*argv)
    finally:
        other.rollback()
        other.close()
    _told(world, answer, 3, "optaget af en anden")


def test_anything_unforeseen_is_uventet_fejl_with_the_log_file_named(tmp_path, monkeypatch):
    from sagsgang.cli import case_commands

    def broken(_args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(case_commands, "show_command", broken)
    world = _world(tmp_path, f"sqlite:///{tmp_path / 'sagsgang.db'}")
    answer = world.run("sag", "vis", JOURNAL)
    _told(world, answer, 1, "Uventet fejl — detaljer er skrevet i")
    assert str(world.settings.home / "logs" / "sagsgang.log") in answer.err


@pytest.mark.parametrize("key", [KeyboardInterrupt, EOFError])
def test_ctrl_c_or_ctrl_d_at_the_password_prompt_ends_quietly(tmp_path, monkeypatch, key):
    import getpass

    world = make_world(f"sqlite:///{tmp_path / 'sagsgang.db'}", tmp_path / "home", files=True)
    before = world.snapshot()

    def pressed(_prompt):
        raise key

    monkeypatch.setattr(getpass, "getpass", pressed)
    answer = world.run("bruger", "opret", "ny", "--rolle", "leder", terminal=True)
    assert answer.code == 2 and answer.err.strip().endswith("Afbrudt: intet er gemt.")
    assert "Traceback" not in answer.err and world.snapshot() == before


def test_a_full_disk_and_an_unanswering_mail_server_are_told_apart():
    import smtplib

    full = fault_message(OSError(errno.ENOSPC, "No space left on device"))
    mail = fault_message(smtplib.SMTPConnectError(421, "busy"))
    assert full is not None and "Disken er fuld" in full
    assert mail is not None and "Mailserveren" in mail
    assert fault_message(RuntimeError("a bug")) is None
