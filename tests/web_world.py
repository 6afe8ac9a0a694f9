"""Helpers for the web tests: an app on a fresh database with a pinned, movable clock, the
lifecycle run without Prefect (sagsgang.cases.inline.InlineOrchestrator), two users, and logging in
through the login form like a browser."""

from __future__ import annotations

import datetime as dt
import re

import pendulum
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sagsgang.accounts import logins
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.web.app import create_app
from sagsgang.web.security import SecuritySettings
from tests import configured

SECRETARY = ("meha@slagelse.dk", "sekretariat-kode-2027")
MANAGER = ("labe@slagelse.dk", "leder-kode-2027-abc")
TABLES = (
    "cases",
    "consultations",
    "decisions",
    "case_contents",
    "recommendation_points",
    "attachments",
    "feed_tokens",
    "users",
    "outbox",
    "submissions",
    "late_additions",
)


class MovableClock:
    def __init__(self, day: dt.date, hour: int = 9) -> None:
        self.at = pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/Copenhagen")

    def now(self):
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def set(self, day: dt.date, hour: int = 9) -> None:
        self.at = pendulum.datetime(day.year, day.month, day.day, hour, tz="Europe/Copenhagen")

    def advance(self, seconds: float) -> None:
        self.at = self.at.add(seconds=seconds)


def make_app(clock: MovableClock, proxy_header: str | None = None, orchestrator=None):
    """The web app on `clock`; the lifecycle inline unless `orchestrator` is given (a hand-off)."""
    with configured.session_scope() as session:
        logins.create_user(session, SECRETARY[0], "sekretariat", SECRETARY[1], "Mette Hansen")
        logins.create_user(session, MANAGER[0], "leder", MANAGER[1], "Lars Berg")
    return create_app(
        clock=clock,
        orchestrator=orchestrator or InlineOrchestrator(configured.settings(), clock=clock),
        security=SecuritySettings(secret=b"test-secret", proxy_user_header=proxy_header),
        login_clock=clock,
    )


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def login(client: TestClient, user: tuple[str, str]) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"brugernavn": user[0], "adgangskode": user[1], "csrf_token": token(page.text), "naeste": "/sager"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def counts() -> dict[str, int]:
    engine = configured.engine()
    with engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}


def meeting_rows() -> list[tuple]:
    with configured.engine().connect() as connection:
        return connection.execute(sa.text("SELECT key, day, status, sequence FROM meetings ORDER BY key")).all()


def text(html: str) -> str:
    """The page as a reader sees it: tags gone, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&#34;", '"')


LAUNCH = dict(
    kommune="slagelse",
    titel="Erhvervsstrategi 2027–2030",
    journalnummer="27.00.00-G01-1-27",
    sagsbehandler="Mette Hansen",
    sagsbehandler_email="meha@slagelse.dk",
    leder="Lars Berg",
    leder_email="labe@slagelse.dk",
    afdeling="Erhverv",
    rute="politisk",
    klar="01-03-2027",
    anledning="Byrådet bad om en ny strategi.",
    indstilling="at strategien godkendes\nat den evalueres i 2029",
    tid="20",
)
