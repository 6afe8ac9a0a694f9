"""One case that cannot be published does not stop the others (issue 12, item 6): a case stored
before the door was checked, with a 300-digit serial, leaves its own feed unpublished (logged) while
every other feed is written."""

from __future__ import annotations

import sqlalchemy as sa

from tests.doors.world import JOURNAL, make_world


def test_a_case_whose_feed_cannot_be_written_does_not_stop_the_other_feeds(tmp_path):
    world = make_world(f"sqlite:///{tmp_path / 'sagsgang.db'}", tmp_path / "home", files=True)
    long_number = f"27.00.00-G01-{'7' * 300}-27"
    with world.engine.begin() as connection:  # as an older Sagsgang let it in: past today's checks
        connection.execute(
            sa.text(
                "INSERT INTO cases (municipality, journal_number, title, route_key, ready_date, closed_item,"
                " owner_name, owner_email, manager_name, manager_email, department, status, version, created_at,"
                " updated_at) SELECT municipality, :number, title, route_key, ready_date, closed_item, owner_name,"
                " owner_email, manager_name, manager_email, department, status, 1, created_at, updated_at"
                " FROM cases WHERE journal_number = :known"
            ),
            {"number": long_number, "known": JOURNAL},
        )

    answer = world.run("feeds", "publish", str(tmp_path / "kalender"))

    assert answer.code == 0, answer.err
    assert (tmp_path / "kalender" / "slagelse" / "sag" / f"{JOURNAL}.ics").exists()
    assert (tmp_path / "kalender" / "slagelse" / "organ" / "byraadet.ics").exists()
    assert "ikke udgivet" in answer.out and "7777" in answer.out
