"""The secretariat's warnings on the case list: today's daily check missing after 09:00, and mails
Sagsgang gave up on. Managers do not see them."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from models.outbox import MessageKind, MessageStatus, OutboxMessage
from sagsgang.notifications import daily
from tests import configured
from tests.web_world import LAUNCH, MANAGER, SECRETARY, MovableClock, login, make_app, text, token


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1), hour=8)


@pytest.fixture
def client(database, clock):
    with TestClient(make_app(clock)) as client:
        yield client


def launch_case(client: TestClient) -> None:
    form = client.get("/sager/ny")
    response = client.post(
        "/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(form.text)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


MISSING = "Dagens kontrol (påmindelser og eskaleringer) er ikke kørt i dag, tirsdag 2. marts 2027."


def test_the_secretariat_sees_a_banner_when_the_daily_check_has_not_run_by_nine(client, clock):
    login(client, SECRETARY)
    launch_case(client)
    clock.set(dt.date(2027, 3, 2), hour=8)
    login(client, SECRETARY)  # a new day, a new session
    assert MISSING not in text(client.get("/sager").text)
    clock.set(dt.date(2027, 3, 2), hour=9)
    assert MISSING in text(client.get("/sager").text)
    daily.check(configured.settings(), clock.now(), lambda step, *args: step(*args))
    assert MISSING not in text(client.get("/sager").text)


def test_a_failed_mail_is_shown_to_the_secretariat_and_not_to_a_manager(client, clock):
    login(client, SECRETARY)
    launch_case(client)
    with configured.session_scope() as session:  # what sending leaves after the last try
        session.add(
            OutboxMessage(
                key="reminder/1/0/1/1/frist-2027-03-04/regel-5",
                kind=MessageKind.REMINDER,
                rule="5",
                due_at=clock.now(),
                recipient="ukendt@slagelse.dk",
                subject="Påmindelse: sagsfrist 4. marts 2027 – «Erhvervsstrategi 2027–2030» til Direktionen",
                message="(mailen)",
                status=MessageStatus.FAILED,
                attempts=6,
                last_error="SMTP 127.0.0.1:25: 550 5.1.1 Ukendt modtager",
            )
        )
    page = text(client.get("/sager").text)
    assert (
        "Mailen «Påmindelse: sagsfrist 4. marts 2027 – «Erhvervsstrategi 2027–2030» til Direktionen» til "
        "ukendt@slagelse.dk (mandag 1. marts 2027) kunne ikke sendes efter 6 forsøg" in page
    )
    client.post("/logout", data={"csrf_token": token(client.get("/sager").text)})
    login(client, MANAGER)
    assert "kunne ikke sendes" not in text(client.get("/sager").text)
