"""Without the service, an action's static feeds are written by a process of their own after the
command has answered (sagsgang.publishing.background): the case's feed appears within seconds.

Dates (tests/lifecycle_world.py): Slagelse, route 'politisk', ready Monday 1 March 2027,
Direktionen Tuesday 9 March 2027.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sagsgang.publishing import background
from tests import configured
from tests.lifecycle_world import J

WAIT_SECONDS = 60


def until(found, what: str):
    """Poll `found()` until it is truthy, at most WAIT_SECONDS (the publish is another process)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (value := found()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} efter {WAIT_SECONDS} s")
        time.sleep(0.1)
    return value


def test_the_cli_answers_and_the_case_feed_follows(database, tmp_path):
    feeds = tmp_path / "kalender"
    env = {
        **os.environ,
        "SAGSGANG_FEEDS_DIR": str(feeds),
        "SAGSGANG_TODAY": "2027-03-01",
        "SAGSGANG_ORCHESTRATION": "auto",  # no service runs: the follow-up runs in the command
    }
    done = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli", "sag", "opret", "--kommune", "slagelse",
         "--titel", "Erhvervsstrategi 2027", "--journalnummer", J, "--sagsbehandler", "Mette Hansen",
         "--sagsbehandler-email", "meha@slagelse.dk", "--leder", "Lars Berg", "--leder-email", "labe@slagelse.dk",
         "--rute", "politisk", "--klar", "01-03-2027"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Sagen {J} er oprettet og planlagt." in done.stdout

    case_feed = feeds / "slagelse" / "sag" / f"{J}.ics"
    text = until(lambda: case_feed.exists() and case_feed.read_text(encoding="utf-8"), "sagens kalender mangler")
    unfolded = text.replace("\r\n ", "")
    assert "Erhvervsstrategi 2027" in unfolded
    assert "DTSTART;TZID=Europe/Copenhagen:20270309T090000" in unfolded  # Direktionen, 9 March 09:00
    log = tmp_path / "home" / "logs" / "sagsgang.log"
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8")


def test_without_a_feeds_folder_there_is_nothing_to_publish(database):
    assert background.publish_later(configured.settings()) is False


def test_no_process_is_started_while_a_queued_publisher_will_publish_the_change(database, tmp_path, monkeypatch):
    """A burst of actions: the first starts a publisher; while one waits for its turn (it has not
    begun reading), the next actions' changes are its to publish, and they start no process."""
    import fcntl

    from sagsgang.publishing import publish_turns

    started: list[list[str]] = []
    monkeypatch.setattr(background.subprocess, "Popen", lambda command, **_options: started.append(command))
    monkeypatch.setenv("SAGSGANG_FEEDS_DIR", str(tmp_path / "kalender"))
    settings = configured.settings()
    assert background.publish_later(settings) is True and len(started) == 1  # nobody publishes yet
    (tmp_path / "kalender").mkdir()  # as the started publisher makes it
    with open(tmp_path / "kalender" / publish_turns.WAITING, "a") as waiting:
        fcntl.flock(waiting, fcntl.LOCK_EX)  # a publisher queued behind a running one
        assert background.publish_later(settings) is True and len(started) == 1
    assert background.publish_later(settings) is True and len(started) == 2  # it has begun: start another


def test_an_empty_feeds_variable_means_no_feeds_folder_not_the_current_one(database, monkeypatch):
    monkeypatch.setenv("SAGSGANG_FEEDS_DIR", "")  # as `SAGSGANG_FEEDS_DIR= sagsgang …` sets it
    settings = configured.settings()
    assert settings.feeds_dir is None
    assert background.publish_later(settings) is False
