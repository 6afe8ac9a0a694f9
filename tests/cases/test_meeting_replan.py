"""A moved meeting re-plans every case on it in bulk (sagsgang.cases.advance.meeting_changed), as
`sagsgang mødeplan flyt` without the service runs it: the feeds are written once, not once per
case, and each case wakes when its next reminder under the new plan is due.

Dates (tests/cases/test_lifecycle.py): Slagelse, route 'politisk', ready Monday 1 March 2027:
Direktionen 9 March (deadline Thursday 4 March 12:00, 3 working days before), Strategisk
Chefforum Thursday 8 April (deadline Thursday 1 April, 5 working days before).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from models.tables import Case
from sagsgang.cases import steps
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.cases.scheduling import change_meeting
from sagsgang.inputs import read_profile
from sagsgang.publishing import feed_files
from tests import configured
from tests.lifecycle_world import J, launch, plan_of, text

CPH = ZoneInfo("Europe/Copenhagen")
CASES = [f"27.00.00-G01-{number}-27" for number in range(1, 31)]


def local(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CPH)


def move(body: str, day: date, new_day: date) -> str:
    with configured.session_scope() as session:
        return change_meeting(session, read_profile("slagelse"), body, day, new_day).key


def test_a_moved_meeting_replans_thirty_cases_and_writes_each_feed_once(database, tmp_path, monkeypatch):
    for journal_number in CASES:
        launch(journal_number)
    feeds = tmp_path / "kalender"
    monkeypatch.setenv("SAGSGANG_FEEDS_DIR", str(feeds))
    feed_files.regenerate_for(configured.settings())
    case_feeds = {feeds / "slagelse" / "sag" / f"{journal_number}.ics" for journal_number in CASES}
    assert all("20270408" in path.read_text() for path in case_feeds)

    key = move("strategisk_chefforum", date(2027, 4, 8), date(2027, 4, 15))
    written: Counter[Path] = Counter()
    replace = os.replace

    def counted(source, target, *args, **kwargs):  # every feed file is written by one os.replace
        if Path(target).is_relative_to(feeds):
            written[Path(target)] += 1
        return replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", counted)
    result = InlineOrchestrator(configured.settings(), publish=steps.publish_feeds).meeting_changed(
        "slagelse", key, local(date(2027, 3, 1), 10)
    )

    assert sorted(result["sager"]) == sorted(CASES)
    # Thursday 15 April: 5 working days before is Thursday 8 April.
    assert {plan_of(journal_number)[1] for journal_number in CASES} == {
        ("strategisk_chefforum", date(2027, 4, 8), date(2027, 4, 15))
    }
    assert all("20270415" in path.read_text() for path in case_feeds)
    assert case_feeds <= set(written)  # each case's feed shows the new date …
    assert max(written.values()) == 1  # … and no feed was written twice
    # The meeting's own feed and the secretariat's list of every deadline: once each as well.
    assert {feeds / "slagelse" / "organ" / "strategisk_chefforum.ics", feeds / "slagelse" / "sekretariat.ics"} <= set(
        written
    )


def test_a_move_wakes_each_case_at_its_next_reminder_and_sends_one_due_now_at_once(database, smtp):
    launch(J)  # stored and planned; no mail yet
    # Direktionen moves to Wednesday 10 March: deadline Friday 5 March 12:00. Its 5-day reminder is
    # due already (from Friday 26 February): it goes out now; the 1-day one is Thursday 4 March 08:00.
    key = move("direktion", date(2027, 3, 9), date(2027, 3, 10))
    result = InlineOrchestrator(configured.settings()).meeting_changed("slagelse", key, local(date(2027, 3, 1), 10))

    assert plan_of(J)[0] == ("direktion", date(2027, 3, 5), date(2027, 3, 10))
    [reminder] = smtp.messages
    assert "fredag 5. marts 2027 kl. 12:00" in text(reminder)
    assert result["sager"][J]["naeste_koersel"] == "2027-03-04T08:00:00+01:00"
    with configured.session_scope() as session:
        assert session.exec(select(Case.wake_at)).one() == local(date(2027, 3, 4), 8)
