"""Many changes at once share publishes of the static feeds (sagsgang.publishing.publish_turns):
while one publish runs and another waits behind it, a third change is left to the waiting one
(which starts after it), and the waiting one publishes once the running one is done."""

from __future__ import annotations

import threading
import time

from sagsgang.publishing import publish_turns


def test_a_change_while_one_publish_runs_and_one_waits_is_left_to_the_waiting_one(tmp_path):
    events: list[str] = []

    def second() -> None:
        with publish_turns.turn(tmp_path) as ours:
            events.append(f"second publishes: {ours}")

    with publish_turns.turn(tmp_path) as first:
        assert first is True  # nobody else: publish now
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 30
        while not publish_turns.queued(tmp_path):
            assert time.monotonic() < deadline, "the second publisher never queued"
            time.sleep(0.01)
        with publish_turns.turn(tmp_path) as third:
            assert third is False  # the queued second publish starts after this change
        assert events == []  # the second waits while the first runs
        assert publish_turns.queued(tmp_path)  # and is still queued
        events.append("first done")
    thread.join(timeout=30)
    assert events == ["first done", "second publishes: True"]


def test_one_change_at_a_time_publishes_itself(tmp_path):
    for _ in range(3):
        with publish_turns.turn(tmp_path / "kalender") as ours:
            assert ours is True
