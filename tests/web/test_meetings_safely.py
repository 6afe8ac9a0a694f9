"""Møder, safely (issue 14 item 5): only meetings still to come change, an unusual new day needs a
confirmation naming it, counts are of the cases planned on the meeting, the list after a change
shows the changed meeting, and one day's meetings are in time order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from calendars.danish import long_date
from tests.web_world import LAUNCH, SECRETARY, MovableClock, login, make_app, meeting_rows, text, token

# Slagelse's Direktion meets on Tuesdays at 09:00, the Byråd on Mondays at 18:00.


@pytest.fixture
def clock():
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def secretary(database, clock):
    with TestClient(make_app(clock)) as client:
        login(client, SECRETARY)
        yield client


def _launch(client: TestClient) -> None:
    page = client.get("/sager/ny")
    response = client.post(
        "/sager/ny",
        # A late target: the latest possible meetings lie well after the planned ones.
        data={
            **LAUNCH,
            "maal_organ": "byraadet",
            "maal_dato": "28-06-2027",
            "handling": "start",
            "csrf_token": token(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, text(response.text)


def _first_chefforum(client: TestClient) -> dt.date:
    page = client.get("/moeder?kommune=slagelse&organ=strategisk_chefforum&fra=01-03-2027&til=30-06-2027")
    found = re.search(r"/moeder/slagelse/strategisk_chefforum/(\d{4}-\d\d-\d\d)/flyt", page.text)
    assert found, "no Chefforum meeting can be moved"
    return dt.date.fromisoformat(found.group(1))


def _planned_meeting(client: TestClient) -> dt.date:
    page = client.get("/sager/slagelse/27.00.00-G01-1-27")
    day = re.search(r"Strategisk Chefforum.{0,300}?\w+ (\d+)\. (marts|april|maj) 2027 kl\. 13:00", text(page.text))
    assert day, "the case is not planned on a Chefforum meeting"
    return dt.date(2027, {"marts": 3, "april": 4, "maj": 5}[day.group(2)], int(day.group(1)))


def test_a_past_meeting_offers_no_move_and_refuses_one(secretary, clock):
    page = secretary.get("/moeder?kommune=slagelse&organ=direktion&fra=01-02-2027&til=31-03-2027")
    assert "/moeder/slagelse/direktion/2027-02-23/flyt" not in page.text  # a Tuesday before today
    assert "/moeder/slagelse/direktion/2027-03-09/flyt" in page.text
    refused = secretary.get("/moeder/slagelse/direktion/2027-02-23/flyt")
    assert refused.status_code == 409 and "Kun kommende møder kan flyttes eller aflyses" in text(refused.text)
    before = meeting_rows()
    form = secretary.get("/moeder/slagelse/direktion/2027-03-09/aflys")
    posted = secretary.post(
        "/moeder/slagelse/direktion/2027-02-23/aflys", data={"bekraeft": "ja", "csrf_token": token(form.text)}
    )
    assert posted.status_code == 400 and "allerede begyndt eller afholdt" in text(posted.text)
    assert meeting_rows() == before


def test_moving_onto_a_holiday_needs_a_confirmation_that_names_it(secretary):
    path = "/moeder/slagelse/direktion/2027-03-23/flyt"
    form = secretary.get(path)
    before = meeting_rows()
    data = {"ny_dato": "25-03-2027", "bekraeft": "ja", "csrf_token": token(form.text)}
    refused = secretary.post(path, data=data)
    assert refused.status_code == 400
    assert "25. marts 2027 er skærtorsdag" in text(refused.text)
    assert 'name="bekraeft_dag"' in refused.text
    assert meeting_rows() == before
    saturday = secretary.post(path, data={**data, "ny_dato": "27-03-2027"})
    assert saturday.status_code == 400 and "27. marts 2027 er en lørdag" in text(saturday.text)
    moved = secretary.post(path, data={**data, "bekraeft_dag": "ja"})
    assert moved.status_code == 200
    assert "Mødet i Direktionen er flyttet til torsdag 25. marts 2027 kl. 09:00." in text(moved.text)
    assert meeting_rows() != before


def test_an_ordinary_day_needs_no_day_confirmation(secretary):
    path = "/moeder/slagelse/direktion/2027-03-23/flyt"
    form = secretary.get(path)
    moved = secretary.post(path, data={"ny_dato": "24-03-2027", "bekraeft": "ja", "csrf_token": token(form.text)})
    assert moved.status_code == 200 and "flyttet til onsdag 24. marts 2027" in text(moved.text)


def test_the_count_is_of_cases_planned_on_the_meeting_and_the_list_after_a_move_shows_it(secretary):
    _launch(secretary)
    planned = _planned_meeting(secretary)
    listing = secretary.get("/moeder?kommune=slagelse&fra=01-03-2027&til=30-06-2027")
    rows = re.findall(r"<tr>(.*?)</tr>", listing.text, re.S)
    counted = {
        re.search(r"/moeder/slagelse/([a-z_]+/\d{4}-\d\d-\d\d)/", row).group(1): int(
            re.findall(r"<td>(\d+)</td>", row)[0]
        )
        for row in rows
        if "/moeder/slagelse/" in row
    }
    # One case on a route of five stages: five meetings count it, not those of its latest plan.
    assert counted[f"strategisk_chefforum/{planned.isoformat()}"] == 1
    assert sorted(n for n in counted.values() if n) == [1, 1, 1, 1, 1]
    target = dt.date(2027, 3, 16)  # weeks earlier: before the list a change showed from (the old day − 14)
    path = f"/moeder/slagelse/strategisk_chefforum/{planned.isoformat()}/flyt"
    form = secretary.get(path)
    assert "1 sag er planlagt på mødet og bliver planlagt igen" in text(form.text)
    moved = secretary.post(
        path,
        data={
            "ny_dato": target.strftime("%d-%m-%Y"),
            "bekraeft": "ja",
            "bekraeft_dag": "ja",
            "csrf_token": token(form.text),
        },
    )
    assert moved.status_code == 200, text(moved.text)[:3000]
    assert moved.url.path == "/moeder"  # redirected: a reload asks again, it does not move again
    assert "1 sag er planlagt igen: 27.00.00-G01-1-27" in text(moved.text)
    assert f"tirsdag 16. marts 2027 kl. 13:00 flyttet fra {long_date(planned)}" in text(moved.text)


def test_meetings_of_one_day_are_listed_in_time_order(secretary):
    # Monday 22 March 2027: the Byråd (18:00) and the Direktion moved onto it for 09:00.
    path = "/moeder/slagelse/direktion/2027-03-23/flyt"
    form = secretary.get(path)
    secretary.post(path, data={"ny_dato": "22-03-2027", "bekraeft": "ja", "csrf_token": token(form.text)})
    page = secretary.get("/moeder?kommune=slagelse&fra=22-03-2027&til=22-03-2027")
    times = re.findall(r"mandag 22\. marts 2027 kl\. (\d\d:\d\d)", text(page.text))
    assert times == sorted(times) and len(times) >= 2


def test_the_month_view_shows_every_bodys_meetings_day_by_day_and_names_the_days_off(secretary):
    page = secretary.get("/moeder/maaned?kommune=slagelse&maaned=2027-03")
    assert page.status_code == 200
    days = re.findall(r'<li class="dag[^"]*">(.*?)</li>\s*(?=<li class="dag|</ol>)', page.text, re.S)
    by_heading = {text(re.search(r"<h3>(.*?)</h3>", d).group(1)).strip(): text(d) for d in days}
    assert "25. marts 2027 er skærtorsdag" in by_heading["torsdag 25. marts 2027"]
    monday = by_heading["mandag 22. marts 2027"]
    assert "Økonomiudvalget" in monday and "Direktionen" not in monday
    assert "Direktionen" in by_heading["tirsdag 23. marts 2027"]
    assert "Byrådet" in by_heading["tirsdag 30. marts 2027"]  # 29 March is 2. påskedag
    bad = secretary.get("/moeder/maaned?kommune=slagelse&maaned=marts")
    assert bad.status_code == 400 and "Skriv måneden som åååå-mm" in text(bad.text)


def test_an_old_meeting_address_gets_a_page_about_meetings_and_the_favicon_is_there(secretary):
    gone = secretary.get("/moeder/slagelse/direktion/2027-03-24/flyt")  # no Direktion meeting that Wednesday
    assert gone.status_code == 404
    assert "Mødet findes ikke på den dato" in text(gone.text) and "kalender" not in text(gone.text).lower()
    icon = secretary.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
