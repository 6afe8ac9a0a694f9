"""Møder → Indlæs mødeplan in the web app: upload, preview (writes nothing), confirm (stores,
re-plans, redirects). Slagelse's council meets by the profile on mandag 31. maj 2027, where the
case launched on 1 March 2027 ends; the uploaded plan moves that meeting to torsdag 27. maj and
puts March's on skærtorsdag 25. marts, which must be confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.web_world import LAUNCH, MANAGER, SECRETARY, MovableClock, login, make_app, meeting_rows, text, token

PLAN = "\ufeffDato;Kl.;Sted\r\n25-03-2027;18:00;Rådhuset, byrådssalen\r\n27-05-2027;17:00;Byrådssalen\r\n"


@pytest.fixture
def client(database):
    with TestClient(make_app(MovableClock(dt.date(2027, 3, 1)))) as client:
        yield client


def upload(client: TestClient, page_html: str, content: str = PLAN, name: str = "byraad.csv"):
    return client.post(
        "/moeder/indlaes",
        data={"kommune": "slagelse", "organ": "byraadet", "csrf_token": token(page_html)},
        files={"fil": (name, content.encode("utf-8"), "text/csv")},
    )


def hidden(html: str, name: str) -> str:
    import re

    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_upload_preview_confirm(client):
    login(client, SECRETARY)
    page = client.get("/sager/ny")
    launched = client.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)})
    assert launched.status_code in (200, 303)
    moeder = client.get("/moeder?kommune=slagelse")
    assert "Indlæs mødeplan" in moeder.text

    before = meeting_rows()
    preview = upload(client, moeder.text)
    assert preview.status_code == 200, preview.text
    shown = text(preview.text)
    assert "Byrådet: mandag 31. maj 2027 → torsdag 27. maj 2027 kl. 17:00, Byrådssalen (række 3)" in shown
    assert "Byrådet: tirsdag 30. marts 2027 → torsdag 25. marts 2027 kl. 18:00" in shown
    assert "Række 2: 25. marts 2027 er skærtorsdag (helligdag)" in shown
    assert "Aflyste møder (1) Byrådet: mandag 26. april 2027" in shown
    assert "Sager der planlægges igen (1) 27.00.00-G01-1-27" in shown
    assert meeting_rows() == before

    form = {
        "kommune": "slagelse",
        "organ": "byraadet",
        "filnavn": hidden(preview.text, "filnavn"),
        "data": hidden(preview.text, "data"),
        "csrf_token": token(preview.text),
    }
    unconfirmed = client.post("/moeder/indlaes/gem", data=form)
    assert unconfirmed.status_code == 400 and "Sæt flueben" in text(unconfirmed.text)
    assert meeting_rows() == before

    stored = client.post("/moeder/indlaes/gem", data={**form, "bekraeft": "ja"}, follow_redirects=False)
    assert stored.status_code == 303
    assert stored.headers["location"].startswith(
        "/moeder?kommune=slagelse&organ=byraadet&fra=25-03-2027&til=27-05-2027"
    )
    after = client.get(stored.headers["location"])
    # March and May moved, April (not in the file's March–May plan) cancelled.
    assert "Mødeplanen er gemt: 3 møder er ændret, og 1 sag er planlagt igen." in text(after.text)
    days = {key: day for key, day, _status, _seq in meeting_rows()}
    assert str(days["byraadet/2027-05-31"]) == "2027-05-27"
    assert str(days["byraadet/2027-03-30"]) == "2027-03-25"
    status = {key: status for key, _day, status, _seq in meeting_rows()}
    assert status["byraadet/2027-04-26"] == "aflyst"


def test_bad_rows_are_listed_by_number_and_nothing_is_stored(client):
    login(client, SECRETARY)
    moeder = client.get("/moeder?kommune=slagelse")
    before = meeting_rows()
    refused = upload(client, moeder.text, "Dato;Tid\n30-02-2027;18:00\n24-06-2027;otte\n")
    assert refused.status_code == 400
    shown = text(refused.text)
    assert "Række 2: '30-02-2027' findes ikke i kalenderen." in shown
    assert "Række 3: 'otte' er ikke et klokkeslæt." in shown
    assert meeting_rows() == before


def test_only_the_secretariat_may_import_and_only_with_the_csrf_token(client):
    login(client, MANAGER)
    page = client.get("/moeder?kommune=slagelse")
    assert "Indlæs mødeplan" not in page.text
    assert client.post("/moeder/indlaes", data={"kommune": "slagelse"}).status_code == 403
    client.cookies.clear()
    login(client, SECRETARY)
    without_token = client.post(
        "/moeder/indlaes", data={"kommune": "slagelse"}, files={"fil": ("p.csv", PLAN.encode(), "text/csv")}
    )
    assert without_token.status_code == 403
