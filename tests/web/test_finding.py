"""Sager: find anything (issue 14 item 4) — search by title, journal number and person, the lists
(open, Mine sager, Frister denne uge, ended, closed items), Danish alphabetical order, paging."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from sagsgang.cases import finding
from tests.web_world import LAUNCH, SECRETARY, MovableClock, login, make_app, text, token


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def secretary(database, clock):
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        yield client


def launch(client: TestClient, number: int, title: str, **changes) -> None:
    page = client.get("/sager/ny")
    data = {**LAUNCH, "journalnummer": f"00.01.00-A00-{number}-27", "titel": title, **changes}
    response = client.post(
        "/sager/ny", data={**data, "handling": "start", "csrf_token": token(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303, text(response.text)


def titles(client: TestClient, **params) -> list[str]:
    page = client.get("/sager", params=params)
    assert page.status_code == 200
    return [text(t).strip() for t in re.findall(r'<a href="/sager/slagelse/[^"]+">(.*?)</a>', page.text)]


def test_search_finds_by_title_journal_number_and_person_whatever_the_case_of_the_letters(secretary):
    launch(secretary, 1, "Ny skolestruktur", sagsbehandler="Søren Ågård", sagsbehandler_email="soaa@slagelse.dk")
    launch(secretary, 2, "Erhvervsstrategi")
    assert titles(secretary, soeg="SKOLE") == ["Ny skolestruktur"]
    assert titles(secretary, soeg="A00-2-27") == ["Erhvervsstrategi"]
    assert titles(secretary, soeg="søren ågård") == ["Ny skolestruktur"]
    assert titles(secretary, soeg="labe@slagelse.dk", sortering="titel") == ["Erhvervsstrategi", "Ny skolestruktur"]
    assert titles(secretary, soeg="ingen sådan sag") == []
    assert "Ingen åbne sager med de valgte filtre" in text(secretary.get("/sager", params={"soeg": "zzz"}).text)


def test_titles_sort_in_danish_order_with_ae_oe_aa_after_z(secretary):
    for number, title in enumerate(["Åben skole", "Økonomisk politik", "Zoneplan", "Ældrepolitik", "Omsorg"], 1):
        launch(secretary, number, title)
    assert titles(secretary, sortering="titel") == [
        "Omsorg",
        "Zoneplan",
        "Ældrepolitik",
        "Økonomisk politik",
        "Åben skole",
    ]


def test_mine_sager_are_the_viewers_as_case_officer_or_manager(secretary):
    launch(secretary, 1, "Min sag")  # LAUNCH: Mette Hansen (the secretary) is the case officer
    launch(
        secretary,
        2,
        "Andens sag",
        sagsbehandler="Søren Ågård",
        sagsbehandler_email="soaa@slagelse.dk",
        leder="Ida Holm",
        leder_email="ih@slagelse.dk",
    )
    assert titles(secretary, liste="mine") == ["Min sag"]


def test_deadlines_this_week_lists_only_cases_with_a_deadline_from_monday_to_sunday(secretary, clock):
    launch(secretary, 1, "Klar nu")  # ready 1 March: its Direktion deadline is this week
    launch(secretary, 2, "Klar til sommer", klar="01-06-2027")
    assert titles(secretary, liste="frister") == ["Klar nu"]


def test_ended_and_closed_items_have_their_own_lists(secretary):
    launch(secretary, 1, "Åbent punkt")
    launch(secretary, 2, "Personalesag", lukket="ja")
    assert titles(secretary, liste="lukkede") == ["Personalesag"]
    assert titles(secretary, liste="afsluttede") == []
    assert "Ingen afsluttede sager" in text(secretary.get("/sager", params={"liste": "afsluttede"}).text)


def test_a_long_list_comes_in_pages_that_together_hold_every_case_once(secretary, monkeypatch):
    monkeypatch.setattr(finding, "PAGE_SIZE", 2)
    for number in range(1, 6):
        launch(secretary, number, f"Sag nummer {number}")
    pages = [titles(secretary, sortering="titel", side=str(n)) for n in (1, 2, 3)]
    assert pages == [["Sag nummer 1", "Sag nummer 2"], ["Sag nummer 3", "Sag nummer 4"], ["Sag nummer 5"]]
    first = secretary.get("/sager", params={"sortering": "titel"})
    assert "5 åbne sager, side 1 af 3" in text(first.text)
    assert 'href="/sager?sortering=titel&amp;liste=aabne&amp;side=2"' in first.text or "side=2" in first.text
