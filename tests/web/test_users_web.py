"""Brugere and Min konto (issue 14 item 6): an administrator of the secretariat creates,
deactivates and resets users and sets roles in the browser; everyone changes their own password;
a user of one municipality sees only its bodies and cases."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from sagsgang.accounts import logins
from tests import configured
from tests.web_world import LAUNCH, MANAGER, SECRETARY, MovableClock, counts, login, make_app, text, token

ADMIN = ("admin@slagelse.dk", "administrator-kode-2027")
NEW = ("ny@slagelse.dk", "foerste-kode-2027")


@pytest.fixture
def app(database):
    clock = MovableClock(dt.date(2027, 3, 1))
    app = make_app(clock)
    with configured.session_scope() as session:
        logins.create_user(
            session, ADMIN[0], "sekretariat", ADMIN[1], "Anne Admin", municipality="slagelse", admin=True
        )
        logins.create_user(
            session, "al@albertslund.dk", "sekretariat", "albertslund-kode-27", "Al", municipality="albertslund"
        )
    return app


@pytest.fixture
def admin(app):
    with TestClient(app) as client:
        login(client, ADMIN)
        yield client


def can_log_in(app, user: tuple[str, str]) -> bool:
    with TestClient(app) as client:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"brugernavn": user[0], "adgangskode": user[1], "csrf_token": token(page.text), "naeste": "/sager"},
            follow_redirects=False,
        )
        return response.status_code == 303


def user_id(admin: TestClient, username: str) -> str:
    import re

    page = admin.get("/brugere")
    found = re.search(rf"{re.escape(username)}.*?/brugere/(\d+)/rolle", page.text, re.S)
    assert found, f"{username} is not listed"
    return found.group(1)


def test_an_administrator_creates_a_user_who_can_then_log_in_and_the_reload_is_a_get(admin, app):
    page = admin.get("/brugere")
    assert page.status_code == 200 and "Anne Admin" in text(page.text)
    assert "al@albertslund.dk" not in page.text  # another municipality's user
    data = {"brugernavn": NEW[0], "navn": "Nina Ny", "email": NEW[0], "rolle": "leder", "adgangskode": NEW[1]}
    created = admin.post("/brugere", data={**data, "csrf_token": token(page.text)})
    assert created.status_code == 200 and created.url.path == "/brugere"
    assert "Brugeren Nina Ny er oprettet" in text(created.text)
    assert can_log_in(app, NEW)
    again = admin.post("/brugere", data={**data, "csrf_token": token(page.text)})
    assert again.status_code == 400 and "findes allerede" in text(again.text)


def test_a_short_password_or_a_missing_email_is_refused_and_nothing_is_stored(admin):
    page = admin.get("/brugere")
    before = counts()
    short = admin.post(
        "/brugere",
        data={
            "brugernavn": "kort",
            "email": "k@slagelse.dk",
            "rolle": "leder",
            "adgangskode": "kort",
            "csrf_token": token(page.text),
        },
    )
    assert short.status_code == 400 and "mindst 12 tegn" in text(short.text)
    missing = admin.post(
        "/brugere",
        data={"brugernavn": "udenmail", "rolle": "leder", "adgangskode": NEW[1], "csrf_token": token(page.text)},
    )
    assert missing.status_code == 400 and "e-mailadresse" in text(missing.text)
    assert counts() == before


def test_deactivate_reset_and_role_change_take_effect(admin, app):
    page = admin.get("/brugere")
    admin.post(
        "/brugere",
        data={
            "brugernavn": NEW[0],
            "navn": "Nina Ny",
            "email": NEW[0],
            "rolle": "leder",
            "adgangskode": NEW[1],
            "csrf_token": token(page.text),
        },
    )
    number = user_id(admin, NEW[0])
    csrf = token(admin.get("/brugere").text)
    reset = admin.post(
        f"/brugere/{number}/adgangskode", data={"adgangskode": "nulstillet-kode-2027", "csrf_token": csrf}
    )
    assert "Nina Ny har fået en ny adgangskode" in text(reset.text)
    assert not can_log_in(app, NEW) and can_log_in(app, (NEW[0], "nulstillet-kode-2027"))
    role = admin.post(f"/brugere/{number}/rolle", data={"rolle": "sekretariat", "csrf_token": csrf})
    assert "Nina Ny har nu rollen sekretariat." in text(role.text)
    off = admin.post(f"/brugere/{number}/aktiv", data={"aktiv": "nej", "csrf_token": csrf})
    assert "Nina Ny er deaktiveret" in text(off.text)
    assert not can_log_in(app, (NEW[0], "nulstillet-kode-2027"))
    own = admin.post(f"/brugere/{user_id(admin, ADMIN[0])}/aktiv", data={"aktiv": "nej", "csrf_token": csrf})
    assert own.status_code == 400 and "Du kan ikke deaktivere dig selv" in text(own.text)


def test_only_administrators_reach_brugere(app):
    with TestClient(app) as client:
        login(client, SECRETARY)  # sekretariat, but no administrator
        assert client.get("/brugere").status_code == 403
        assert "/brugere" not in client.get("/sager").text


def test_everyone_changes_their_own_password(app):
    with TestClient(app) as client:
        login(client, MANAGER)
        page = client.get("/konto/adgangskode")
        wrong = client.post(
            "/konto/adgangskode",
            data={
                "nuvaerende": "forkert",
                "ny": "ny-leder-kode-2027",
                "gentag": "ny-leder-kode-2027",
                "csrf_token": token(page.text),
            },
        )
        assert wrong.status_code == 400 and "nuværende adgangskode er forkert" in text(wrong.text)
        changed = client.post(
            "/konto/adgangskode",
            data={
                "nuvaerende": MANAGER[1],
                "ny": "ny-leder-kode-2027",
                "gentag": "ny-leder-kode-2027",
                "csrf_token": token(page.text),
            },
        )
        assert changed.url.path == "/konto/adgangskode" and "Din adgangskode er skiftet" in text(changed.text)
    assert not can_log_in(app, MANAGER) and can_log_in(app, (MANAGER[0], "ny-leder-kode-2027"))


def test_a_user_of_one_municipality_sees_only_its_bodies_and_cases(app):
    with TestClient(app) as client:
        login(client, ADMIN)
        form = client.get("/sager/ny")
        assert "Slagelse Kommune" in text(form.text) and "Albertslund" not in text(form.text)
        client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(form.text)})
        assert "Erhvervsstrategi" in text(client.get("/sager").text)
        refused = client.post(
            "/sager/ny", data={**LAUNCH, "kommune": "albertslund", "handling": "start", "csrf_token": token(form.text)}
        )
        assert refused.status_code == 400 and "din egen kommune" in text(refused.text)
    with TestClient(app) as client:
        login(client, ("al@albertslund.dk", "albertslund-kode-27"))
        assert "Erhvervsstrategi" not in text(client.get("/sager").text)
        assert client.get("/sager/slagelse/27.00.00-G01-1-27").status_code == 404
        meetings = client.get("/moeder?kommune=slagelse")
        assert "Byrådet" not in text(meetings.text) and "Slagelse" not in text(meetings.text)
