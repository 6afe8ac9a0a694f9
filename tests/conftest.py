"""Shared fixtures. Prefect's test harness is session-scoped and only started by the tests that
ask for it (the lifecycle flows): it takes ~12 s, so the other tests never pay for it."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from calendars.profile_reader import load_profile
from tests.servers import free_port


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


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepted, parsed.

    `hold_at(n)` makes it stop in the middle of receiving the n-th mail (before it answers the
    DATA command), so a test can kill the sender then; a mail whose sender died before the server
    answered is not accepted (RFC 5321 § 4.1.1.4: no reply, no responsibility).
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self._hold_at: int | None = None
        self._seen = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def hold_at(self, n: int) -> None:
        self._hold_at, self._seen = n, 0
        self.holding.clear()
        self.release.clear()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._seen += 1
            hold = self._hold_at is not None and self._seen == self._hold_at
        if hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            self._hold_at = None
            return "451 Afbrudt"
        with self._lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.messages]


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
