"""The crash trial, shorter than bench/mail_crash.py's 100 kills: `sagsgang daglig` killed with
SIGKILL 30 times at random moments of its sending to a real SMTP server, restarted each time
until every due mail is out (tests/mail_crash_trial.py says how). No mail may be missed, and every
mail the server got twice carries the same Message-ID as the first (so a mail program shows it
once): the only resend left is a kill between the server's 250 and the 'sendt' commit."""

from __future__ import annotations

import pytest

from tests import mail_crash_trial

pytestmark = pytest.mark.e2e
KILLS = 30


def test_thirty_kills_while_sending_miss_no_mail():
    figures = mail_crash_trial.run(KILLS, kills_per_round=10, seed=20270302, say=lambda line: None)
    assert figures.kills == KILLS
    assert figures.kills_while_sending >= KILLS // 2  # the kills did land while mails were going out
    assert figures.problems == []
    assert figures.missed == 0
    # Every duplicate comes from a kill between the server's 250 and the 'sendt' commit.
    assert figures.duplicates == figures.kills_in_window
    print(f"crash trial: {figures}")  # the figures, with -s
