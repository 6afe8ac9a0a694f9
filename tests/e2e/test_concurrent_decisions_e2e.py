"""Two secretaries record decisions on the same case at the same moment, on PostgreSQL: both
transactions read the case before either writes, and the optimistic lock (cases.version) lets one
win; the other is told in Danish and has nothing half-stored. (On SQLite the second transaction
waits for the first, models.db: tests/cases/test_lifecycle.py.) Moved here from
tests/cases/test_lifecycle.py unchanged, with a PostgreSQL database instead of SQLite's."""

from __future__ import annotations

import itertools
import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from models import db
from models.tables import Decision
from sagsgang.cases import decisions
from sagsgang.inputs import UserError
from tests import configured
from tests.e2e.conftest import as_postgres_user, postgres_bindir
from tests.lifecycle_world import J, at, decide, launch, submit

pytestmark = pytest.mark.e2e
NUMBERS = itertools.count(1)


@pytest.fixture
def database(postgres, tmp_path, monkeypatch):
    """Sagsgang's own database: a new PostgreSQL database per test, migrated to the newest schema."""
    host, port, user = postgres
    name = f"beslutninger{next(NUMBERS)}"
    as_postgres_user([str(postgres_bindir() / "createdb"), "-h", host, "-p", str(port), "-U", user, name])
    url = f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    monkeypatch.setenv(configured.URL_VARIABLE, url)
    monkeypatch.setenv(configured.HOME_VARIABLE, str(tmp_path / "home"))
    db.upgrade(url)
    yield url
    db.get_engine(url).dispose()


def test_two_decisions_at_the_same_time_one_wins_the_other_gets_a_conflict(database, monkeypatch):
    # politisk_oekonomi: the four fagudvalg treat the case in parallel in stage 3. Børne- og
    # Ungeudvalget meets Monday 3 May and Erhvervsudvalget Tuesday 4 May (both first in the month).
    launch(route="politisk_oekonomi")
    submit(date(2027, 3, 2))
    decide("direktion", "godkendt", date(2027, 3, 9))
    submit(date(2027, 3, 30))
    decide("strategisk_chefforum", "godkendt", date(2027, 4, 8))

    both_read = threading.Barrier(2, timeout=10)
    real_load_state = decisions.load_state

    def load_state_then_wait(*args, **kwargs):
        state = real_load_state(*args, **kwargs)
        both_read.wait()  # both secretaries have read the case before either writes
        return state

    monkeypatch.setattr(decisions, "load_state", load_state_then_wait)
    results = {}

    def record(body: str) -> None:
        try:
            with configured.session_scope() as session:
                decisions.record_decision(session, J, body, "anbefalet", f"{body} anbefaler.", at(date(2027, 5, 4), 18))
            results[body] = "gemt"
        except UserError as error:
            results[body] = error

    threads = [threading.Thread(target=record, args=(body,)) for body in ("boern_unge", "erhverv")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.setattr(decisions, "load_state", real_load_state)

    assert sorted(str(type(r).__name__) if not isinstance(r, str) else r for r in results.values()) == [
        "ConflictError",
        "gemt",
    ]
    loser = next(body for body, r in results.items() if not isinstance(r, str))
    assert "ændret af en anden samtidig" in str(results[loser])
    with Session(configured.engine()) as session:  # the winner's decision is there, whole
        texts = [d.text for d in session.exec(select(Decision)).all()]
    assert len(texts) == 3 and f"{loser} anbefaler." not in texts
    # Nothing is lost: the loser records it again and both decisions stand.
    record(loser)
    assert results[loser] == "gemt"
    with Session(configured.engine()) as session:
        assert len(session.exec(select(Decision)).all()) == 4


def test_the_same_decision_twice_at_once_is_stored_once(database, monkeypatch):
    launch()
    submit(date(2027, 3, 2))
    both_read = threading.Barrier(2, timeout=10)
    real_load_state = decisions.load_state

    def load_state_then_wait(*args, **kwargs):
        state = real_load_state(*args, **kwargs)
        both_read.wait()
        return state

    monkeypatch.setattr(decisions, "load_state", load_state_then_wait)
    errors = []

    def record(outcome: str) -> None:
        try:
            with configured.session_scope() as session:
                decisions.record_decision(session, J, "direktion", outcome, "", at(date(2027, 3, 9), 18))
        except UserError as error:
            errors.append(error)

    threads = [threading.Thread(target=record, args=(o,)) for o in ("godkendt", "udsat")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(errors) == 1 and "samtidig" in str(errors[0])
    with Session(configured.engine()) as session:
        assert len(session.exec(select(Decision)).all()) == 1
