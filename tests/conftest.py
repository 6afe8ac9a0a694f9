"""Shared fixtures. Prefect's test harness is session-scoped and only started by the tests that
ask for it (the lifecycle flows): it takes ~12 s, so the other tests never pay for it."""

from __future__ import annotations

import pytest

from calendars.profile_reader import load_profile
from tests.servers import MailServer


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server and database for the whole session; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401  (its settings defaults, before the server starts)

    try:
        import prefect.server.api.server  # noqa: F401  (what the harness's server process imports)
    except TypeError as error:
        pytest.fail(
            f"Prefect's server cannot start with the installed fastapi ({error}): Prefect 3.8.8 "
            "needs fastapi<0.155 (pin fastapi==0.154.0)."
        )
    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="module")
def slagelse():
    return load_profile("slagelse")


@pytest.fixture(scope="module")
def albertslund():
    return load_profile("albertslund")


@pytest.fixture(scope="module")
def skanderborg():
    return load_profile("skanderborg")


@pytest.fixture
def database(tmp_path, monkeypatch):
    """Sagsgang's own database: a fresh SQLite file per test, migrated to the newest schema."""
    from models import db
    from tests import configured

    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    monkeypatch.setenv(configured.URL_VARIABLE, url)
    monkeypatch.setenv(configured.HOME_VARIABLE, str(tmp_path / "home"))
    db.upgrade(url)
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def smtp(monkeypatch):
    """A running SMTP server, and Sagsgang's SMTP settings pointing at it."""
    server = MailServer()
    server.controller.start()
    monkeypatch.setenv("SAGSGANG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SAGSGANG_SMTP_PORT", str(server.port))
    monkeypatch.setenv("SAGSGANG_SMTP_FROM", "Sagsgang Slagelse <sagsgang@slagelse.dk>")
    yield server
    server.release.set()
    server.controller.stop()
