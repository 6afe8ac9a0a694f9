"""The web app in a real browser (Debian's Chromium driven by Playwright), against a real
`sagsgang serve` running the lifecycle through Prefect as the CLI does: log in, launch a case
watching its timetable appear, record a decision, move a meeting and see the case re-planned,
subscribe to a personal calendar. Screenshots of Ny sag, Sag and Møder go to test-artifacts/web/.

Needs /usr/bin/chromium and the playwright package: tests/e2e/setup_browser.sh installs them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests import servers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USER, PASSWORD = "meha@slagelse.dk", "en-lang-adgangskode-2027"
FLOW_TIMEOUT = 180_000  # ms: the first flow run starts Prefect's temporary server


class Server:
    """`sagsgang serve` on one port and one database; restarted on another day as days pass."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SAGSGANG_DATABASE_URL": f"sqlite:///{folder / 'sagsgang.db'}",
            "SAGSGANG_HOME": str(folder / "home"),
            "PREFECT_HOME": str(folder / "prefect"),
        }
        # The real thing: Prefect flows, as `sagsgang sag opret` runs them.
        for name in ("SAGSGANG_ORCHESTRATION", "PREFECT_API_URL"):
            self.env.pop(name, None)
        self.process = None
        self.log = (folder / "serve.log").open("a+")

    def start(self, today: str) -> None:
        self.stop()
        env = {**self.env, "SAGSGANG_TODAY": today}
        self.process = subprocess.Popen(
            [
                "timeout",
                "900",
                sys.executable,
                "-m",
                "sagsgang.cli.main",
                "serve",
                "--uden-prefect",
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        servers.wait_for(
            servers.answers(self.url + "/login"),
            self.process,
            Path(self.log.name),
            "sagsgang serve",
            seconds=60,
            pause=0.3,
        )

    def stop(self) -> None:
        servers.stop(self.process, seconds=30)
        self.process = None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium mangler: kør tests/e2e/setup_browser.sh (apt-get install -y chromium).")
    served = Server(tmp_path_factory.mktemp("web-e2e"))
    # As on a new installation: the schema first (`serve` would do it too, but the account comes first).
    upgraded = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "db", "opgrader"],
        capture_output=True,
        text=True,
        env=served.env,
        cwd=ROOT,
        timeout=120,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "sagsgang.cli.main",
            "bruger",
            "opret",
            USER,
            "--rolle",
            "sekretariat",
            "--navn",
            "Mette Hansen",
            "--adgangskode-fra-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=served.env,
        cwd=ROOT,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    yield served
    served.stop()
    served.log.seek(0)
    print(served.log.read()[-3000:])
    served.log.close()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=server.url, locale="da-DK", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        yield page
        browser.close()


def shot(page, name: str) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"\nSkærmbillede: {path}")


def test_secretary_launches_follows_decides_moves_and_subscribes(page, server):
    from playwright.sync_api import expect

    # 1 March: log in. A page asked for while logged out leads to the login form, then back to it.
    server.start("2027-03-01")
    page.goto("/sager")
    expect(page).to_have_url(re.compile(r"/login\?naeste="))
    page.get_by_label("Brugernavn").fill(USER)
    page.get_by_label("Adgangskode").fill("forkert-adgangskode")
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#e-adgangskode")).to_contain_text("Forkert brugernavn eller adgangskode")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Åbne sager")).to_be_visible()

    # Ny sag: choosing the municipality reloads the form with its routes; the timetable appears while typing.
    page.get_by_role("link", name="Ny sag").click()
    page.get_by_label("Kommune").select_option("slagelse")
    page.wait_for_url(re.compile(r"kommune=slagelse"))
    page.get_by_label("Titel").fill("Erhvervsstrategi 2027–2030")
    page.get_by_label("Journalnummer (KLE)").fill("27.00.00-G01-1-27")
    page.get_by_label("Rute").select_option(label="Politisk sag")
    page.get_by_label("Sagen er klar").fill("2027-03-01")  # a date input takes åååå-mm-dd
    page.get_by_label(re.compile(r"^Sagsbehandler( \*)?$")).fill("Mette Hansen")
    page.get_by_label("Sagsbehandlers e-mail").fill(USER)
    page.get_by_label(re.compile(r"^Leder( \*)?$")).fill("Lars Berg")
    page.get_by_label("Leders e-mail").fill("labe@slagelse.dk")
    page.get_by_label("Afdeling").fill("Erhverv")
    page.get_by_label("Indstilling").fill("at strategien godkendes")
    preview = page.locator("#forhaandsvisning table")
    expect(preview).to_contain_text("Direktionen")
    expect(preview).to_contain_text("Byrådet")
    expect(preview).to_contain_text("foreløbigt møde")
    shot(page, "ny-sag")
    page.get_by_role("button", name="Start sag").click()
    page.wait_for_url(re.compile(r"/sager/slagelse/27\.00\.00-G01-1-27"), timeout=FLOW_TIMEOUT)
    expect(page.get_by_text("Sagen er oprettet og planlagt")).to_be_visible()

    # Sag: the timeline, the Direktion next.
    next_row = page.locator("tr.fase-next")
    expect(next_row).to_contain_text("Direktionen")
    expect(page.locator("tr.fase-later").first).to_contain_text("Strategisk Chefforum")
    direktion_day = re.search(r"(\d+\. marts 2027) kl\. 09:00", next_row.inner_text()).group(1)
    expect(page.get_by_text("Beslutningen kan registreres fra mødedagen")).to_be_visible()

    # 20 March, after the Direktion met: the session has expired, log in again and record its decision.
    server.start("2027-03-20")
    page.goto("/sager/slagelse/27.00.00-G01-1-27")
    expect(page).to_have_url(re.compile(r"/login\?naeste="))
    page.get_by_label("Brugernavn").fill(USER)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("tr.fase-next")).to_contain_text("Direktionen")
    form = page.locator("form.beslutning", has_text="Direktionen")
    form.get_by_label(re.compile(r"^Udfald")).select_option("godkendt")
    form.get_by_role("button", name="Registrér beslutning for Direktionen").click()
    expect(page.get_by_text("Beslutning registreret: Direktionen")).to_be_visible(timeout=FLOW_TIMEOUT)
    expect(page.locator("ul.historik")).to_contain_text(
        f"Direktionen den {direktion_day}: Direktionen godkendte indstillingen."
    )
    expect(page.locator("tr.fase-next")).to_contain_text("Strategisk Chefforum")
    shot(page, "sag")
    chefforum = re.search(r"kl\. 12:00\s+\w+ (\d+)\. (\w+) 2027 kl\. 13:00", page.locator("tr.fase-next").inner_text())
    month = {"marts": 3, "april": 4, "maj": 5}[chefforum.group(2)]
    old = dt.date(2027, month, int(chefforum.group(1)))
    new = old + dt.timedelta(days=7)

    # Møder: move the Chefforum meeting a week; the confirmation says one case will be re-planned.
    page.get_by_role("link", name="Møder").click()
    expect(page.get_by_label("Kommune")).to_have_value("slagelse")  # the municipality with data
    page.get_by_label("Organ", exact=True).select_option(label="Strategisk Chefforum")
    page.get_by_role("button", name="Vis møder").click()
    row = page.locator("table.moeder tr", has_text=f"{old.day}. {chefforum.group(2)} 2027")
    row.get_by_role("link", name="Flyt").click()
    expect(page.get_by_text("1 sag er planlagt på mødet og bliver planlagt igen")).to_be_visible()
    page.get_by_label(re.compile(r"^Ny dato")).fill(new.isoformat())  # a date input takes åååå-mm-dd
    page.get_by_role("button", name="Flyt mødet").click()  # not confirmed: the browser keeps us here
    expect(page.get_by_text("1 sag er planlagt på mødet og bliver planlagt igen")).to_be_visible()
    page.get_by_label(re.compile("Ja, flyt mødet")).check()
    page.get_by_role("button", name="Flyt mødet").click()
    expect(page.get_by_text("1 sag er planlagt igen: 27.00.00-G01-1-27")).to_be_visible(timeout=FLOW_TIMEOUT)
    shot(page, "moeder")
    page.goto("/sager/slagelse/27.00.00-G01-1-27")
    expect(page.locator("tr.fase-next")).to_contain_text(f"{new.day}. april 2027 kl. 13:00")

    # Abonnér: a personal calendar, shown once, that a calendar program can fetch.
    page.get_by_role("link", name="Abonnér").click()
    expect(page.get_by_role("link", name="Åbn i kalenderprogrammet (webcal)").first).to_have_attribute(
        "href", re.compile("^webcal://")
    )
    page.get_by_role("button", name="Opret personlig kalender").click()
    expect(page.get_by_text("Din personlige kalender er oprettet")).to_be_visible()
    address = page.get_by_label("Adresse", exact=True).input_value()
    feed = httpx.get(server.url + "/" + address.split("://", 1)[1].split("/", 1)[1])
    assert feed.status_code == 200 and "Erhvervsstrategi 2027–2030" in feed.text
