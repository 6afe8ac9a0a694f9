"""The case page in a real browser (Chromium via Playwright) against a real `sagsgang serve`
running the lifecycle through Prefect: correct a case with the re-planned timetable shown before
saving, see the change history, and record material received. axe-core (WCAG 2.1 A/AA rules)
runs on every page shown and must find nothing. Screenshots go to test-artifacts/web/.

Needs /usr/bin/chromium, the playwright package and axe-core: tests/e2e/setup_browser.sh.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.e2e.browser import axe_violations
from tests.e2e.test_web_browser import ARGS, CHROMIUM, FLOW_TIMEOUT, PASSWORD, ROOT, SHOTS, USER, server, shot  # noqa: F401

pytestmark = pytest.mark.e2e

J = "27.00.00-G01-1-28"
CASE = f"/sager/slagelse/{J}"


@pytest.fixture(scope="module")
def page(server):  # noqa: F811
    """As test_web_browser's page, with the page's Content-Security-Policy bypassed so that axe-core
    can be injected (the app allows no inline script)."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            base_url=server.url, locale="da-DK", viewport={"width": 1366, "height": 1000}, bypass_csp=True
        )
        yield context.new_page()
        browser.close()


def test_correct_a_case_with_a_preview_then_receive_its_material(page, server):  # noqa: F811
    from playwright.sync_api import expect

    # The case is started from the command line (inline: the browser part is what is tested here).
    env = {**server.env, "SAGSGANG_TODAY": "2027-03-01", "SAGSGANG_ORCHESTRATION": "inline"}
    texts_file = server.folder / "tekster.toml"
    texts_file.write_text(
        'anledning = "Børnetallet falder i landdistrikterne."\ntid = 20\n'
        'indstilling = ["at strukturen sendes i høring"]\n',
        encoding="utf-8",
    )
    for args in (
        [
            "sag",
            "opret",
            "--kommune",
            "slagelse",
            "--titel",
            "Ny skolestruktur",
            "--journalnummer",
            J,
            "--sagsbehandler",
            "Mette Hansen",
            "--sagsbehandler-email",
            USER,
            "--leder",
            "Lars Berg",
            "--leder-email",
            "labe@slagelse.dk",
            "--rute",
            "politisk",
            "--klar",
            "01-03-2027",
        ],
        ["sagstekst", J, str(texts_file)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "sagsgang.cli.main", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    server.start("2027-03-01")
    page.goto("/login?naeste=/sager")
    page.get_by_label("Brugernavn").fill(USER)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Åbne sager")).to_be_visible()

    # The case page shows the texts as the agenda will print them.
    page.goto(CASE)
    texts = page.locator(".sagstekst")
    expect(texts).to_contain_text("Anledning (20 min.)")
    expect(texts).to_contain_text("at strukturen sendes i høring")
    first = page.locator("tr.fase-next").inner_text()
    assert "9. marts 2027" in first
    assert axe_violations(page) == []

    # Ret sagen: a later ready date; the new timetable shows before anything is saved.
    page.get_by_role("link", name="Ret sagen").click()
    expect(page.get_by_role("heading", name="Ret sagen 27.00.00-G01-1-28")).to_be_visible()
    page.get_by_label("Titel").fill("Ny skolestruktur 2028")
    page.get_by_label("Sagen er klar").fill("2027-03-15")  # a date input takes åååå-mm-dd
    preview = page.locator("#forhaandsvisning")
    expect(preview).to_contain_text("hvis du gemmer rettelserne")
    expect(preview.locator("tr.fase-next")).not_to_contain_text("9. marts 2027")
    planned = preview.locator("tr.fase-next").inner_text()
    assert axe_violations(page) == []
    shot(page, "ret-sag-forhaandsvisning")
    page.goto(CASE)  # nothing was saved by the preview
    expect(page.locator("h1")).to_have_text("Ny skolestruktur")
    page.get_by_role("link", name="Ret sagen").click()
    page.get_by_label("Titel").fill("Ny skolestruktur 2028")
    page.get_by_label("Sagen er klar").fill("2027-03-15")  # a date input takes åååå-mm-dd
    page.get_by_role("button", name="Gem rettelserne").click(timeout=FLOW_TIMEOUT)  # the lifecycle follows the new plan
    page.wait_for_url(re.compile(r"\?rettet=2"), timeout=FLOW_TIMEOUT)
    expect(page.get_by_text("Sagen er rettet (2 felter)")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Ny skolestruktur 2028")
    assert page.locator("tr.fase-next").inner_text() == planned  # saved as previewed
    changes = page.locator("table.aendringer")
    expect(changes).to_contain_text("Mette Hansen (web)")
    expect(changes).to_contain_text("Sagen er klar")
    assert axe_violations(page) == []
    shot(page, "sag-rettet")

    # Materiale modtaget: the reminders for Direktionen's deadline stop; a reload records nothing again.
    page.get_by_role("button", name="Materiale modtaget til Direktionen").click()
    page.wait_for_url(re.compile(r"\?modtaget=direktion"))
    expect(page.get_by_text("Materialet til Direktionen er modtaget")).to_be_visible()
    expect(page.locator("tr.fase-next")).to_contain_text("materiale afleveret", ignore_case=True)
    page.reload()
    expect(page.get_by_role("button", name="Materiale modtaget til Direktionen")).to_have_count(0)
    expect(page.get_by_text("Der venter ikke materiale til sagens næste møde.")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "materiale-modtaget")
