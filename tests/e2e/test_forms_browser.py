"""Ny sag in a real browser (Chromium via Playwright) against a real `sagsgang serve`: its date
fields are date inputs that take a picked date and a date typed day-month-year, the server plans
from them, and the form stands in two columns on a laptop (1366 px: people and dates beside the
texts) and in one on a phone (390 px) without scrolling sideways. axe-core (WCAG 2.1 A/AA) finds
nothing at either width. Screenshots go to test-artifacts/web/.

Needs /usr/bin/chromium, the playwright package and axe-core: tests/e2e/setup_browser.sh.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_case_page_browser import axe_violations
from tests.e2e.test_web_browser import ARGS, CHROMIUM, PASSWORD, SHOTS, USER, server, shot  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def context(server):  # noqa: F811
    """A Danish browser (the date input's fields in the order dd-mm-åååå), the page's
    Content-Security-Policy bypassed so that axe-core can be injected."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    server.start("2027-03-01")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            base_url=server.url, locale="da-DK", viewport={"width": 1366, "height": 1000}, bypass_csp=True
        )
        page = context.new_page()
        page.goto("/login?naeste=/sager/ny")
        page.get_by_label("Brugernavn").fill(USER)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url("**/sager/ny")
        yield page
        browser.close()


def test_a_date_is_picked_or_typed_and_the_plan_follows_it(context):
    from playwright.sync_api import expect

    page = context
    page.goto("/sager/ny?kommune=slagelse")
    ready = page.get_by_label("Sagen er klar")
    assert ready.get_attribute("type") == "date"
    assert (ready.get_attribute("min"), ready.get_attribute("max")) == ("1990-01-01", "2100-12-31")
    page.get_by_label("Rute").select_option("politisk")

    # Typed, digit by digit, into the date input's fields, in the order the field shows them (it
    # follows the browser's own language: dd-mm-åååå in a Danish Chromium, mm/dd/åååå in an
    # English one, as headless Chromium here may be).
    ready.focus()
    page.keyboard.type("01022027")
    day_first = ready.input_value() == "2027-02-01"
    assert ready.input_value() in ("2027-02-01", "2027-01-02")
    page.goto("/sager/ny?kommune=slagelse")  # an empty form again
    page.get_by_label("Rute").select_option("politisk")
    ready = page.get_by_label("Sagen er klar")
    ready.focus()
    page.keyboard.type("15032027" if day_first else "03152027")
    assert ready.input_value() == "2027-03-15"
    page.get_by_role("button", name="Opdatér tidsplan").click()
    preview = page.locator("#forhaandsvisning")
    expect(preview).to_contain_text("2027")
    typed = preview.inner_text()
    assert page.get_by_label("Sagen er klar").input_value() == "2027-03-15"  # kept after the round trip

    # Picked: what the calendar pop-up sets, the ISO value, a week earlier.
    page.get_by_label("Sagen er klar").fill("2027-03-01")
    page.get_by_role("button", name="Opdatér tidsplan").click()
    expect(page.locator("#forhaandsvisning")).not_to_have_text(typed)
    assert "9. marts 2027" in page.locator("#forhaandsvisning").inner_text()  # Direktionen's meeting
    assert "9. marts 2027" not in typed  # a case ready on 15 March misses it
    shot(page, "ny-sag-dato")


def _box(page, legend: str) -> dict:
    box = page.get_by_role("group", name=legend, exact=True).bounding_box()
    assert box is not None, legend
    return box


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_ny_sag_in_two_columns_on_a_laptop_and_one_on_a_phone(context):
    page = context
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto("/sager/ny?kommune=slagelse")
    case, people, texts = _box(page, "Sagen"), _box(page, "Ansvarlige"), _box(page, "Sagens tekster (til dagsordenen)")
    assert texts["x"] >= case["x"] + case["width"]  # the texts beside the case's facts…
    assert abs(texts["y"] - case["y"]) < 5 and people["y"] > case["y"]  # …at the top, people below the facts
    assert page.get_by_label("Sagsfremstilling").bounding_box()["height"] >= 200  # roomy
    assert not _scrolls_sideways(page)
    assert axe_violations(page) == []
    shot(page, "ny-sag-1366")

    for width in (768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/sager/ny?kommune=slagelse")
        case, people, texts = (
            _box(page, "Sagen"),
            _box(page, "Ansvarlige"),
            _box(page, "Sagens tekster (til dagsordenen)"),
        )
        assert case["y"] < people["y"] < texts["y"]  # one column
        assert abs(texts["x"] - case["x"]) < 5
        assert not _scrolls_sideways(page), width
        assert axe_violations(page) == []
        shot(page, f"ny-sag-{width}")
