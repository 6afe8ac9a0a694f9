"""Bad input at every command's door (issue 12): exit code 2, a Danish message and nothing else —
no traceback, none of argparse's, pydantic's or SQLAlchemy's English — and nothing written (row
counts and, on SQLite, the bytes of the database and SAGSGANG_HOME as before). The same suite runs
on PostgreSQL in `make e2e` (tests/e2e/test_doors_e2e.py). Figures: test-artifacts/doors.json."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.doors.doors import DOORS
from tests.doors.world import assert_refused, make_world, record

EXAMPLES = 24  # per door: 9 doors → 216 bad calls per run


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doors")
    world = make_world(f"sqlite:///{folder / 'db' / 'sagsgang.db'}", folder / "home", files=True)
    yield world
    record("cli (SQLite)", world)


@pytest.mark.parametrize("door", sorted(DOORS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_bad_input_is_refused_in_danish_and_writes_nothing(world, door, data):
    argv, stdin = data.draw(DOORS[door], label="argv, stdin")
    before = world.snapshot()
    assert_refused(world, before, world.run(*argv, stdin=stdin), argv, stdin)
