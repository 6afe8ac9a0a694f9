"""The secretariat's web app as people meet it: log in, launch a case with a live timetable,
follow it, record decisions, move meetings, subscribe; and what it refuses (logged out, wrong
role, forged forms, bad input) without storing anything."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests import configured
from tests.servers import answers, free_port, stop, wait_for
from tests.web_world import LAUNCH, MANAGER, SECRETARY, MovableClock, counts, login, make_app, meeting_rows, text, token

ROOT = Path(__file__).resolve().parents[2]
CASE_PAGE = "/sager/slagelse/27.00.00-G01-1-27"


@pytest.fixture
def clock():
    # The strategy (ready 1 March) is launched on 1 March; decisions come after the meetings.
    return MovableClock(dt.date(2027, 3, 1))


@pytest.fixture
def app(database, clock):
    return make_app(clock)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture
def secretary(client):
    login(client, SECRETARY)
    return client


def at(client: TestClient, clock: MovableClock, day: dt.date, user=SECRETARY) -> None:
    """Days pass (sessions last a working day): the clock moves and the user logs in again."""
    clock.set(day)
    client.cookies.clear()
    login(client, user)


def launch(client: TestClient, **changes) -> httpx.Response:
    page = client.get("/sager/ny")
    return client.post(
        "/sager/ny",
        data={**LAUNCH, **changes, "handling": "start", "csrf_token": token(page.text)},
        follow_redirects=False,
    )


# --- access -----------------------------------------------------------------------------------


def test_logged_out_pages_go_to_login_and_the_api_answers_401(client):
    for path in ("/sager", "/sager/ny", CASE_PAGE, "/moeder", "/abonner"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?naeste=")
    for path in ("/api/sager", "/api/mig", "/api/openapi.json", "/api/moeder/slagelse"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Log ind" in response.json()["detail"]
    assert client.post("/api/sager", json={"kommune": "slagelse", "rute": "politisk"}).status_code == 401
    # The public calendar feeds stay public.
    assert client.get("/kalender/").status_code == 200
    # The address `sagsgang serve` prints leads to the login, and from there to the case list.
    front = client.get("/")
    assert front.status_code == 200 and front.url.path == "/login" and "Log ind" in front.text
    assert front.url.params["naeste"] == "/sager"


def test_login_sends_you_where_you_were_going_and_logout_ends_the_session(client):
    response = client.get("/moeder?kommune=slagelse", follow_redirects=False)
    wanted = response.headers["location"]
    page = client.get(wanted)
    assert 'name="naeste" value="/moeder?kommune=slagelse"' in page.text
    response = client.post(
        "/login",
        data={
            "brugernavn": SECRETARY[0].upper(),
            "adgangskode": SECRETARY[1],
            "naeste": "/moeder?kommune=slagelse",
            "csrf_token": token(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/moeder?kommune=slagelse"
    page = client.get("/sager")
    assert "Mette Hansen (sekretariat)" in text(page.text)
    client.post("/logout", data={"csrf_token": token(page.text)})
    assert client.get("/sager", follow_redirects=False).status_code == 303


def test_login_to_another_site_is_not_followed(client):
    page = client.get("/login?naeste=//evil.example/x")
    response = client.post(
        "/login",
        data={
            "brugernavn": SECRETARY[0],
            "adgangskode": SECRETARY[1],
            "naeste": "//evil.example/x",
            "csrf_token": token(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/sager"


def test_wrong_password_is_said_in_danish_and_repeated_failures_are_slowed_down(client, clock):
    page = client.get("/login")
    form = {"brugernavn": SECRETARY[0], "csrf_token": token(page.text)}
    for _ in range(3):
        response = client.post("/login", data={**form, "adgangskode": "forkert-forkert"})
        assert response.status_code == 401
        assert re.search(r'id="e-adgangskode">.*Forkert brugernavn eller adgangskode', response.text)
    # Now even the right password must wait; the clock, not a sleep, decides when.
    response = client.post("/login", data={**form, "adgangskode": SECRETARY[1]}, follow_redirects=False)
    assert response.status_code == 429
    assert "For mange forkerte forsøg. Vent 1 sekund" in text(response.text)
    clock.advance(0.5)
    assert client.post("/login", data={**form, "adgangskode": SECRETARY[1]}).status_code == 429
    clock.advance(1)
    response = client.post("/login", data={**form, "adgangskode": SECRETARY[1]}, follow_redirects=False)
    assert response.status_code == 303
    # The other user on the same address is not slowed down by Mette's failures.
    client.cookies.clear()
    login(client, MANAGER)


def test_waits_double_with_each_further_failure(client, clock):
    page = client.get("/login")
    form = {"brugernavn": MANAGER[0], "csrf_token": token(page.text), "adgangskode": "nej-nej-nej-nej"}
    waits = []
    for _ in range(4):
        client.post("/login", data=form)
    for _ in range(3):
        waits.append(int(re.search(r"Vent (\d+) sekund", text(client.post("/login", data=form).text)).group(1)))
        clock.advance(waits[-1])
        client.post("/login", data=form)  # allowed again, and wrong again
    assert waits == [1, 2, 4]  # the 4th try above was refused, not counted


def test_session_cookie_is_httponly_samesite_and_secure_over_https(database, clock):
    app = make_app(clock)
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app, base_url=base) as client:
            page = client.get("/login")
            response = client.post(
                "/login",
                data={"brugernavn": SECRETARY[0], "adgangskode": SECRETARY[1], "csrf_token": token(page.text)},
                follow_redirects=False,
            )
            cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sagsgang_session="))
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert ("Secure" in cookie) is secure


def test_a_manager_reads_and_subscribes_but_cannot_write(client):
    login(client, SECRETARY)
    assert launch(client).status_code == 303
    client.cookies.clear()
    login(client, MANAGER)
    before = counts()
    page = client.get(CASE_PAGE)
    assert page.status_code == 200 and "Registrér beslutning" not in page.text
    assert "Ny sag" not in text(client.get("/sager").text)
    assert client.get("/sager/ny").status_code == 403
    csrf = token(page.text)
    refused = [
        client.post(
            "/sager/ny", data={**LAUNCH, "journalnummer": "27.00.00-G01-2-27", "handling": "start", "csrf_token": csrf}
        ),
        client.post(f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "godkendt", "csrf_token": csrf}),
        client.post("/moeder/slagelse/direktion/2027-04-06/aflys", data={"bekraeft": "ja", "csrf_token": csrf}),
        client.post(
            "/api/sager",
            json={**LAUNCH, "journalnummer": "27.00.00-G01-2-27"},
            headers={"X-CSRF-Token": client.get("/api/mig").json()["csrf_token"]},
        ),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "Kun sekretariatet" in text(refused[1].text)
    assert counts() == before
    response = client.post("/abonner", data={"csrf_token": csrf})
    assert response.status_code == 200 and "Din personlige kalender er oprettet" in text(response.text)


def test_forms_and_api_calls_without_the_right_csrf_token_are_refused(secretary):
    before, meetings = counts(), meeting_rows()
    page = secretary.get("/sager/ny")
    good = token(page.text)
    forged = "0" * len(good)
    for data in ({**LAUNCH, "handling": "start"}, {**LAUNCH, "handling": "start", "csrf_token": forged}):
        response = secretary.post("/sager/ny", data=data)
        assert response.status_code == 403
        assert "Genindlæs siden" in text(response.text)
    # A token from another browser (another CSRF cookie) does not fit this one.
    with TestClient(secretary.app) as other:
        login(other, MANAGER)
        foreign = token(other.get("/abonner").text)
    assert secretary.post("/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": foreign}).status_code == 403
    assert secretary.post("/api/sager", json=LAUNCH).status_code == 403
    assert secretary.post("/api/sager", json=LAUNCH, headers={"X-CSRF-Token": forged}).status_code == 403
    assert counts() == before and meeting_rows() == meetings
    assert launch(secretary).status_code == 303  # the real token works


# --- Ny sag ------------------------------------------------------------------------------------


def test_form_errors_are_danish_next_to_their_fields_and_nothing_is_stored(secretary):
    before, meetings = counts(), meeting_rows()
    response = launch(
        secretary,
        journalnummer="27-G01-1",
        sagsbehandler_email="mette.slagelse.dk",
        klar="31-02-2027",
        maal_organ="byraadet",
        maal_dato="",
        tid="en time",
        titel=" ",
    )
    assert response.status_code == 400
    page = response.text
    expected = {
        "journalnummer": "er ikke et journalnummer i KLE-form",
        "sagsbehandler_email": "er ikke en gyldig e-mailadresse",
        "klar": "findes ikke i kalenderen",
        "maal_dato": "Skriv datoen for målet",
        "tid": "Skriv tiden som et helt antal minutter",
        "titel": "Skriv sagens titel",
    }
    for field, message in expected.items():
        error = re.search(
            rf'<p class="fejltekst" id="e-{field}">(.*?)</p>\s*<(input|textarea)[^>]*id="f-{field}"'
            rf'[^>]*aria-invalid="true"',
            page,
            re.S,
        )
        assert error, f"no error next to {field}"
        assert message in text(error.group(1))
    assert "Ret 6 fejl i formularen" in text(page)
    # What was typed is kept, so the secretary only fixes the mistakes.
    assert 'value="mette.slagelse.dk"' in page
    assert counts() == before and meeting_rows() == meetings


def test_a_duplicate_journal_number_is_refused_at_the_field(secretary):
    assert launch(secretary).status_code == 303
    before = counts()
    response = launch(secretary, titel="En anden sag")
    assert response.status_code == 400
    error = re.search(r'id="e-journalnummer">(.*?)</p>', response.text, re.S)
    assert "findes allerede" in text(error.group(1))
    assert counts() == before


def test_the_timetable_shows_while_typing_and_stores_nothing(secretary):
    before = counts()
    page = secretary.get("/sager/ny")
    assert 'data-preview="/sager/ny/tidsplan"' in page.text and "/static/web.js" in page.text
    response = secretary.post(
        "/sager/ny/tidsplan",
        data={"kommune": "slagelse", "rute": "politisk", "klar": "2027-03-01", "csrf_token": token(page.text)},
    )
    assert response.status_code == 200
    rows = re.findall(r"<tr class=\"fase-(\w+)\">(.*?)</tr>", response.text, re.S)
    bodies = [text(row).split()[1] for _, row in rows]
    assert bodies[0] == "Direktionen" and bodies[-1] == "Byrådet"
    assert [phase for phase, _ in rows][0] == "next"
    assert "foreløbigt møde" in text(response.text)  # beyond the adopted plan: provisional
    # Typed the Danish way, the same plan.
    danish = secretary.post(
        "/sager/ny/tidsplan",
        data={"kommune": "slagelse", "rute": "politisk", "klar": "01-03-2027", "csrf_token": token(page.text)},
    )
    assert text(danish.text) == text(response.text)
    bad = secretary.post(
        "/sager/ny/tidsplan",
        data={"kommune": "slagelse", "rute": "politisk", "klar": "1. marts", "csrf_token": token(page.text)},
    )
    assert "er ikke en dato, vi kan læse" in text(bad.text)
    assert counts() == before
    # Without JavaScript, "Opdatér tidsplan" shows the same on the whole page.
    full = secretary.post("/sager/ny", data={**LAUNCH, "handling": "forhaandsvis", "csrf_token": token(page.text)})
    assert "Sådan bliver sagen planlagt" in text(full.text) and counts() == before


# --- Sag: follow, decide; Møder: move --------------------------------------------------------------


def _timeline(html: str) -> list[tuple[str, str]]:
    return [(phase, text(row)) for phase, row in re.findall(r'<tr class="fase-(\w+)">(.*?)</tr>', html, re.S)]


def test_launch_decide_and_move_a_meeting(secretary, clock):
    response = launch(secretary)
    assert response.headers["location"] == CASE_PAGE + "?oprettet=ja"
    page = secretary.get(response.headers["location"])
    assert "Sagen er oprettet og planlagt" in text(page.text)
    rows = _timeline(page.text)
    assert rows[0][0] == "next" and "Direktionen" in rows[0][1]
    assert all(phase == "later" for phase, _ in rows[1:])
    assert "webcal://" in page.text and "/kalender/slagelse/sag/27.00.00-G01-1-27.ics" in page.text

    # After the Direktion's meeting its decision can be recorded.
    direktion_day = re.search(r"tirsdag (\d+\. marts 2027) kl\. 09:00", rows[0][1]).group(1)
    at(secretary, clock, dt.date(2027, 3, 20))
    page = secretary.get(CASE_PAGE)
    response = secretary.post(
        f"{CASE_PAGE}/beslutning",
        data={"organ": "direktion", "udfald": "godkendt", "tekst": "", "csrf_token": token(page.text)},
        follow_redirects=False,
    )
    # Post/Redirect/Get: the answer is a redirect to the case page, so a reload does not decide twice.
    assert response.status_code == 303 and response.headers["location"].startswith(CASE_PAGE + "?besluttet=direktion")
    decided = counts()
    response = secretary.get(response.headers["location"])
    assert secretary.get(response.url).status_code == 200 and counts() == decided  # the reload
    assert f"Beslutning registreret: Direktionen tirsdag {direktion_day}: godkendt." in text(response.text)
    assert f"Direktionen den {direktion_day}: Direktionen godkendte indstillingen." in text(response.text)
    rows = _timeline(response.text)
    assert rows[0][0] == "done" and rows[1][0] == "next" and "Strategisk Chefforum" in rows[1][1]
    chefforum_day = re.search(r"kl\. 12:00 \w+ (\d+)\. (\w+) 2027 kl\. 13:00", rows[1][1])
    old = dt.date(2027, {"marts": 3, "april": 4, "maj": 5}[chefforum_day.group(2)], int(chefforum_day.group(1)))

    # Møder: move that Chefforum meeting a week on; the page says one case is re-planned.
    path = f"/moeder/slagelse/strategisk_chefforum/{old.isoformat()}/flyt"
    confirm = secretary.get(path)
    assert "1 sag er planlagt på mødet og bliver planlagt igen" in text(confirm.text)
    new = old + dt.timedelta(days=7)
    before = meeting_rows()
    unconfirmed = secretary.post(path, data={"ny_dato": new.strftime("%d-%m-%Y"), "csrf_token": token(confirm.text)})
    assert unconfirmed.status_code == 400 and "Sæt flueben" in text(unconfirmed.text)
    assert meeting_rows() == before
    moved = secretary.post(
        path, data={"ny_dato": new.strftime("%d-%m-%Y"), "bekraeft": "ja", "csrf_token": token(confirm.text)}
    )
    assert moved.status_code == 200
    assert "1 sag er planlagt igen: 27.00.00-G01-1-27" in text(moved.text)
    rows = _timeline(secretary.get(CASE_PAGE).text)
    assert f"{new.day}. april 2027 kl. 13:00" in rows[1][1]


def test_a_decision_before_the_meeting_or_with_a_stray_date_is_refused_at_its_field(secretary, clock):
    launch(secretary, klar="01-04-2027")  # the Direktion meets after "today" (20 March)
    page = secretary.get(CASE_PAGE)
    assert "Beslutningen kan registreres fra mødedagen" in text(page.text)
    before = counts()
    response = secretary.post(
        f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "godkendt", "csrf_token": token(page.text)}
    )
    assert response.status_code == 400 and "beslutningen kan registreres fra mødedagen" in text(response.text)
    at(secretary, clock, dt.date(2027, 5, 20))
    page = secretary.get(CASE_PAGE)
    response = secretary.post(
        f"{CASE_PAGE}/beslutning",
        data={"organ": "direktion", "udfald": "godkendt", "ny_klar": "01-04-2027", "csrf_token": token(page.text)},
    )
    assert response.status_code == 400
    assert "kun til udfaldet 'tilbagesendt'" in text(
        re.search(r'id="e-ny_klar">(.*?)</p>', response.text, re.S).group(1)
    )
    response = secretary.post(
        f"{CASE_PAGE}/beslutning", data={"organ": "direktion", "udfald": "vedtaget", "csrf_token": token(page.text)}
    )
    assert response.status_code == 400 and "Vælg et af udfaldene" in text(response.text)
    assert counts() == before


def test_the_case_list_shows_status_and_filters(secretary, clock):
    launch(secretary)
    launch(
        secretary,
        journalnummer="00.01.00-A00-5-27",
        titel="Ny skolestruktur",
        afdeling="Børn og Unge",
        sagsbehandler="Søren Ågård",
        sagsbehandler_email="soaa@slagelse.dk",
        klar="01-06-2027",
    )
    listed = secretary.get("/api/sager").json()
    assert {c["titel"] for c in listed} == {"Erhvervsstrategi 2027–2030", "Ny skolestruktur"}
    only = secretary.get("/sager", params={"afdeling": "Børn og Unge"})
    assert "Ny skolestruktur" in text(only.text) and "Erhvervsstrategi" not in text(only.text)
    only = secretary.get("/sager", params={"ansvarlig": "soaa@slagelse.dk"})
    assert "Ny skolestruktur" in text(only.text) and "Erhvervsstrategi" not in text(only.text)
    only = secretary.get("/sager", params={"organ": "direktion"})
    assert "Ny skolestruktur" in text(only.text)  # its Direktion meeting is still ahead

    # Passed on by the Direktion, the strategy goes to the Chefforum, with no slack on that step.
    at(secretary, clock, dt.date(2027, 3, 20))
    csrf = secretary.get("/api/mig").json()["csrf_token"]
    secretary.post(
        f"/api{CASE_PAGE}/beslutninger",
        json={"organ": "direktion", "udfald": "godkendt"},
        headers={"X-CSRF-Token": csrf},
    )
    step = next(s for s in secretary.get(f"/api{CASE_PAGE}").json()["tidsplan"] if s["fase"] == "næste")
    assert step["organ"] == "strategisk_chefforum" and step["luft_arbejdsdage"] == 0
    deadline = dt.date.fromisoformat(step["sagsfrist"])

    def status() -> str:
        row = re.search(
            r'<span class="status status-[\w-]+">([^<]+)</span>\s*</td>\s*<td><a href="/sager/slagelse/'
            r"27.00.00-G01-1-27",
            secretary.get("/sager").text,
        )
        return row.group(1)

    at(secretary, clock, deadline - dt.timedelta(days=12))
    assert status() == "i rute"
    at(secretary, clock, deadline)  # the last day, with no slack behind it
    assert status() == "i risiko"
    at(secretary, clock, deadline + dt.timedelta(days=1))
    assert status() == "frist overskredet"
    # Most urgent first.
    assert re.findall(r'<a href="/sager/slagelse/([^"]+)"', secretary.get("/sager").text)[0] == "27.00.00-G01-1-27"


def test_a_missed_deadline_and_a_held_meeting_show_the_same_on_every_page(secretary, clock):
    from calendars.clock import FixedClock
    from sagsgang.cases.decisions import record_submission

    def listed() -> str:
        row = re.search(
            r'<span class="status status-[\w-]+">([^<]+)</span>\s*</td>\s*<td><a href="/sager/slagelse/27.00.00-G01-1-27',
            secretary.get("/sager").text,
        )
        return row.group(1)

    launch(secretary)
    # 10 March: Direktionen's deadline (Thursday 4 March) and meeting (Tuesday 9 March) have passed
    # and no material came in; the Chefforum's 8 April is still ahead.
    at(secretary, clock, dt.date(2027, 3, 10))
    page = secretary.get(CASE_PAGE).text
    rows = _timeline(page)
    assert rows[0][0] == "next" and text(rows[0][1]).strip().startswith("Frist overskredet Direktionen")
    assert text(rows[1][1]).strip().startswith("Senere Strategisk Chefforum")
    assert "frist overskredet (mødet tirsdag 9. marts 2027 er holdt uden materiale)" in text(page)
    assert listed() == "frist overskredet"
    case = secretary.get(f"/api{CASE_PAGE}").json()
    assert case["stand"]["status"] == "frist overskredet"
    assert [(s["fase"], s["tilstand"]) for s in case["tidsplan"][:2]] == [
        ("næste", "frist overskredet"),
        ("senere", "senere"),
    ]

    # 9 April: the Chefforum's deadline (1 April) and meeting (8 April) passed while the case waited
    # at Direktionen: that step was not reached, and is not 'senere'.
    at(secretary, clock, dt.date(2027, 4, 9))
    rows = _timeline(secretary.get(CASE_PAGE).text)
    assert rows[1][0] == "not_reached" and text(rows[1][1]).strip().startswith("Ikke nået Strategisk Chefforum")
    steps = secretary.get(f"/api{CASE_PAGE}").json()["tidsplan"]
    assert (steps[1]["fase"], steps[1]["tilstand"]) == ("ikke nået", "ikke nået")

    # Had the material come in, the held meeting would wait for its decision.
    with configured.session_scope() as session:
        record_submission(session, "27.00.00-G01-1-27", FixedClock.on(dt.date(2027, 3, 3)))
    assert listed() == "afventer beslutning"
    page = secretary.get(CASE_PAGE).text
    assert text(_timeline(page)[0][1]).strip().startswith("Afventer beslutning Direktionen")
    assert "afventer beslutning (mødet er holdt: Direktionen tirsdag 9. marts 2027)" in text(page)


def test_an_agenda_of_a_meeting_opens_from_moeder(secretary):
    launch(secretary)
    page = secretary.get(
        "/moeder", params={"kommune": "slagelse", "organ": "direktion", "fra": "01-03-2027", "til": "31-03-2027"}
    )
    links = re.findall(r'href="(/moeder/slagelse/direktion/[\d-]+/dagsorden)"', page.text)
    agendas = [secretary.get(link) for link in links]
    with_case = [a for a in agendas if "Erhvervsstrategi 2027–2030" in a.text]
    assert len(with_case) == 1
    assert "Dagsorden" in with_case[0].text and "Anledning (20 min.)" in text(with_case[0].text)
    assert "at den evalueres i 2029" in text(with_case[0].text)


# --- Abonnér ----------------------------------------------------------------------------------


def test_a_personal_feed_is_shown_once_works_and_can_be_revoked(secretary):
    launch(secretary)
    page = secretary.get("/abonner")
    assert "webcal://" in page.text and "Byrådet (Slagelse Kommune)" in text(page.text)
    created = secretary.post("/abonner", data={"afdeling": "", "csrf_token": token(page.text)})
    url = re.search(r'id="ny-adresse" class="adresse" readonly value="([^"]+)"', created.text).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    feed = secretary.get("/" + path)
    assert feed.status_code == 200 and "Erhvervsstrategi 2027–2030" in feed.text
    again = secretary.get("/abonner")
    assert url not in again.text  # shown once only
    number = re.search(r"Tilbagekald nr\. (\d+)", again.text).group(1)
    with TestClient(secretary.app) as other:  # somebody else cannot revoke it
        login(other, MANAGER)
        assert (
            other.post(
                f"/abonner/{number}/tilbagekald", data={"csrf_token": token(other.get("/abonner").text)}
            ).status_code
            == 404
        )
    assert secretary.get("/" + path).status_code == 200
    revoked = secretary.post(f"/abonner/{number}/tilbagekald", data={"csrf_token": token(again.text)})
    assert f"Abonnement nr. {number} er tilbagekaldt" in text(revoked.text)
    assert secretary.get("/" + path).status_code == 404


# --- JSON API ---------------------------------------------------------------------------------


def test_the_api_does_what_the_pages_do(client, clock):
    refused = client.post("/api/login", json={"brugernavn": SECRETARY[0], "adgangskode": "forkert"})
    assert refused.status_code == 401 and refused.json()["detail"] == "Forkert brugernavn eller adgangskode."
    me = client.post("/api/login", json={"brugernavn": SECRETARY[0], "adgangskode": SECRETARY[1]}).json()
    assert me["rolle"] == "sekretariat" and me["maa_skrive"]
    headers = {"X-CSRF-Token": me["csrf_token"]}
    fields = {**LAUNCH, "indstilling": ["at strategien godkendes"], "klar": "2027-03-01"}
    plan = client.post("/api/sager/tidsplan", json=fields, headers=headers).json()["tidsplan"]
    bad = client.post("/api/sager", json={**fields, "leder_email": "lars"}, headers=headers)
    assert bad.status_code == 422 and "gyldig e-mailadresse" in bad.json()["fejl"]["leder_email"]
    created = client.post("/api/sager", json=fields, headers=headers)
    assert created.status_code == 201
    case = client.get(created.json()["adresse"]).json()
    assert [s["organ"] for s in case["tidsplan"]] == [s["organ"] for s in plan]
    assert [s["moede"] for s in case["tidsplan"]] == [s["moede"] for s in plan]
    clock.set(dt.date(2027, 3, 12))  # after the Direktion's meeting, before its next (only those can be cancelled)
    assert client.get("/api/mig").status_code == 401
    me = client.post("/api/login", json={"brugernavn": SECRETARY[0], "adgangskode": SECRETARY[1]}).json()
    headers = {"X-CSRF-Token": me["csrf_token"]}
    decided = client.post(
        "/api/sager/slagelse/27.00.00-G01-1-27/beslutninger",
        json={"organ": "direktion", "udfald": "udsat"},
        headers=headers,
    )
    assert decided.status_code == 200 and "udsat" in decided.json()["besked"]
    case = client.get(created.json()["adresse"]).json()
    assert case["tidsplan"][1]["organ"] == "direktion" and case["tidsplan"][1]["fase"] == "næste"
    assert case["tidsplan"][1]["runde"] == 2  # postponed: the Direktion's next meeting
    chef = case["tidsplan"][2]
    ask = client.post(
        f"/api/moeder/slagelse/direktion/{case['tidsplan'][1]['moede']}", json={"handling": "aflys"}, headers=headers
    ).json()
    assert not ask["udfoert"] and ask["besked"].startswith("1 sag planlægges igen")  # Danish plural (issue 14)
    done = client.post(
        f"/api/moeder/slagelse/direktion/{case['tidsplan'][1]['moede']}",
        json={"handling": "aflys", "bekraeft": True},
        headers=headers,
    ).json()
    assert done["udfoert"] and done["sager"] == ["27.00.00-G01-1-27"]
    after = client.get(created.json()["adresse"]).json()["tidsplan"]
    assert after[1]["moede"] > case["tidsplan"][1]["moede"]
    assert chef["organ"] == "strategisk_chefforum"
    document = client.get("/api/openapi.json").json()
    assert {"/api/sager", "/api/sager/tidsplan", "/api/moeder/{kommune}/{organ}/{dato}", "/api/abonnementer"} <= set(
        document["paths"]
    )
    subscribed = client.post("/api/abonnementer", json={}, headers=headers)
    assert subscribed.status_code == 201 and subscribed.json()["webcal"].startswith("webcal://")
    assert client.delete(f"/api/abonnementer/{subscribed.json()['nummer']}", headers=headers).status_code == 204


# --- single sign-on ---------------------------------------------------------------------------


def test_the_proxy_user_header_counts_only_when_enabled(database, clock):
    with TestClient(make_app(clock)) as client:
        assert client.get("/sager", headers={"X-Remote-User": SECRETARY[0]}, follow_redirects=False).status_code == 303
    with TestClient(_sso_app(clock)) as client:
        page = client.get("/sager", headers={"X-Remote-User": SECRETARY[0]})
        assert page.status_code == 200 and "Mette Hansen (sekretariat)" in text(page.text)
        assert client.get("/sager", headers={"X-Remote-User": "ukendt"}, follow_redirects=False).status_code == 303


def _sso_app(clock):
    from sagsgang.cases.inline import InlineOrchestrator
    from sagsgang.web.app import create_app
    from sagsgang.web.security import SecuritySettings

    return create_app(
        clock=clock,
        orchestrator=InlineOrchestrator(configured.settings(), clock=clock),
        security=SecuritySettings(secret=b"test-secret", proxy_user_header="X-Remote-User"),
    )


# --- the command and the real server --------------------------------------------------------------


def sagsgang(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env or os.environ,
    )


def test_bruger_opret_makes_an_account_that_can_log_in(database, clock):
    done = sagsgang(
        "bruger",
        "opret",
        "jeko",
        "--rolle",
        "leder",
        "--navn",
        "Jens Kofoed",
        "--email",
        "jeko@slagelse.dk",
        "--adgangskode-fra-stdin",
        stdin="en-lang-adgangskode\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Brugeren jeko er oprettet med rollen leder" in done.stdout
    short = sagsgang("bruger", "opret", "kort", "--rolle", "leder", "--adgangskode-fra-stdin", stdin="kort\n")
    assert short.returncode == 2 and "mindst 12 tegn" in short.stderr
    twice = sagsgang("bruger", "opret", "JEKO", "--rolle", "leder", "--adgangskode-fra-stdin", stdin="x" * 20 + "\n")
    assert twice.returncode == 2 and "findes allerede" in twice.stderr
    role = sagsgang("bruger", "opret", "ny", "--rolle", "chef", "--adgangskode-fra-stdin", stdin="x" * 20 + "\n")
    assert role.returncode == 2 and "ikke en rolle" in role.stderr
    with TestClient(make_app(clock)) as client:
        login(client, ("jeko", "en-lang-adgangskode"))
        assert "Jens Kofoed (leder)" in text(client.get("/sager").text)


def test_sagsgang_serve_behind_https_proxy_sets_secure_cookies(database, tmp_path):
    port = free_port()
    env = {**os.environ, "SAGSGANG_TODAY": "2027-03-20", "SAGSGANG_ORCHESTRATION": "inline"}
    assert (
        sagsgang(
            "bruger",
            "opret",
            "meha",
            "--rolle",
            "sekretariat",
            "--adgangskode-fra-stdin",
            stdin="sekretariat-kode\n",
            env=env,
        ).returncode
        == 0
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                "timeout",
                "120",
                sys.executable,
                "-m",
                "sagsgang.cli.main",
                "serve",
                "--uden-prefect",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(answers(url + "/login"), process, log_path, "sagsgang serve")
        for proto, secure in (("http", False), ("https", True)):
            with httpx.Client(base_url=url, headers={"X-Forwarded-Proto": proto}) as browser:
                page = browser.get("/login")
                nonce_cookie = page.headers["set-cookie"]
                assert nonce_cookie.startswith("sagsgang_csrf=") and ("Secure" in nonce_cookie) is secure
                # This test talks plain HTTP to the server behind the "proxy": hand the cookie over ourselves.
                browser.cookies.clear()
                response = browser.post(
                    "/login",
                    data={"brugernavn": "meha", "adgangskode": "sekretariat-kode", "csrf_token": token(page.text)},
                    headers={"Cookie": nonce_cookie.split(";")[0]},
                )
                cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sagsgang_session"))
                assert "HttpOnly" in cookie and "SameSite=lax" in cookie and ("Secure" in cookie) is secure
                assert response.status_code == 303
        with httpx.Client(base_url=url) as browser:
            assert browser.get("/sager").status_code == 303
            assert browser.get("/api/sager").status_code == 401
            assert browser.get("/kalender/").status_code == 200
    finally:
        stop(process)


def test_the_api_records_a_late_addition_and_refuses_bad_input_in_danish(secretary, clock):
    headers = {"X-CSRF-Token": secretary.get("/api/mig").json()["csrf_token"]}
    fields = {**LAUNCH, "indstilling": ["at strategien godkendes"], "klar": "2027-03-01"}
    created = secretary.post("/api/sager", json=fields, headers=headers)
    assert created.status_code == 201
    # Strategisk Chefforum meets 11 March 2027 with its deadline 4 March, before the Direktion's
    # meeting of 9 March: by its own rule the case waits for 8 April.
    late = f"/api{CASE_PAGE}/eftersendelse"
    wanted = {"organ": "strategisk_chefforum", "dato": "11-03-2027", "besluttet_af": "Direktionen"}
    bad = secretary.post(late, json={**wanted, "dato": "32-13-2027"}, headers=headers)
    assert bad.status_code == 422 and "dato" in bad.json()["fejl"]
    nobody = secretary.post(late, json={**wanted, "besluttet_af": " "}, headers=headers)
    assert nobody.status_code == 422 and "hvem der besluttede" in nobody.json()["fejl"]["besluttet_af"]
    assert counts()["late_additions"] == 0
    sent = secretary.post(late, json=wanted, headers=headers)
    assert sent.status_code == 200
    assert "eftersendt til Strategisk Chefforum torsdag 11. marts 2027" in sent.json()["besked"]
    plan = secretary.get(f"/api{CASE_PAGE}").json()["tidsplan"]
    chef = next(step for step in plan if step["organ"] == "strategisk_chefforum")
    assert chef["moede"].startswith("2027-03-11")


def test_the_case_page_sends_a_case_late_to_a_meeting_and_marks_it(secretary, clock):
    csrf = secretary.get("/api/mig").json()["csrf_token"]
    fields = {**LAUNCH, "indstilling": ["at strategien godkendes"], "klar": "2027-03-01"}
    assert secretary.post("/api/sager", json=fields, headers={"X-CSRF-Token": csrf}).status_code == 201
    page = secretary.get(CASE_PAGE)
    assert "Eftersend til et møde" in text(page.text)
    wanted = {"organ": "strategisk_chefforum", "dato": "11-03-2027", "besluttet_af": "Direktionen", "begrundelse": ""}
    before = counts()
    refused = secretary.post(f"{CASE_PAGE}/eftersendelse", data={**wanted, "dato": "", "csrf_token": token(page.text)})
    assert refused.status_code == 400 and "Skriv mødets dato, fx 20-03-2024." in text(refused.text)
    assert counts() == before
    sent = secretary.post(
        f"{CASE_PAGE}/eftersendelse", data={**wanted, "csrf_token": token(page.text)}, follow_redirects=False
    )
    assert sent.status_code == 303  # Post/Redirect/Get: a reload shows the page, it does not send again
    sent = secretary.get(sent.headers["location"])
    shown = text(sent.text)
    assert "Sagen 27.00.00-G01-1-27 er eftersendt til Strategisk Chefforum torsdag 11. marts 2027" in shown
    # The Tidsplan: Chefforum's own deadline (4 March, waived) is marked, the meeting is 11 March.
    assert (
        "Strategisk Chefforum torsdag 4. marts 2027 kl. 12:00 eftersendt punkt – besluttet af Direktionen "
        "torsdag 11. marts 2027 kl. 13:00" in shown
    )
