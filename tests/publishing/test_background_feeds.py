"""Without the service, an action's static feeds are written by a process of their own after the
command has answered (sagsgang.publishing.background): the case's feed appears within seconds,
and a burst of actions does not write every feed once per action.

Dates (tests/lifecycle_world.py): Slagelse, route 'politisk', ready Monday 1 March 2027,
Direktionen Tuesday 9 March 2027.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sagsgang.publishing import background
from sagsgang.settings import Settings
from tests import configured
from tests.lifecycle_world import J, launch

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
    stamp = until(lambda: (tmp_path / "home" / background.STAMP).exists(), "publiceringen blev ikke færdig")
    assert stamp
    log = tmp_path / "home" / "logs" / "sagsgang.log"
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8")


@pytest.fixture
def feeds_settings(database, tmp_path) -> Settings:
    launch()
    return Settings(database_url=database, home=tmp_path / "home", feeds_dir=tmp_path / "kalender", today="2027-03-01")


def test_a_publish_that_started_after_the_request_covers_it(feeds_settings: Settings):
    requested = time.time_ns()
    assert background.publish_once(feeds_settings, requested) is True
    case_feed = Path(feeds_settings.feeds_dir or "") / "slagelse" / "sag" / f"{J}.ics"
    assert case_feed.exists()
    case_feed.unlink()

    # Asked for before that publish started: it read the database after this request's change.
    assert background.publish_once(feeds_settings, requested) is False
    assert not case_feed.exists()

    # Asked for after it: this one publishes.
    assert background.publish_once(feeds_settings, time.time_ns()) is True
    assert case_feed.exists()


def test_a_stamp_ahead_of_the_clock_does_not_stop_a_publish(feeds_settings: Settings):
    # The clock was set back after the last publish: its start cannot tell what it covered.
    stamp = feeds_settings.home_folder / background.STAMP
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(str(time.time_ns() + 3_600 * 10**9), encoding="ascii")
    assert background.publish_once(feeds_settings, time.time_ns()) is True


def test_without_a_feeds_folder_nothing_is_started(database, tmp_path):
    assert background.publish_later(configured.settings()) is False
    assert not (tmp_path / "home" / background.LOCK).exists()
