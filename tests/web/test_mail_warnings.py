"""The secretariat's warnings on the case list: today's daily check missing after 09:00, and mails
Sagsgang gave up on; and on a case's page, what became of each of its mails. Managers see none
of it."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.outbox import MessageKind, MessageStatus, OutboxMessage
from models.tables import Case
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


def _mails(page: str) -> str:
    return page.split("<h2>Mails</h2>", 1)[1].split("<h2>", 1)[0] if "<h2>Mails</h2>" in page else ""


def test_the_case_page_tells_the_secretariat_what_became_of_each_of_the_cases_mails(client, clock):
    login(client, SECRETARY)
    launch_case(client)  # Monday 1 March, 08:00: Direktionen's deadline on Thursday 4 March is 3 working days off
    page = f"/sager/slagelse/{LAUNCH['journalnummer']}"
    with configured.session_scope() as session:  # what sending leaves: one tried again later, one given up
        case = session.exec(select(Case)).one()
        for deadline, status, attempts, retry in (
            (dt.date(2027, 2, 25), MessageStatus.FAILED, 6, None),
            (dt.date(2027, 2, 26), MessageStatus.PENDING, 2, dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)),
        ):
            session.add(
                OutboxMessage(
                    key=f"escalation/{case.id}/0/1/1/frist-{deadline}",
                    kind=MessageKind.ESCALATION,
                    case_id=case.id,
                    rule="eskalering",
                    deadline=deadline,
                    due_at=clock.now(),
                    recipient="labe@slagelse.dk",
                    subject="Sagsfristen er overskredet",
                    message="(mailen)",
                    status=status,
                    attempts=attempts,
                    last_error="SMTP 127.0.0.1:25: 451 4.3.0 Prøv igen senere",
                    next_attempt_at=retry,
                )
            )
    assert [text(item).strip() for item in _mails(client.get(page).text).split("<li>")[1:]] == [
        "Påmindelse om sagsfristen torsdag 4. marts 2027 til meha@slagelse.dk: sendt mandag 1. marts 2027 kl. 08:00",
        "Besked til lederen om den overskredne sagsfrist torsdag 25. februar 2027 til labe@slagelse.dk: kunne ikke "
        "sendes efter 6 forsøg (SMTP 127.0.0.1:25: 451 4.3.0 Prøv igen senere). Giv besked på anden vis.",
        "Besked til lederen om den overskredne sagsfrist fredag 26. februar 2027 til labe@slagelse.dk: ikke sendt "
        "endnu (SMTP 127.0.0.1:25: 451 4.3.0 Prøv igen senere); forsøges igen mandag 1. marts 2027 kl. 10:30",
    ]
    client.post("/logout", data={"csrf_token": token(client.get("/sager").text)})
    login(client, MANAGER)
    assert client.get(page).status_code == 200 and _mails(client.get(page).text) == ""


def _mails(page: str) -> str:
    """The case page's Mails section (the secretariat's only)."""
    return page.split("<h2>Mails</h2>", 1)[1].split("<h2>", 1)[0] if "<h2>Mails</h2>" in page else ""
