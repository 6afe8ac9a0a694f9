"""Failed logins are counted in the database: two web processes behind one proxy (here two app
instances, each with its own engine, on one database file) slow the same guesser down, and the
wait runs on the real clock even where the date is pinned (SAGSGANG_TODAY)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from calendars.clock import FixedClock
from models import db
from sagsgang.accounts import logins
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.web.app import create_app
from sagsgang.web.security import SecuritySettings
from tests import configured
from tests.web_world import SECRETARY, MovableClock, make_app, text, token

WRONG = "forkert-forkert"


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


def web_process(url: str, clock, login_clock=None):
    """Another web process on the same database: its own engine, its own throttle."""
    return create_app(
        configured.settings(),
        engine=db.make_engine(url),
        clock=clock,
        orchestrator=InlineOrchestrator(configured.settings(), clock=clock),
        security=SecuritySettings(secret=b"test-secret"),
        login_clock=login_clock,
    )


def try_login(client: TestClient, password: str):
    page = client.get("/login")
    form = {"brugernavn": SECRETARY[0], "adgangskode": password, "csrf_token": token(page.text)}
    return client.post("/login", data=form, follow_redirects=False)


def test_failures_in_one_web_process_slow_down_the_next_try_in_another(database, clock):
    first, second = make_app(clock), web_process(database, clock, login_clock=clock)
    with TestClient(first) as one, TestClient(second) as other:
        for _ in range(3):  # the free tries, all spent on the first process
            assert try_login(one, WRONG).status_code == 401
        refused = try_login(other, SECRETARY[1])
        assert refused.status_code == 429
        assert "For mange forkerte forsøg. Vent 1 sekund" in text(refused.text)
        clock.advance(1.5)
        assert try_login(other, WRONG).status_code == 401  # the 4th failure, counted on the second
        assert try_login(one, SECRETARY[1]).status_code == 429  # …and seen by the first: now 2 s
        clock.advance(2.5)
        assert try_login(one, SECRETARY[1]).status_code == 303
        # The success forgave the account everywhere: a wrong password is just wrong again.
        other.cookies.clear()
        assert try_login(other, WRONG).status_code == 401


def test_the_json_api_counts_the_same_failures_as_the_form(database, clock):
    first, second = make_app(clock), web_process(database, clock, login_clock=clock)
    with TestClient(first) as one, TestClient(second) as other:
        for _ in range(3):
            assert try_login(one, WRONG).status_code == 401
        response = other.post("/api/login", json={"brugernavn": SECRETARY[0], "adgangskode": SECRETARY[1]})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"


def test_lock_outs_run_on_the_real_clock_whatever_date_is_pinned(database):
    """Two processes pinned (SAGSGANG_TODAY) to days three months apart count the same tries, and
    the lock-out ends when the real wait is over, though both pinned clocks stand still."""
    with configured.session_scope() as session:
        logins.create_user(session, SECRETARY[0], "sekretariat", SECRETARY[1], "Mette Hansen")
    march, june = FixedClock.on(dt.date(2027, 3, 1)), FixedClock.on(dt.date(2027, 6, 1))
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with TestClient(web_process(database, march)) as one, TestClient(web_process(database, june)) as other:
        for _ in range(3):
            assert try_login(one, WRONG).status_code == 401
        after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert try_login(other, SECRETARY[1]).status_code == 429
        engine = sa.create_engine(database)
        with engine.begin() as connection:
            rows = connection.execute(sa.text("SELECT id, failed_at FROM login_failures")).all()
            stamps = [dt.datetime.fromisoformat(str(row.failed_at)) for row in rows]
            assert stamps and all(before <= stamp <= after for stamp in stamps)  # SQLite keeps UTC
            for row, stamp in zip(rows, stamps, strict=True):  # 1.5 s pass for the failures, no sleep
                connection.execute(
                    sa.text("UPDATE login_failures SET failed_at = :at WHERE id = :id"),
                    {"at": stamp - dt.timedelta(seconds=1.5), "id": row.id},
                )
        engine.dispose()
        assert try_login(other, SECRETARY[1]).status_code == 303
