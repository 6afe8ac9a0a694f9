"""Every page on a laptop, a tablet and a phone (issue 14 items 8 and 9), in real Chromium against
`sagsgang serve`: at 1366, 768 and 390 px no page scrolls sideways (the document's scrollWidth
is at most the viewport's width) and the header keeps to itself; at 1366 and 390 px axe-core
finds no WCAG 2.1 A/AA violation. Logged in as sekretariat (an administrator) and as leder.
Screenshots of every page at every width go to test-artifacts/screens/.

Needs /usr/bin/chromium, the playwright package and axe-core: tests/e2e/setup_browser.sh.
The lifecycle runs inline here (SAGSGANG_ORCHESTRATION=inline): the screens, not Prefect, are tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import axe_violations, require_axe, run_cli
from tests.e2e.test_web_browser import ARGS, CHROMIUM, ROOT, Server

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-artifacts" / "screens"
WIDTHS = (1366, 768, 390)
AXE_WIDTHS = (1366, 390)
SECRETARY = ("meha@slagelse.dk", "sekretariat-kode-2027", "sekretariat")
MANAGER = ("labe@slagelse.dk", "leder-kode-2027-abcd", "leder")
CASE = "/sager/slagelse/27.00.00-G01-1-27"
PAGES = {
    "sager": "/sager",
    "mine-sager": "/sager?liste=mine",
    "frister": "/sager?liste=frister",
    "sag": CASE,
    "moeder": "/moeder?kommune=slagelse",
    "maaned": "/moeder/maaned?kommune=slagelse&maaned=2027-03",
    "abonner": "/abonner",
    "konto": "/konto/adgangskode",
    "hjaelp": "/hjaelp",
}
SECRETARY_PAGES = {
    "ny-sag": "/sager/ny",
    "flyt-moede": "/moeder/slagelse/direktion/2027-03-09/flyt",
    "brugere": "/brugere",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium mangler: kør tests/e2e/setup_browser.sh (apt-get install -y chromium).")
    require_axe()
    served = Server(tmp_path_factory.mktemp("screens-e2e"))
    served.env["SAGSGANG_ORCHESTRATION"] = "inline"
    run_cli(served.env, "db", "opgrader")
    for user, password, role in (SECRETARY, MANAGER):
        extra = ["--administrator"] if role == "sekretariat" else []
        run_cli(
            served.env,
            "bruger",
            "opret",
            user,
            "--rolle",
            role,
            "--kommune",
            "slagelse",
            "--adgangskode-fra-stdin",
            *extra,
            stdin=password + "\n",
        )
    served.start("2027-03-01")
    yield served
    served.stop()
    served.log.close()


def _log_in(context, user) -> object:
    page = context.new_page()
    page.goto("/login?naeste=/sager")
    page.get_by_label("Brugernavn").fill(user[0])
    page.get_by_label("Adgangskode").fill(user[1])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/sager")
    return page


def _launch(page) -> None:
    """Two cases, one of them with a long title and a person with a long name (wide cells)."""
    token = page.locator("input[name=csrf_token]").first.input_value()
    for number, title in (
        ("27.00.00-G01-1-27", "Erhvervsstrategi 2027–2030"),
        ("00.01.00-A00-5-27", "Ny skolestruktur for alle kommunens skoler og dagtilbud, fase 2"),
    ):
        response = page.request.post(
            "/api/sager",
            headers={"X-CSRF-Token": token},
            data={
                "kommune": "slagelse",
                "titel": title,
                "journalnummer": number,
                "sagsbehandler": "Mette Hansen",
                "sagsbehandler_email": SECRETARY[0],
                "leder": "Lars Berg",
                "leder_email": MANAGER[0],
                "afdeling": "Erhverv, Beskæftigelse og Uddannelse",
                "rute": "politisk",
                "klar": "01-03-2027",
            },
        )
        assert response.status in (200, 201), response.text()


def _check(page, name: str, path: str, width: int, problems: list[str], axe_counts: dict) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response.status if response else None}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if wide[0] > wide[1]:
        culprits = page.evaluate(
            "() => [...document.querySelectorAll('main *, header *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.children.length === 0)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        problems.append(f"{name} at {width} px scrolls sideways: {wide[0]} px wide ({', '.join(culprits)})")
    header = page.evaluate(
        "() => [...document.querySelectorAll('header *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    if header:
        problems.append(f"{name} at {width} px: {header} header elements stick out")
    if width in AXE_WIDTHS:
        found = axe_violations(page)
        axe_counts[(name, width)] = len(found)
        problems.extend(f"{name} at {width} px, axe: {line}" for line in found)


def test_no_page_scrolls_sideways_and_axe_finds_nothing_for_either_role(server):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    axe_counts: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for user in (SECRETARY, MANAGER):
            # bypass_csp: axe-core is injected as an inline script; the pages themselves are unchanged.
            context = browser.new_context(base_url=server.url, locale="da-DK", bypass_csp=True)
            page = _log_in(context, user)
            if user is SECRETARY:
                _launch(page)
            pages = {**PAGES, **(SECRETARY_PAGES if user is SECRETARY else {})}
            for name, path in pages.items():
                for width in WIDTHS:
                    _check(page, f"{user[2]}-{name}", path, width, problems, axe_counts)
            context.close()
        browser.close()
    print(f"\naxe-core: {sum(axe_counts.values())} violations on {len(axe_counts)} page views; screenshots in {SHOTS}")
    assert problems == [], "\n".join(problems)
