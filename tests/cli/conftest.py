"""Fixtures the command-line tests share."""

from __future__ import annotations

import pytest

from tests.lifecycle_world import launch


@pytest.fixture
def launched(database, monkeypatch):
    """The lifecycle world's case launched inline on Monday 1 March 2027 (tests/lifecycle_world.py)."""
    monkeypatch.setenv("SAGSGANG_ORCHESTRATION", "inline")
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    launch()
