"""A decision shows in the published feeds at once: the case's feed says "Beslutning: godkendt."
after `sag beslut` (or the web's decision), though the plan itself did not change.

Dates (tests/cases/test_lifecycle.py): Slagelse, route 'politisk', ready Monday 1 March 2027,
Direktionen Tuesday 9 March 2027.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

from sagsgang.cases import steps
from sagsgang.cases.decisions import DecisionForm
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.publishing import feed_files
from tests import configured
from tests.lifecycle_world import J, launch, submit

CPH = ZoneInfo("Europe/Copenhagen")


def test_a_recorded_decision_is_in_the_case_feed_without_a_plan_change(database, tmp_path, monkeypatch):
    launch(J)
    submit(date(2027, 3, 3))
    feeds = tmp_path / "kalender"
    monkeypatch.setenv("SAGSGANG_FEEDS_DIR", str(feeds))
    feed_files.regenerate_for(configured.settings())
    case_feed = feeds / "slagelse" / "sag" / f"{J}.ics"
    assert "Beslutning" not in case_feed.read_text()

    after_meeting = dt.datetime(2027, 3, 9, 18, tzinfo=CPH)
    InlineOrchestrator(configured.settings(), publish=steps.publish_feeds).advance(
        J, "slagelse", DecisionForm(body="direktion", outcome="godkendt"), after_meeting
    )

    assert "Beslutning: godkendt." in case_feed.read_text().replace("\r\n ", "")
