"""The static calendar feeds (SAGSGANG_FEEDS_DIR) written by a process of their own after an action
whose follow-up ran here, without the service: the action answers once its fact and plan are
stored, and the feeds follow within seconds instead of holding the command for the ~1 s that
rendering every feed takes. (With the service, a run books the feeds' publish run instead:
flows/feed_publishing.py.)

`publish_later(settings)` starts `python -m sagsgang.publishing.background <requested>`, detached
(its own session, no terminal), with the settings as SAGSGANG_* variables. That process takes a
lock under SAGSGANG_HOME, so one publishes at a time, and publishes unless a publish that started
after `requested` has finished meanwhile: that one read the database after this action's commit,
so a burst of actions writes the feeds a few times, not once each. A failure goes to the log
file (sagsgang.logs); the next action, publish or service run writes the feeds again.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagsgang.settings import Settings

LOCK = "kalendere.lock"
STAMP = "kalendere.offentliggjort"  # the start (ns since the epoch) of the last finished publish


def publish_later(settings: Settings) -> bool:
    """Start the feeds' publish in a process of its own; False when there are no feeds to write."""
    if settings.feeds_dir is None:
        return False
    subprocess.Popen(
        [sys.executable, "-m", "sagsgang.publishing.background", str(time.time_ns())],
        env={**os.environ, **settings.as_environment()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C at the terminal after the command answered does not stop it
    )
    return True


def publish_once(settings: Settings, requested: int) -> bool:
    """Publish the feeds unless a publish that started after `requested` has finished; True if
    this one published."""
    from sagsgang.publishing import feed_files

    home = settings.home_folder
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        last = _last_start(home / STAMP)
        if requested <= last <= time.time_ns():  # (a stamp ahead of the clock: the clock went back)
            return False
        started = time.time_ns()
        feed_files.regenerate_for(settings)
        (home / STAMP).write_text(str(started), encoding="ascii")
    return True


def _last_start(stamp: Path) -> int:
    try:
        return int(stamp.read_text(encoding="ascii"))
    except (FileNotFoundError, ValueError):
        return 0


def main(argv: list[str]) -> int:
    from sagsgang import logs
    from sagsgang.faults import log_traceback
    from sagsgang.settings import Settings

    settings = Settings()
    logs.to_file(settings)
    try:
        publish_once(settings, int(argv[1]))
    except Exception as error:
        log_traceback(error, settings)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
