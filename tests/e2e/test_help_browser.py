"""Help where people read and forms that show they are working (issue 14 items 10 and 7), in real
Chromium against `sagsgang serve`: every page has its Hjælp block right under the heading, folded,
and its link lands on a visible heading of the user guide at /hjaelp; the guide has no axe-core
(WCAG 2.1 A/AA) violation at 1366 and 390 px; a form that posts is busy while it is sent ("Gemmer …",
its buttons disabled, aria-busy, said in a live region) and a double click sends it once; without
JavaScript the same forms still post. Screenshots go to test-artifacts/help/.

Needs /usr/bin/chromium, the playwright package and axe-core: tests/e2e/setup_browser.sh.
The lifecycle runs inline here (SAGSGANG_ORCHESTRATION=inline): the pages, not Prefect, are tested.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.e2e.browser import axe_violations, require_axe, run_cli
from tests.e2e.test_web_browser import ARGS, CHROMIUM, ROOT, Server

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-artifacts" / "help"
SECRETARY = ("meha@slagelse.dk", "sekretariat-kode-2027")
MANAGER = ("labe@slagelse.dk", "leder-kode-2027-abcd")
J = "27.00.00-G01-1-27"
CASE = f"/sager/slagelse/{J}"
PAGES = {
    "sager": "/sager",
    "ny-sag": "/sager/ny",
    "sag": CASE,
    "ret-sag": CASE + "/ret",
    "moeder": "/moeder?kommune=slagelse",
    "flyt-moede": "/moeder/slagelse/direktion/2027-03-09/flyt",
    "maaned": "/moeder/maaned?kommune=slagelse&maaned=2027-03",
    "abonner": "/abonner",
    "brugere": "/brugere",
    "konto": "/konto/adgangskode",
}
LAUNCH = {
    "kommune": "slagelse",
    "sagsbehandler": "Mette Hansen",
    "sagsbehandler_email": SECRETARY[0],
    "leder": "Lars Berg",
    "leder_email": MANAGER[0],
    "rute": "politisk",
    "klar": "2027-03-01",  # a date input takes åååå-mm-dd
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium mangler: kør tests/e2e/setup_browser.sh (apt-get install -y chromium).")
    require_axe()
    served = Server(tmp_path_factory.mktemp("help-e2e"))
    served.env["SAGSGANG_ORCHESTRATION"] = "inline"
    run_cli(served.env, "db", "opgrader")
    for (user, password), role, extra in ((SECRETARY, "sekretariat", ["--administrator"]), (MANAGER, "leder", [])):
        run_cli(served.env, "bruger", "opret", user, "--rolle", role, "--kommune", "slagelse", "--adgangskode-fra-stdin", *extra, stdin=password + "\n")  # fmt: skip
    served.start("2027-03-01")
    yield served
    served.stop()
    served.log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _log_in(browser, server, user, **options):
    # bypass_csp: axe-core is injected as an inline script; the pages themselves are unchanged.
    context = browser.new_context(base_url=server.url, locale="da-DK", bypass_csp=True, **options)
    page = context.new_page()
    page.goto("/login?naeste=/sager")
    page.get_by_label("Brugernavn").fill(user[0])
    page.get_by_label("Adgangskode").fill(user[1])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/sager")
    return context, page


def _fill_new_case(page, title: str, number: str) -> None:
    page.goto("/sager/ny?kommune=slagelse")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Journalnummer (KLE)").fill(number)
    page.get_by_label("Rute").select_option(LAUNCH["rute"])
    page.get_by_label("Sagen er klar").fill(LAUNCH["klar"])
    page.get_by_label(re.compile(r"^Sagsbehandler( \*)?$")).fill(LAUNCH["sagsbehandler"])
    page.get_by_label("Sagsbehandlers e-mail").fill(LAUNCH["sagsbehandler_email"])
    page.get_by_label(re.compile(r"^Leder( \*)?$")).fill(LAUNCH["leder"])
    page.get_by_label("Leders e-mail").fill(LAUNCH["leder_email"])


def _posts(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    return sent


def _click_twice(page, button, path: str) -> None:
    """Click `button`, and click it again while its form is on its way (the answer held back until
    then, as when the server takes seconds); then let the answer through."""
    held = []
    page.route("**" + path, lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(lambda request: request.method == "POST" and request.url.endswith(path)):
        page.mouse.click(x, y)
    page.mouse.click(x, y)  # the impatient second click, with the first one unanswered
    page.unroute("**" + path)
    from playwright.sync_api import Error

    for route in held:
        with contextlib.suppress(Error):  # the browser dropped it to send the second click's form instead
            route.continue_()


def test_a_second_click_while_a_form_is_sent_sends_nothing_and_the_form_shows_it_is_busy(browser, server):
    from playwright.sync_api import expect

    context, page = _log_in(browser, server, SECRETARY, viewport={"width": 1366, "height": 900})
    sent = _posts(page)
    _fill_new_case(page, "Erhvervsstrategi 2027–2030", J)
    _click_twice(page, page.get_by_role("button", name="Start sag"), "/sager/ny")
    page.wait_for_url(re.compile(re.escape(CASE)), timeout=120_000)
    expect(page.get_by_text("Sagen er oprettet og planlagt")).to_be_visible()
    assert [url for url in sent if url.endswith("/sager/ny")] == [server.url + "/sager/ny"]

    # Materiale modtaget: what the form shows while it is sent (the test keeps this one from leaving
    # the page, after the app's own submit handler has run).
    page.goto(CASE)
    page.evaluate("document.querySelector('form.materiale').addEventListener('submit', e => e.preventDefault())")
    form = page.locator("form.materiale")
    form.get_by_role("button", name="Materiale modtaget til Direktionen").click()
    expect(form).to_have_attribute("aria-busy", "true")
    expect(form.get_by_role("button")).to_be_disabled()
    expect(form.get_by_role("button")).to_have_text("Gemmer …")
    expect(page.get_by_role("status").filter(has_text="Gemmer …")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "materiale-gemmer.png"))
    # … and for real, clicked twice: recorded once.
    page.goto(CASE)
    sent.clear()
    _click_twice(page, page.get_by_role("button", name="Materiale modtaget til Direktionen"), "/materiale")
    expect(page.get_by_text("Materialet til Direktionen er modtaget")).to_be_visible()
    assert len([url for url in sent if url.endswith("/materiale")]) == 1
    assert axe_violations(page) == []
    context.close()


def test_without_javascript_the_forms_still_post(browser, server):
    from playwright.sync_api import expect

    context, page = _log_in(browser, server, SECRETARY, java_script_enabled=False)
    _fill_new_case(page, "Ny skolestruktur", "00.01.00-A00-5-27")
    page.get_by_role("button", name="Start sag").click()
    page.wait_for_url(re.compile(r"/sager/slagelse/00\.01\.00-A00-5-27"), timeout=120_000)
    expect(page.get_by_text("Sagen er oprettet og planlagt")).to_be_visible()
    expect(page.get_by_text("Hjælp til siden")).to_be_visible()  # <details> needs no script
    context.close()


def test_every_page_has_help_under_its_heading_that_lands_on_the_guide(browser, server):
    from playwright.sync_api import expect

    context, page = _log_in(browser, server, SECRETARY, viewport={"width": 1366, "height": 900})
    if page.request.get(CASE).status != 200:  # the case of the first test, when run alone
        _fill_new_case(page, "Erhvervsstrategi 2027–2030", J)
        page.get_by_role("button", name="Start sag").click()
        page.wait_for_url(re.compile(re.escape(CASE)), timeout=120_000)
    landed = {}
    for name, path in PAGES.items():
        page.goto(path)
        # The help is the first thing after the heading, folded until asked for.
        follows = page.evaluate("() => document.querySelector('main h1').nextElementSibling.className")
        assert follows == "sidehjaelp", f"{name}: after the heading comes {follows!r}"
        help_block = page.locator("details.sidehjaelp")
        link = help_block.get_by_role("link")
        expect(link).to_be_hidden()
        help_block.get_by_text("Hjælp til siden").click()
        expect(link).to_be_visible()
        if name in ("sag", "flyt-moede"):
            page.screenshot(path=str(SHOTS / f"hjaelp-{name}-1366.png"))
        link.click()
        page.wait_for_url(re.compile(r"/hjaelp#"))
        anchor = unquote(page.url.split("#", 1)[1])
        heading = page.locator(f"[id='{anchor}']")
        expect(heading).to_be_visible()
        assert heading.evaluate("e => /^H[23]$/.test(e.tagName)"), f"{name}: #{anchor} is no heading"
        assert heading.evaluate("e => e.getBoundingClientRect().top < window.innerHeight"), f"{name}: not scrolled to"
        landed[name] = heading.inner_text()
    print("\nHjælp → vejledningen:", ", ".join(f"{n}: {h}" for n, h in landed.items()))
    assert len(set(landed.values())) == len(PAGES)  # each page its own section
    context.close()


@pytest.mark.parametrize("width", (1366, 390))
def test_the_guide_reads_well_on_a_laptop_and_a_phone_for_either_role(browser, server, width):
    from playwright.sync_api import expect

    counts = {}
    for user, role in ((SECRETARY, "sekretariat"), (MANAGER, "leder")):
        context, page = _log_in(browser, server, user, viewport={"width": width, "height": 900})
        page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Hjælp", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Brugervejledning til Sagsgang")
        expect(page.get_by_role("link", name="Hjælp", exact=True)).to_have_attribute("aria-current", "page")
        wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"/hjaelp at {width} px scrolls sideways: {wide}"
        page.screenshot(path=str(SHOTS / f"vejledning-{role}-{width}.png"), full_page=True)
        found = axe_violations(page)
        counts[role] = len(found)
        assert found == [], "\n".join(found)
        context.close()
    # Logged out, from the login page's help.
    context = browser.new_context(base_url=server.url, locale="da-DK", bypass_csp=True, viewport={"width": width, "height": 900})  # fmt: skip
    page = context.new_page()
    page.goto("/login")
    page.locator("details.sidehjaelp summary").click()
    page.get_by_role("link", name=re.compile("brugervejledningen")).click()
    expect(page.locator("[id='log-ind']")).to_be_visible()
    assert axe_violations(page) == []
    context.close()
    print(f"\naxe-core on /hjaelp at {width} px: {counts}")
