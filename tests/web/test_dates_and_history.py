"""Date fields (issue 14 item 7) and the change history of what happens to a case (item 2).

Every date field is a date input within the calendar's years; the server reads what a browser's
date picker sends (åååå-mm-dd) and what is typed where there is none (dd-mm-åååå) the same way,
and a bad date is told in Danish beside what was typed. Material received, late additions and
decisions write an entry each to the case's history (web, API and CLI), shown on the case page
and in the JSON API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from calendars.danish import DateFormatError
from sagsgang.web.forms import read_day
from tests import configured
from tests.web_world import LAUNCH, SECRETARY, MovableClock, login, make_app, text, token

CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"
J = "slagelse/27.00.00-G01-1-27"


def test_one_parser_reads_the_picker_s_iso_and_the_typed_danish_date_alike():
    assert read_day("2027-03-09") == read_day("09-03-2027") == read_day(" 9-3-2027 ") == dt.date(2027, 3, 9)
    with pytest.raises(DateFormatError, match="dd-mm-åååå"):
        read_day("9. marts")
    with pytest.raises(DateFormatError, match="findes ikke i kalenderen"):
        read_day("31-02-2027")
    with pytest.raises(DateFormatError, match="1990–2100"):
        read_day("2200-01-01")


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def client(database, clock):
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        yield client


def _field(html: str, name: str) -> str:
    found = re.search(rf'<input id="f-{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_date_fields_are_date_inputs_within_the_calendar_s_years(client):
    page = client.get("/sager/ny").text
    for name in ("klar", "maal_dato"):
        field = _field(page, name)
        assert 'type="date"' in field and 'min="1990-01-01"' in field and 'max="2100-12-31"' in field


def _plan(client: TestClient, ready: str) -> list[str]:
    page = client.get("/sager/ny")
    shown = client.post(
        "/sager/ny", data={**LAUNCH, "klar": ready, "handling": "forhaandsvis", "csrf_token": token(page.text)}
    )
    assert shown.status_code == 200, text(shown.text)
    return re.findall(r'<tr class="fase-\w+">(.*?)</tr>', shown.text, re.S)


def test_ny_sag_plans_the_same_from_a_picked_and_a_typed_date(client):
    picked, typed = _plan(client, "2027-03-15"), _plan(client, "15-03-2027")
    assert picked and picked == typed
    assert picked != _plan(client, "2027-03-01")  # the date was read, not ignored


def test_a_bad_date_is_told_in_danish_beside_what_was_typed_and_nothing_is_stored(client):
    page = client.get("/sager/ny")
    refused = client.post(
        "/sager/ny", data={**LAUNCH, "klar": "31-02-2027", "handling": "start", "csrf_token": token(page.text)}
    )
    assert refused.status_code == 400
    assert "'31-02-2027' findes ikke i kalenderen. Tjek dag og måned (dd-mm-åååå)." in text(refused.text)
    assert 'value="31-02-2027"' in _field(refused.text, "klar")
    with configured.engine().connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM cases")).scalar_one() == 0


def _launch(client: TestClient) -> None:
    page = client.get("/sager/ny")
    launched = client.post(
        "/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)}, follow_redirects=False
    )
    assert launched.status_code == 303


def _history(page: str) -> str:
    shown = text(page)
    return shown[shown.index("Ændringer") :]


def test_material_and_decisions_are_in_the_history_on_the_page_and_in_the_api(client, clock):
    _launch(client)
    page = client.get(CASE_PAGE)
    client.post(f"{CASE_PAGE}/materiale", data={"organ": "direktion", "csrf_token": token(page.text)})
    history = _history(client.get(CASE_PAGE).text)
    assert "Mette Hansen (web) Materiale modtaget Direktionen, mødet tirsdag 9. marts 2027" in history

    clock.set(dt.date(2027, 3, 10))  # the day after Direktionen's meeting; sessions last a working day
    client.cookies.clear()
    login(client, SECRETARY)
    page = client.get(CASE_PAGE)
    decided = client.post(
        f"{CASE_PAGE}/beslutning",
        data={
            "organ": "direktion",
            "udfald": "godkendt",
            "tekst": "Direktionen godkendte.",
            "csrf_token": token(page.text),
        },
    )
    assert "Beslutning registreret" in text(decided.text)
    history = _history(client.get(CASE_PAGE).text)
    assert "Beslutning godkendt i Direktionen tirsdag 9. marts 2027. Direktionen godkendte." in history
    assert history.index("Beslutning") < history.index("Materiale modtaget")  # newest first

    api = client.get("/api/sager/slagelse/27.00.00-G01-1-27").json()
    events = [(c["felt"], c["efter"], c["af"], c["kilde"]) for c in api["aendringer"]]
    assert events == [
        ("Beslutning", "godkendt i Direktionen tirsdag 9. marts 2027. Direktionen godkendte.", "Mette Hansen", "web"),
        ("Materiale modtaget", "Direktionen, mødet tirsdag 9. marts 2027", "Mette Hansen", "web"),
    ]


def test_a_refused_decision_writes_no_history(client):
    _launch(client)
    page = client.get(CASE_PAGE)
    early = client.post(
        f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "godkendt", "csrf_token": token(page.text)}
    )
    assert early.status_code == 400 and "beslutningen kan registreres fra mødedagen" in text(early.text)
    assert client.get("/api/sager/slagelse/27.00.00-G01-1-27").json()["aendringer"] == []


def test_the_api_s_material_and_late_addition_name_the_api_in_the_history(client):
    _launch(client)
    headers = {"X-CSRF-Token": token(client.get("/sager").text)}
    late = client.post(
        "/api/sager/slagelse/27.00.00-G01-1-27/eftersendelse",
        json={"organ": "direktion", "dato": "2027-03-09", "besluttet_af": "Kommunaldirektøren"},
        headers=headers,
    )
    assert late.status_code == 200, late.text
    received = client.post(
        "/api/sager/slagelse/27.00.00-G01-1-27/materiale", json={"organ": "direktion"}, headers=headers
    )
    assert received.status_code == 200, received.text
    events = [
        (c["felt"], c["efter"], c["kilde"])
        for c in client.get("/api/sager/slagelse/27.00.00-G01-1-27").json()["aendringer"]
    ]
    assert events == [
        ("Materiale modtaget", "Direktionen, mødet tirsdag 9. marts 2027", "api"),
        ("Eftersendt", "til Direktionen tirsdag 9. marts 2027 efter fristen (besluttet af Kommunaldirektøren)", "api"),
    ]


def test_a_moved_meeting_is_in_the_history_of_each_case_planned_on_it(client):
    _launch(client)
    form = client.get("/moeder/slagelse/direktion/2027-03-09/flyt")
    moved = client.post(
        "/moeder/slagelse/direktion/2027-03-09/flyt",
        data={"ny_dato": "2027-03-11", "bekraeft": "ja", "csrf_token": token(form.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303, text(moved.text)
    events = [(c["felt"], c["efter"], c["af"]) for c in client.get(f"/api/sager/{J}").json()["aendringer"]]
    assert events == [
        ("Mødet flyttet", "Direktionen: fra tirsdag 9. marts 2027 til torsdag 11. marts 2027", "Mette Hansen")
    ]
