"""Two cases launched at the same moment on a new PostgreSQL database (issue 11: of 200 launches at
once through two web processes, some answered HTTP 500). Both transactions store the bodies and
meetings their plans need; the second one's inserts wait for the first's uncommitted rows and, once
the first commits, hit the unique (municipality, key). The second launch must then use the first
one's meetings and succeed, and every body and meeting must be stored once."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from calendars.clock import FixedClock
from models import db
from sagsgang.cases import launch
from sagsgang.inputs import read_profile
from tests.e2e.conftest import as_postgres_user, postgres_bindir

pytestmark = pytest.mark.e2e
CLOCK = FixedClock.on(date(2027, 3, 1))


def request(number: int) -> launch.LaunchRequest:
    return launch.LaunchRequest(
        municipality="slagelse",
        title=f"Samtidig sag {number}",
        journal_number=f"27.00.00-G01-{number}-27",
        owner_name="Mette Hansen",
        owner_email="meha@slagelse.dk",
        manager_name="Lars Berg",
        manager_email="labe@slagelse.dk",
        route="politisk",
        ready=date(2027, 3, 1),
    )


def waiting_for_a_lock(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def test_the_second_of_two_concurrent_launches_on_a_new_database_uses_the_first_ones_meetings(postgres):
    host, port, user = postgres
    as_postgres_user([str(postgres_bindir() / "createdb"), "-h", host, "-p", str(port), "-U", user, "samtidig"])
    url = f"postgresql+psycopg://{user}@{host}:{port}/samtidig"
    db.upgrade(url)
    engine = db.make_engine(url)

    first = Session(engine)
    launch.launch(first, request(1), CLOCK)  # flushed, not committed: it holds the new rows' keys
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with db.session_scope(engine) as session:
                outcome["case"] = launch.launch(session, request(2), CLOCK).id
        except Exception as error:  # the test's verdict, below
            outcome["error"] = error

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 60
    while not waiting_for_a_lock(engine):  # the second launch is blocked on the first's rows
        assert thread.is_alive() and time.monotonic() < deadline, f"the second launch did not wait: {outcome}"
        time.sleep(0.05)
    first.commit()
    first.close()
    thread.join(timeout=60)

    assert "error" not in outcome, outcome.get("error")
    with engine.connect() as connection:
        meetings, keys = connection.execute(sa.text("SELECT count(*), count(DISTINCT key) FROM meetings")).one()
        bodies = connection.execute(sa.text("SELECT count(*) FROM bodies")).scalar_one()
        planned = dict(
            connection.execute(
                sa.text(
                    "SELECT c.journal_number, count(*) FROM consultations k JOIN cases c ON c.id = k.case_id "
                    "WHERE k.meeting_id IS NOT NULL GROUP BY c.journal_number"
                )
            ).all()
        )
    engine.dispose()
    assert meetings == keys > 0
    assert bodies == len(read_profile("slagelse").bodies)
    assert planned["27.00.00-G01-1-27"] == planned["27.00.00-G01-2-27"] > 0
