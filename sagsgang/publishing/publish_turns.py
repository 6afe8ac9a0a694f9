"""Whose turn it is to republish the static feeds, when many processes change plans at once (web
processes and flow runs on one machine, sharing SAGSGANG_FEEDS_DIR).

A publish writes every feed from what the database says when it starts (seconds, with hundreds of
cases), so two publishes need not run at once, and a change need not wait for its own: a publisher
that has not yet started reading will include it. Two file locks in the feeds' folder (flock,
released by the kernel when a process dies) say so: RUNNING is held while a publish runs, WAITING by
the one publisher queued behind it. A caller that finds WAITING taken returns at once, because the
waiting publisher starts after the caller's commit and so publishes its change; otherwise it
queues, and publishes when the running one is done. So at most one runs and one waits, however
many changes arrive, and every change is published by a publish that began after it was committed.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAITING = ".publish-waiting.lock"
RUNNING = ".publish-running.lock"


@contextmanager
def turn(directory: Path) -> Iterator[bool]:
    """True: publish now (the turn is held until the block ends). False: a publisher queued after
    the caller's commit will publish it; nothing to do."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / WAITING, "a") as waiting:
        try:
            fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        with open(directory / RUNNING, "a") as running:
            try:
                fcntl.flock(running, fcntl.LOCK_EX)  # until the publish before ours is done
            finally:
                fcntl.flock(waiting, fcntl.LOCK_UN)  # the next caller may queue behind us now
            yield True


def queued(directory: Path) -> bool:
    """A publisher waits for its turn already (it has not begun reading, so it will publish what
    the caller committed): nothing to start. Tried without blocking; a held turn is left alone."""
    try:
        waiting = open(directory / WAITING, "a")  # noqa: SIM115  (closed below, whatever happens)
    except FileNotFoundError:  # no feeds folder yet: nobody has published here
        return False
    with waiting:
        try:
            fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(waiting, fcntl.LOCK_UN)
        return False
