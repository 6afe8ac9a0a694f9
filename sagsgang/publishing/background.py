"""The static calendar feeds (SAGSGANG_FEEDS_DIR) written by a process of their own after an action
whose follow-up ran here, without the service: the action answers once its fact and plan are
stored, and the feeds follow within seconds instead of holding the command for the second or so
that rendering every feed takes. (With the service, a run books the feeds' publish run instead:
flows/feed_publishing.py.)

`publish_later(settings)` starts `python -m sagsgang.publishing.background`, detached (its own
session, no terminal, a lower CPU priority than the user's next command), with the settings as
SAGSGANG_* variables. It publishes as every publisher does (sagsgang.publishing.feed_files.regenerate):
whose turn it is says sagsgang.publishing.publish_turns, so a burst of actions writes the feeds
once or twice, not once each, and every change is published by a publish that began after it was
committed. While a publisher waits for its turn, the next actions start none: it will publish
their changes too. A failure goes to the log file (sagsgang.logs); the next publish writes the
feeds again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagsgang.settings import Settings

NICENESS = 10  # the feeds can wait a moment; the secretary's next command should not


def publish_later(settings: Settings) -> bool:
    """Start the feeds' publish in a process of its own, unless one queued already will publish
    this change too (publish_turns.queued: a burst of actions starts no process per action);
    False when there are no feeds to write."""
    from sagsgang.publishing import publish_turns

    if settings.feeds_dir is None:
        return False
    if publish_turns.queued(settings.feeds_dir):
        return True
    subprocess.Popen(
        [sys.executable, "-m", "sagsgang.publishing.background"],
        env={**os.environ, **settings.as_environment()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C at the terminal after the command answered does not stop it
    )
    return True


def main() -> int:
    from sagsgang import logs
    from sagsgang.faults import log_traceback
    from sagsgang.publishing import feed_files
    from sagsgang.settings import Settings

    os.nice(NICENESS)
    settings = Settings()
    logs.to_file(settings)
    try:
        feed_files.regenerate_for(settings)
    except Exception as error:
        log_traceback(error, settings)
        return 1
    return 0


if __name__ == "__main__":
    from sagsgang import quick_exit

    quick_exit.skip_final_collections()
    sys.exit(main())
