"""Uploaded bilag in public (issue 14 item 3, issue 15 item 4): a logged-in user fetches a case's
bilag at /bilag/…; anyone fetches an open item's bilag at /offentlig/bilag/… once the case is on
a published agenda, and the public agenda links it there; a closed item's bilag answers 404 to
anyone not logged in, and no public agenda links it."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests import configured
from tests.web_world import SECRETARY, MovableClock, login, make_app, text, token

CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"
AGENDA = "/moeder/slagelse/direktion/2027-03-09/dagsorden"
PDF = b"%PDF-1.4\n% Erhvervsstrategi, udkast\n%%EOF\n"


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def app(database, clock):
    return make_app(clock)


@pytest.fixture
def secretary(app):
    from tests.web_world import LAUNCH

    with TestClient(app) as client:
        login(client, SECRETARY)
        page = client.get("/sager/ny")
        client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)})
        page = client.get(CASE_PAGE)
        upload = client.post(
            f"{CASE_PAGE}/bilag",
            data={"titel": "Udkast", "csrf_token": token(page.text)},
            files={"fil": ("udkast.pdf", PDF, "application/pdf")},
            follow_redirects=False,
        )
        assert upload.status_code == 303
        yield client


@pytest.fixture
def anonymous(app):
    with TestClient(app) as client:
        yield client


NAME = f"{hashlib.sha256(PDF).hexdigest()}.pdf"


def _relogin(client: TestClient, clock: MovableClock, day: dt.date) -> None:
    clock.set(day)  # sessions last a working day
    client.cookies.clear()
    login(client, SECRETARY)


def test_an_open_item_s_bilag_is_public_once_its_agenda_is_out(secretary, anonymous, clock):
    assert secretary.get(f"/bilag/{NAME}").content == PDF  # logged in: always
    assert anonymous.get(f"/bilag/{NAME}", follow_redirects=False).status_code in (303, 401)
    assert anonymous.get(f"/offentlig/bilag/{NAME}").status_code == 404  # no agenda out yet

    _relogin(secretary, clock, dt.date(2027, 3, 9))  # Direktionen's meeting day: the agenda is out
    served = anonymous.get(f"/offentlig/bilag/{NAME}")
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf" and "set-cookie" not in served.headers
    public = secretary.get(AGENDA, params={"offentlig": "ja"}).text
    assert f'<a href="/offentlig/bilag/{NAME}">Udkast</a>' in public
    internal = secretary.get(AGENDA).text
    assert f'<a href="/bilag/{NAME}">Udkast</a>' in internal


def test_a_closed_item_s_bilag_is_never_public(secretary, anonymous, clock):
    _relogin(secretary, clock, dt.date(2027, 3, 9))
    assert anonymous.get(f"/offentlig/bilag/{NAME}").status_code == 200
    with configured.engine().begin() as connection:  # the case becomes a closed item (§ 10)
        connection.execute(sa.text("UPDATE cases SET closed_item = true"))
    assert anonymous.get(f"/offentlig/bilag/{NAME}").status_code == 404
    public = text(secretary.get(AGENDA, params={"offentlig": "ja"}).text)
    assert "Lukket punkt" in public and "Udkast" not in public and NAME not in public
    assert secretary.get(f"/bilag/{NAME}").content == PDF  # the secretariat still has it


def test_an_unknown_or_malformed_name_answers_404(anonymous):
    for name in ("0" * 64 + ".pdf", "../settings.toml", NAME.replace(".pdf", ".exe")):
        assert anonymous.get(f"/offentlig/bilag/{name}").status_code == 404
