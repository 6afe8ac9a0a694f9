"""Actions hand their follow-up to the running service: the fact is stored, a flow run of the
service's deployment is created over Prefect's REST API, and the command answers at once; with
`--vent` it follows the run to its end. Without a service the follow-up runs inline and the command
says that reminders go out only while the service runs.

The Prefect server here is a fake one on loopback (plain http.server) that answers the three
requests the hand-off makes; when a run is created it does what a worker would: advance the case
inline (sagsgang.cases.inline), then reports the run completed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from calendars.clock import FixedClock
from models.tables import Case
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.cases.launch import LaunchRequest
from sagsgang.service import discovery
from tests import configured

J = "27.00.00-G01-1-27"
LAUNCH = [
    "sag",
    "opret",
    "--kommune",
    "slagelse",
    "--titel",
    "Erhvervsstrategi 2027",
    "--journalnummer",
    J,
    "--sagsbehandler",
    "Mette Hansen",
    "--sagsbehandler-email",
    "meha@slagelse.dk",
    "--leder",
    "Lars Berg",
    "--leder-email",
    "labe@slagelse.dk",
    "--rute",
    "politisk",
    "--klar",
    "01-03-2027",
]


class FakePrefect:
    """GET /api/deployments/name/{flow}/sagsgang, POST /api/deployments/{id}/create_flow_run,
    GET /api/flow_runs/{id}. `worker` (if set) runs when a flow run is created; `busy`: every POST
    answers 503."""

    def __init__(self, deployments: set[str], worker=None, busy: bool = False) -> None:
        self.deployments, self.worker, self.created, self.busy = deployments, worker, [], busy
        self.requests: list[str] = []  # "GET /api/…", as they came
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                fake.requests.append(f"GET {self.path}")
                parts = self.path.strip("/").split("/")
                if parts[:3] == ["api", "deployments", "name"] and parts[3] in fake.deployments:
                    self._answer(200, {"id": f"deployment-{parts[3]}", "name": "sagsgang"})
                elif parts[:2] == ["api", "flow_runs"] and int(parts[2].split("-")[1]) <= len(fake.created):
                    self._answer(200, {"id": parts[2], "state": {"type": "COMPLETED", "name": "Completed"}})
                else:
                    self._answer(404, {"detail": "Not found"})

            def do_POST(self) -> None:
                fake.requests.append(f"POST {self.path}")
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.busy:  # as a Prefect server on SQLite answers while it is swamped
                    self._answer(503, {"detail": "Service Unavailable"})
                    return
                deployment = self.path.strip("/").split("/")[2]
                fake.created.append((deployment, body))
                if fake.worker is not None:
                    fake.worker(deployment, body["parameters"])
                self._answer(201, {"id": f"run-{len(fake.created)}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.api_url = f"http://127.0.0.1:{self.server.server_port}/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def prefect():
    fake = FakePrefect({"sagsforloeb", "moedeaendring"})
    yield fake
    fake.close()


def sagsgang(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SAGSGANG_TODAY": "2027-03-01", **env},
        timeout=60,
    )


def launch_request() -> LaunchRequest:
    return LaunchRequest(
        municipality="slagelse",
        title="Erhvervsstrategi 2027",
        journal_number=J,
        owner_name="Mette Hansen",
        owner_email="meha@slagelse.dk",
        manager_name="Lars Berg",
        manager_email="labe@slagelse.dk",
        route="politisk",
        ready=date(2027, 3, 1),
    )


def wake_at(journal_number: str = J):
    with configured.session_scope() as session:
        return session.exec(select(Case.wake_at).where(Case.journal_number == journal_number)).one()


# --- finding the service --------------------------------------------------------------------------


def test_the_service_is_found_by_its_file_only_while_its_process_lives_and_prefect_answers(database, prefect):
    settings = configured.settings()
    environ: dict[str, str] = {}
    assert discovery.api_url(settings, environ) is None  # no tjeneste.json

    discovery.write(settings, discovery.Running(prefect.api_url, "http://127.0.0.1:8000", os.getpid()))
    assert discovery.api_url(settings, environ) == prefect.api_url

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    discovery.write(settings, discovery.Running(prefect.api_url, None, int(finished.stdout)))
    assert discovery.api_url(settings, environ) is None  # its process has ended: a stale file

    discovery.write(settings, discovery.Running("http://127.0.0.1:9/api", None, os.getpid()))
    assert discovery.api_url(settings, environ) is None  # nothing answers there

    discovery.remove(settings, os.getpid())
    assert not discovery.service_file(settings).exists()


def test_a_prefect_server_named_by_prefect_api_url_is_used_only_if_it_has_our_deployments(database, prefect):
    settings = configured.settings()
    assert discovery.api_url(settings, {"PREFECT_API_URL": prefect.api_url}) == prefect.api_url
    empty = FakePrefect(set())
    try:
        assert discovery.api_url(settings, {"PREFECT_API_URL": empty.api_url}) is None
    finally:
        empty.close()


# --- the hand-off itself -----------------------------------------------------------------------------


def test_handing_off_a_launch_stores_the_case_and_creates_one_run_without_following_the_route(database):
    from flows.handoff import HandOffOrchestrator

    created = []

    def prefect_api(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/deployments/name/sagsforloeb/sagsgang":
            return httpx.Response(200, json={"id": "d-1"})
        if request.method == "POST" and request.url.path == "/api/deployments/d-1/create_flow_run":
            created.append(json.loads(request.content))
            return httpx.Response(201, json={"id": "r-1"})
        return httpx.Response(404)

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test:4200/api", transport=httpx.MockTransport(prefect_api)
    )
    summary = lifecycle.launch(launch_request())
    assert summary["koersel_url"] == "http://prefect.test:4200/runs/flow-run/r-1"
    [run] = created
    # The service's run publishes the new case's feeds (not this process).
    assert run["parameters"] == {"journal_number": J, "municipality": "slagelse", "publish_feeds": True}
    assert run["idempotency_key"].startswith(f"slagelse/{J}/")
    # Stored and planned, but the route is the worker's to follow: no mail, no wake-up time yet.
    assert summary["sendt"] == []
    assert "Direktionen" in "\n".join(summary["beskrivelse"])
    assert wake_at() is None


def test_a_busy_prefect_server_is_asked_again_and_if_it_stays_busy_the_follow_up_runs_here(database):
    from flows.handoff import HandOffOrchestrator

    asked = []

    def busy(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(503, json={"detail": "Service Unavailable"})

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(busy)
    )
    summary = lifecycle.launch(
        launch_request(), now=dt.datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    )
    assert len(asked) == 4  # the first request and three more
    assert "koersel_url" not in summary
    # Followed inline: the case waits for the 1-day reminder on Wednesday 3 March at 08:00.
    assert wake_at() == dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def test_a_create_flow_run_that_times_out_is_asked_again_with_the_same_key_and_makes_one_run(database):
    """Under many hand-offs at once a Prefect server may create the run and answer too late: the
    retry carries the same idempotency key, so the server gives back that run, not a second one."""
    from flows.handoff import HandOffOrchestrator

    runs: dict[str, str] = {}  # idempotency key → run id, as the server keeps them
    posted = []

    def slow_then_fine(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/deployments/name/sagsforloeb/sagsgang":
            return httpx.Response(200, json={"id": "d-1"})
        if request.method == "POST" and request.url.path == "/api/deployments/d-1/create_flow_run":
            key = json.loads(request.content)["idempotency_key"]
            posted.append(key)
            runs.setdefault(key, f"r-{len(runs) + 1}")
            if len(posted) == 1:
                raise httpx.ReadTimeout("timed out", request=request)  # made, but the answer came too late
            return httpx.Response(200, json={"id": runs[key]})
        return httpx.Response(404)

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(slow_then_fine)
    )
    summary = lifecycle.launch(launch_request())
    assert len(posted) == 2 and posted[0] == posted[1]
    assert runs == {posted[0]: "r-1"}
    assert summary["koersel_url"] == "http://prefect.test/runs/flow-run/r-1"
    assert wake_at() is None  # handed off, not followed inline


# --- the command line ------------------------------------------------------------------------------


def test_launch_with_vent_hands_off_and_prints_the_case_as_the_worker_left_it(database):
    def worker(deployment: str, parameters: dict) -> None:
        assert deployment == "deployment-sagsforloeb"
        at_launch = FixedClock.on(date(2027, 3, 1))  # the command's SAGSGANG_TODAY
        InlineOrchestrator(configured.settings(), at_launch).advance(
            parameters["journal_number"], parameters["municipality"]
        )

    prefect = FakePrefect({"sagsforloeb"}, worker)
    try:
        result = sagsgang(*LAUNCH, "--vent", env={"PREFECT_API_URL": prefect.api_url})
    finally:
        prefect.close()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Sagen {J} er oprettet og planlagt."
    run_url = f"{prefect.api_url.removesuffix('/api')}/runs/flow-run/run-1"
    assert lines[1] == f"Sagen er gemt og planlagt; tjenesten sender påmindelserne. Følg kørslen: {run_url}"
    assert lines[2] == "Kørslen er gennemført."
    # As the worker left it: the 1-day reminder before Direktionen's deadline of Thursday 4 March.
    assert "Næste påmindelse eller fristkontrol: onsdag 3. marts 2027 kl. 08:00" in result.stdout
    assert "Tjenesten kører ikke" not in result.stdout
    assert result.stderr == ""


def test_without_vent_the_command_answers_once_the_run_is_created(database, prefect):
    result = sagsgang(*LAUNCH, env={"PREFECT_API_URL": prefect.api_url})
    assert result.returncode == 0, result.stderr
    assert "tjenesten sender påmindelserne. Følg kørslen: " in result.stdout
    assert "Kørslen er" not in result.stdout
    [(deployment, body)] = prefect.created
    assert (deployment, body["parameters"]["journal_number"]) == ("deployment-sagsforloeb", J)
    assert wake_at() is None  # nobody advanced it: the fake server has no worker


def test_an_action_asks_the_prefect_server_for_the_deployment_once(database, prefect):
    """Discovery has just found the advance deployment; the hand-off starts its run with that id,
    so a loaded Prefect server answers two requests per action, not three."""
    result = sagsgang(*LAUNCH, env={"PREFECT_API_URL": prefect.api_url})
    assert result.returncode == 0, result.stderr
    assert prefect.requests == [
        "GET /api/deployments/name/sagsforloeb/sagsgang",
        "POST /api/deployments/deployment-sagsforloeb/create_flow_run",
    ]


def test_without_a_service_the_follow_up_runs_here_and_leaves_the_due_reminder_to_the_service(database, smtp):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    result = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *LAUNCH],
        capture_output=True,
        text=True,
        env={**env, "SAGSGANG_TODAY": "2027-03-01"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Launched on Monday 1 March with Direktionen's deadline on Thursday 4 March: the reminder
    # 5 working days before is due at once. The command says so, and leaves it to the service.
    assert result.stdout.splitlines()[-2:] == [
        "  Sendes, når tjenesten kører: påmindelse om sagsfristen torsdag 4. marts 2027",
        "Tjenesten kører ikke: de næste påmindelser sendes først, når `sagsgang tjeneste` kører.",
    ]
    assert "Mail sendt" not in result.stdout and smtp.messages == []
    launched_at = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))  # SAGSGANG_TODAY's time
    assert wake_at() == launched_at  # the case wakes now: the service's first wake-up takes it
    # Until then, the secretariat sees the waiting reminder with the case.
    shown = sagsgang("sag", "vis", J, env={})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-2:] == [
        "Mails:",
        "  Påmindelse om sagsfristen torsdag 4. marts 2027 til meha@slagelse.dk: skal sendes nu."
        " Tjenesten sender den inden for få minutter, når den kører.",
    ]

    # What the service's wake-up does once it runs: the reminder goes out, once.
    service = InlineOrchestrator(configured.settings())
    woken = service.wake_up(launched_at + dt.timedelta(minutes=5))
    again = service.wake_up(launched_at + dt.timedelta(minutes=10))
    assert (woken["sager"], again["sager"]) == ([J], [])
    assert [(m["To"], m["Subject"]) for m in smtp.messages] == [
        (
            "Mette Hansen <meha@slagelse.dk>",
            "Påmindelse: sagsfrist 4. marts 2027 – «Erhvervsstrategi 2027» til Direktionen",
        )
    ]
    assert wake_at() == dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))  # the 1-day reminder
    shown = sagsgang("sag", "vis", J, env={})
    assert shown.stdout.splitlines()[-2:] == [
        "Mails:",
        "  Påmindelse om sagsfristen torsdag 4. marts 2027 til meha@slagelse.dk: sendt mandag 1. marts 2027 kl. 08:05",
    ]


# --- which way the follow-up goes ------------------------------------------------------------------


def test_the_hand_off_uses_the_prefect_api_discovery_chose_without_looking_again(database, monkeypatch):
    from sagsgang import orchestration

    looks = []

    def found_once(_settings):
        looks.append(1)
        return "http://prefect.test:4200/api" if len(looks) == 1 else None

    monkeypatch.setattr(discovery, "api_url", found_once)
    chosen = orchestration.orchestrator(configured.settings())
    assert orchestration.hand_off(chosen) is not None
    assert chosen.api_url == "http://prefect.test:4200/api"
    assert len(looks) == 1


def test_a_daily_check_asked_for_by_hand_is_a_run_of_the_services_deployment(database):
    from flows.handoff import HandOffOrchestrator

    created = []

    def prefect_api(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/deployments/name/daglig-kontrol/sagsgang":
            return httpx.Response(200, json={"id": "d-daglig"})
        if request.method == "POST" and request.url.path == "/api/deployments/d-daglig/create_flow_run":
            created.append(json.loads(request.content))
            return httpx.Response(201, json={"id": "r-7"})
        return httpx.Response(404)

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(prefect_api)
    )
    started = lifecycle.daily_check()
    assert started == {"koersel_id": "r-7", "koersel_url": "http://prefect.test/runs/flow-run/r-7"}
    assert [run["parameters"] for run in created] == [{}]


def test_a_daily_check_on_a_busy_server_runs_here_and_says_the_service_was_busy(database):
    from flows.handoff import HandOffOrchestrator

    def busy(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"detail": "Too Many Requests"})

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(busy)
    )
    checked = lifecycle.daily_check(now=dt.datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen")))
    assert checked.get("optaget") is True
    assert "koersel_id" not in checked and checked["påmindelser"] == 0  # nothing launched: nothing due


def test_a_server_gone_by_the_hand_off_is_not_called_busy(database):
    from flows.handoff import HandOffOrchestrator

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    lifecycle = HandOffOrchestrator(
        configured.settings(), api_url="http://prefect.test/api", transport=httpx.MockTransport(refused)
    )
    summary = lifecycle.launch(
        launch_request(), now=dt.datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    )
    assert "koersel_id" not in summary and "optaget" not in summary
    assert wake_at() == dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))  # followed here


def test_a_busy_service_is_told_as_busy_and_the_case_is_followed_up_here(database):
    prefect = FakePrefect({"sagsforloeb"}, busy=True)
    try:
        result = sagsgang(*LAUNCH, env={"PREFECT_API_URL": prefect.api_url})
    finally:
        prefect.close()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "Tjenesten var optaget, så opfølgningen er kørt her; tjenesten sender påmindelserne."
    assert "Tjenesten kører ikke" not in result.stdout
    assert "Næste påmindelse eller fristkontrol: onsdag 3. marts 2027 kl. 08:00" in result.stdout
    assert wake_at() == dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def test_material_received_hands_the_follow_up_to_the_service(database):
    launched = sagsgang(*LAUNCH, env={"SAGSGANG_ORCHESTRATION": "inline"})
    assert launched.returncode == 0, launched.stderr
    prefect = FakePrefect({"sagsforloeb"})
    try:
        result = sagsgang("sag", "indsend", J, env={"PREFECT_API_URL": prefect.api_url})
    finally:
        prefect.close()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Materialet til Direktionen er modtaget (møde ")
    assert lines[-1].startswith("Materialet er registreret; tjenesten følger sagen op og sender påmindelserne. ")
    [(deployment, body)] = prefect.created
    assert (deployment, body["parameters"]) == (
        "deployment-sagsforloeb",
        {"journal_number": J, "municipality": "slagelse"},
    )


def test_material_received_without_a_service_moves_the_next_wake_up_here(database):
    launched = sagsgang(*LAUNCH, env={"SAGSGANG_ORCHESTRATION": "inline"})
    assert launched.returncode == 0, launched.stderr
    before = wake_at()

    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    result = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "sag", "indsend", J],
        capture_output=True,
        text=True,
        env={**env, "SAGSGANG_TODAY": "2027-03-01"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Tjenesten kører ikke")
    # No more reminders for Direktionen's deadline: the case next wakes for a later one.
    assert before == dt.datetime(2027, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert wake_at() > before


def test_the_daily_check_with_vent_hands_off_and_prints_the_runs_outcome(database):
    prefect = FakePrefect({"sagsforloeb", "daglig-kontrol"})
    try:
        result = sagsgang("daglig", "--vent", env={"PREFECT_API_URL": prefect.api_url})
    finally:
        prefect.close()
    assert result.returncode == 0, result.stderr
    run_url = f"{prefect.api_url.removesuffix('/api')}/runs/flow-run/run-1"
    assert result.stdout.splitlines() == [
        f"Den daglige kontrol er givet til tjenesten, som sender mailene. Følg kørslen: {run_url}",
        "Kørslen er gennemført.",
    ]
    assert [deployment for deployment, _ in prefect.created] == ["deployment-daglig-kontrol"]


def test_an_action_handed_off_or_run_here_imports_neither_prefect_nor_alembic(database, prefect):
    """Prefect's import alone costs a second and alembic's half of one: neither is on an action's path."""
    code = (
        "import sys; from sagsgang.cli.main import main; code = main(sys.argv[1:]); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'alembic'})); sys.exit(code)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env["SAGSGANG_TODAY"] = "2027-03-01"
    for extra in ({"PREFECT_API_URL": prefect.api_url}, {}):
        for args in (LAUNCH, ["sag", "indsend", J]):
            done = subprocess.run(
                [sys.executable, "-c", code, *args], capture_output=True, text=True, env={**env, **extra}, timeout=60
            )
            assert done.returncode == 0, done.stderr
            assert done.stdout.splitlines()[-1] == "[]", (args, extra)
        with configured.session_scope() as session:  # the next round launches the case again
            session.delete(session.exec(select(Case).where(Case.journal_number == J)).one())
