"""While the service runs, the web app's actions hand their follow-up to it, and the page after
Start sag, a decision, material received or a meeting change says so in Danish. The Prefect API is
httpx.MockTransport: it creates the runs and nothing runs them (as if the worker were slow)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from tests import configured
from tests.web_world import LAUNCH, SECRETARY, MovableClock, login, make_app, text, token

CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"
HANDED_OFF = "Tjenesten følger op og sender påmindelserne."
BUSY = "Tjenesten var optaget, så opfølgningen er kørt her; tjenesten sender påmindelserne."


class Prefect:
    """The three requests of flows.handoff; `busy` answers every POST with 503."""

    def __init__(self) -> None:
        self.created: list[tuple[str, dict]] = []
        self.busy = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "GET" and parts[:3] == ["api", "deployments", "name"]:
            return httpx.Response(200, json={"id": parts[3]})
        if request.method == "POST" and parts[-1] == "create_flow_run":
            if self.busy:
                return httpx.Response(503, json={"detail": "Service Unavailable"})
            self.created.append((parts[2], json.loads(request.content)["parameters"]))
            return httpx.Response(201, json={"id": f"run-{len(self.created)}"})
        return httpx.Response(404)


@pytest.fixture
def prefect():
    return Prefect()


@pytest.fixture
def secretary(database, prefect):
    from flows.handoff import HandOffOrchestrator

    clock = MovableClock(dt.date(2027, 3, 1))
    service = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(prefect)
    )
    with TestClient(make_app(clock, orchestrator=service)) as client:
        login(client, SECRETARY)
        client.clock = clock
        yield client


def launch(client: TestClient) -> httpx.Response:
    page = client.get("/sager/ny")
    return client.post(
        "/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)}, follow_redirects=False
    )


def test_start_sag_says_the_service_follows_up(secretary, prefect):
    response = launch(secretary)
    assert response.status_code == 303
    assert response.headers["location"] == CASE_PAGE + "?oprettet=ja&opfoelgning=tjeneste"
    page = text(secretary.get(response.headers["location"]).text)
    assert "Sagen er oprettet og planlagt" in page and HANDED_OFF in page
    assert [deployment for deployment, _ in prefect.created] == ["sagsforloeb"]


def test_a_decision_and_material_received_say_the_service_follows_up(secretary, prefect):
    launch(secretary)
    page = secretary.get(CASE_PAGE)
    received = secretary.post(
        f"{CASE_PAGE}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)}, follow_redirects=False
    )
    assert received.headers["location"] == CASE_PAGE + "?modtaget=direktion&opfoelgning=tjeneste"
    shown = text(secretary.get(received.headers["location"]).text)
    assert "Materialet til Direktionen er modtaget." in shown and HANDED_OFF in shown

    secretary.clock.set(dt.date(2027, 3, 20))  # after the Direktion's meeting; sessions last a day
    secretary.cookies.clear()
    login(secretary, SECRETARY)
    page = secretary.get(CASE_PAGE)
    decided = secretary.post(
        f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "godkendt", "csrf_token": token(page.text)}
    )
    assert decided.status_code == 200
    assert f"Beslutning registreret: Direktionen tirsdag 9. marts 2027: godkendt. {HANDED_OFF}" in text(decided.text)
    assert [deployment for deployment, _ in prefect.created] == ["sagsforloeb"] * 3


def test_a_meeting_change_says_the_service_re_plans(secretary, prefect):
    launch(secretary)
    path = "/moeder/slagelse/direktion/2027-03-09/flyt"
    confirm = secretary.get(path)
    moved = secretary.post(
        path,
        data={"ny_dato": "10-03-2027", "bekraeft": "ja", "csrf_token": token(confirm.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and "opfoelgning=tjeneste" in moved.headers["location"]
    shown = text(secretary.get(moved.headers["location"]).text)
    assert "1 sag er planlagt igen: 27.00.00-G01-1-27." in shown and HANDED_OFF in shown
    assert prefect.created[-1] == (
        "moedeaendring",
        {"municipality": "slagelse", "meeting_key": prefect.created[-1][1]["meeting_key"]},
    )


def test_a_busy_service_is_told_as_busy_on_the_page(secretary, prefect):
    prefect.busy = True
    response = launch(secretary)
    assert response.headers["location"] == CASE_PAGE + "?oprettet=ja&opfoelgning=optaget"
    page = text(secretary.get(response.headers["location"]).text)
    assert BUSY in page and HANDED_OFF not in page


def test_an_address_cannot_make_an_inline_app_claim_the_service(database):
    with TestClient(make_app(MovableClock(dt.date(2027, 3, 1)))) as client:
        login(client, SECRETARY)
        assert launch(client).headers["location"] == CASE_PAGE + "?oprettet=ja"  # inline says what it said
        page = text(client.get(CASE_PAGE + "?oprettet=ja&opfoelgning=tjeneste").text)
    assert "Sagen er oprettet og planlagt" in page and HANDED_OFF not in page
