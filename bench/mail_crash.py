"""Crash trial of the outbox: `sagsgang daglig` killed with SIGKILL at random moments while it sends
a Monday's reminders and digests to a real SMTP server (aiosmtpd), restarted each time until every
due mail is out. Counts missed mails (must be 0) and duplicates by Message-ID at the server (goal 0).
How: tests/mail_crash_trial.py (shared with the shorter e2e test, tests/e2e/test_mail_crash_e2e.py).

Run:  .venv/bin/python bench/mail_crash.py [--kills 100] [--per-round 10] [--seed N]
Exits 1 if a mail was missed or a round went wrong; duplicates are reported, not failed on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import mail_crash_trial


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20270301)
    args = parser.parse_args()
    began = time.monotonic()
    figures = mail_crash_trial.run(args.kills, args.per_round, args.seed)
    print(
        f"\n{figures.kills} SIGKILLs in {figures.rounds} rounds "
        f"({figures.kills_while_sending} while the server had some but not all mails), "
        f"{mail_crash_trial.CASES} cases; an undisturbed check takes {figures.undisturbed_seconds:.2f} s, "
        f"{figures.seconds_per_mail * 1000:.0f} ms per mail"
    )
    print(f"mails due: {figures.expected}   missed: {figures.missed}   duplicates: {figures.duplicates}")
    print(
        f"kills between the server's 250 and the 'sendt' commit: {figures.kills_in_window} "
        "(each resends that one mail; a duplicate beyond these would be a bug)"
    )
    print(f"trial took {time.monotonic() - began:.0f} s")
    for problem in figures.problems:
        print("problem:", problem)
    return 1 if figures.missed or figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
