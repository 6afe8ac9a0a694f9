"""Help where people read (issue 14 item 10): every page has a Danish Hjælp block under its heading
that links to a section of the user guide, and /hjaelp serves the guide (docs/brugervejledning.md)
to anyone, logged in or not, with every link to one of its sections landing on a heading."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from sagsgang.accounts import logins
from tests import configured
from tests.web_world import LAUNCH, MANAGER, MovableClock, login, make_app, text, token

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("anne@slagelse.dk", "administrator-kode-2027")
CASE = "/sager/slagelse/27.00.00-G01-1-27"
PLAN = "Dato;Kl.;Sted\r\n27-05-2027;17:00;Byrådssalen\r\n"


@pytest.fixture
def app(database):
    app = make_app(MovableClock(dt.date(2027, 3, 1)))
    with configured.session_scope() as session:
        logins.create_user(
            session, ADMIN[0], "sekretariat", ADMIN[1], "Anne Admin", municipality="slagelse", admin=True
        )
    return app


@pytest.fixture
def admin(app):
    with TestClient(app) as client:
        login(client, ADMIN)
        page = client.get("/sager/ny")
        started = client.post(
            "/sager/ny", data={**LAUNCH, "handling": "start", "csrf_token": token(page.text)}, follow_redirects=False
        )
        assert started.status_code == 303, started.text
        yield client


def section_ids(html: str) -> set[str]:
    return set(re.findall(r'<h[1-6] id="([^"]+)"', html))


def help_links(html: str) -> list[str]:
    """The guide sections a page's Hjælp block links to."""
    blocks = re.findall(r'<details class="sidehjaelp">(.*?)</details>', html, re.S)
    return [unquote(anchor) for block in blocks for anchor in re.findall(r'href="/hjaelp#([^"]+)"', block)]


def test_the_guide_is_served_to_anyone_and_its_own_links_land_on_its_headings(app):
    with TestClient(app) as client:
        page = client.get("/hjaelp")
    assert page.status_code == 200
    assert "<h1" in page.text and "Brugervejledning til Sagsgang" in text(page.text)
    ids = section_ids(page.text)
    for wanted in ("ny-sag", "materiale-modtaget", "flyt-eller-aflys-et-møde", "når-noget-går-galt"):
        assert wanted in ids
    inner = [unquote(a) for a in re.findall(r'href="#([^"]+)"', page.text)]
    assert len(inner) >= 15  # the contents and the cross references
    assert [a for a in inner if a not in ids] == []


def test_the_guide_page_is_the_file_in_docs(app):
    guide = (ROOT / "docs" / "brugervejledning.md").read_text(encoding="utf-8")
    with TestClient(app) as client:
        shown = text(client.get("/hjaelp").text)
    for heading in re.findall(r"^#{2,3} (.+)$", guide, re.M):
        assert heading in shown


def test_every_page_of_the_secretariat_has_help_that_leads_to_a_section_of_the_guide(admin):
    ids = section_ids(admin.get("/hjaelp").text)
    meetings = admin.get("/moeder?kommune=slagelse")
    preview = admin.post(
        "/moeder/indlaes",
        data={"kommune": "slagelse", "organ": "byraadet", "csrf_token": token(meetings.text)},
        files={"fil": ("byraad.csv", PLAN.encode("utf-8"), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    pages = {
        "/sager": None,
        "/sager?liste=frister": None,
        "/sager/ny": None,
        CASE: None,
        CASE + "/ret": None,
        "/moeder?kommune=slagelse": meetings.text,
        "/moeder/slagelse/direktion/2027-03-09/flyt": None,
        "/moeder/slagelse/direktion/2027-03-09/aflys": None,
        "/moeder/maaned?kommune=slagelse&maaned=2027-03": None,
        "indlæs mødeplan": preview.text,
        "/abonner": None,
        "/brugere": None,
        "/konto/adgangskode": None,
    }
    seen = {}
    for path, html in pages.items():
        if html is None:
            response = admin.get(path)
            assert response.status_code == 200, path
            html = response.text
        links = help_links(html)
        assert len(links) == 1, f"{path}: {links}"
        assert links[0] in ids, f"{path}: #{links[0]} is no section of the guide"
        assert re.search(r"</h1>\s*<details class=\"sidehjaelp\">", html), f"{path}: the help is not under the heading"
        seen[path] = links[0]
    # Each page leads to its own section: Sager and Sager → Frister share theirs, the meeting pages not.
    assert seen["/sager"] == seen["/sager?liste=frister"] == "sager-søg-og-lister"
    assert len({seen[p] for p in ("/moeder?kommune=slagelse", "indlæs mødeplan", CASE, CASE + "/ret")}) == 4


def test_a_manager_and_a_visitor_get_help_too_and_the_menu_leads_to_the_guide(app, admin):
    ids = section_ids(admin.get("/hjaelp").text)
    with TestClient(app) as visitor:
        shown = visitor.get("/login")
        assert [a for a in help_links(shown.text) if a in ids] == ["log-ind"]
        assert "sagsgang bruger opret" not in shown.text  # no command line for a user who has no account
    with TestClient(app) as manager:
        login(manager, MANAGER)
        page = manager.get(CASE)
        assert help_links(page.text) == ["sagens-side"]
        assert '<a href="/hjaelp">Hjælp</a>' in page.text


def test_an_error_page_leads_to_what_to_do_when_something_fails(admin):
    ids = section_ids(admin.get("/hjaelp").text)
    missing = admin.get("/moeder/slagelse/direktion/2027-03-10/flyt")
    assert missing.status_code == 404
    anchors = [unquote(a) for a in re.findall(r'href="/hjaelp#([^"]+)"', missing.text)]
    assert anchors == ["når-noget-går-galt"] and anchors[0] in ids
