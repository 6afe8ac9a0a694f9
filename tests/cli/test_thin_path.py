"""While the service runs, the lifecycle's actions go to its web app (sagsgang.cli.service_client):
the command imports no database layer, the service stores the fact and hands the follow-up on, and
the command prints what it answered. The web app here is the real one, served by uvicorn on a free
port in a thread, with tjeneste.json and the local token written as `sagsgang tjeneste` writes
them; its Prefect is httpx.MockTransport (tests.web.test_web_handoff), which creates runs that
nothing runs."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import threading
import time

import httpx
import pytest
import uvicorn
from sqlmodel import select

from models.audit import CaseChange
from models.tables import Case
from sagsgang.service import discovery, local_token
from sagsgang.web.app import create_app
from tests import configured
from tests.cli.test_handoff import LAUNCH, J
from tests.servers import free_port
from tests.web.test_web_handoff import Prefect

TODAY = "2027-03-01"
RUN_URL = "http://prefect.test/runs/flow-run/run-1"
HEAVY = {"sqlalchemy", "sqlmodel", "holidays", "pydantic_settings", "prefect", "httpx", "models"}
# The command, and then the heavy modules it imported, as its last line.
CODE = (
    "import sys; from sagsgang.cli.main import main; code = main(sys.argv[1:]); "
    f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))); sys.exit(code)"
)


@pytest.fixture
def service(database, monkeypatch):
    """The web app of a running service: (its Prefect fake, its address)."""
    from flows.handoff import HandOffOrchestrator

    monkeypatch.setenv("SAGSGANG_TODAY", TODAY)
    settings = configured.settings()
    prefect = Prefect()
    orchestrator = HandOffOrchestrator(
        settings, api_url="http://prefect.test/api", transport=httpx.MockTransport(prefect)
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, orchestrator=orchestrator), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    discovery.write(settings, discovery.Running("http://prefect.test/api", f"http://127.0.0.1:{port}", os.getpid()))
    token = local_token.create(settings.home_folder)
    yield prefect, f"http://127.0.0.1:{port}"
    local_token.remove(settings.home_folder, token)
    server.should_exit = True
    thread.join(10)


def sagsgang(*args: str, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """The command in its own process: (its result, the heavy modules it imported)."""
    done = subprocess.run(
        [sys.executable, "-c", CODE, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )
    lines = done.stdout.splitlines()
    return done, [name.strip("' ") for name in lines[-1].strip("[]").split(",") if name.strip()] if lines else ["?"]


def stored_cases() -> list[str]:
    with configured.session_scope() as session:
        return list(session.exec(select(Case.journal_number)).all())


def test_sag_opret_goes_to_the_running_service_and_says_what_happens_next(service):
    prefect, _url = service
    done, heavy = sagsgang(*LAUNCH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:-1] == [
        f"Sagen {J} er oprettet og planlagt.",
        f"Sagen er gemt og planlagt; tjenesten sender påmindelserne. Følg kørslen: {RUN_URL}",
    ]
    assert heavy == []  # the service did the work: this process imported none of it
    assert stored_cases() == [J]
    assert [deployment for deployment, _ in prefect.created] == ["sagsforloeb"]


def test_material_received_is_recorded_as_done_from_the_command_line_by_its_user(service):
    sagsgang(*LAUNCH)
    done, heavy = sagsgang("sag", "indsend", J)  # no --kommune: the service finds the case's
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:-1] == [
        "Materialet til Direktionen er modtaget. Der kommer ikke flere påmindelser om den frist.",
        "Materialet er registreret; tjenesten følger sagen op og sender påmindelserne. "
        "Følg kørslen: http://prefect.test/runs/flow-run/run-2",
    ]
    assert heavy == []
    with configured.session_scope() as session:
        change = session.exec(select(CaseChange).where(CaseChange.field == "Materiale modtaget")).one()
        assert (change.changed_by, change.source) == (getpass.getuser(), "cli")


def test_a_bad_journal_number_is_refused_by_the_service_in_danish_and_nothing_is_stored(service):
    prefect, _url = service
    args = [arg if arg != J else "27.00" for arg in LAUNCH]
    done, heavy = sagsgang(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("Fejl: ") and "journalnummer" in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert heavy == []  # refused by the service, not by this process
    assert stored_cases() == [] and prefect.created == []


def test_an_unknown_case_is_told_as_the_command_tells_it(service):
    done, heavy = sagsgang("sag", "indsend", J)
    assert done.returncode == 2
    assert done.stderr == f"Fejl: Sagen '{J}' findes ikke. Opret den med: sagsgang sag opret …\n"
    assert heavy == []


def test_without_the_local_token_the_command_takes_its_own_path(service, database):
    home = configured.settings().home_folder
    local_token.path(home).unlink()
    done, heavy = sagsgang(*LAUNCH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Sagen {J} er oprettet og planlagt."
    assert "sqlalchemy" in heavy  # stored by this process
    assert stored_cases() == [J]


def test_a_command_with_another_pinned_day_is_not_run_by_the_service(service):
    prefect, _url = service
    done, heavy = sagsgang(*LAUNCH, SAGSGANG_TODAY="2027-03-02")
    assert done.returncode == 0, done.stderr
    assert "sqlalchemy" in heavy  # the service refused it (421) before doing anything
    assert stored_cases() == [J]
    assert prefect.created == []  # the service's web app handed nothing off


def test_the_api_refuses_a_wrong_token_and_does_nothing(service):
    _prefect, url = service
    answer = httpx.post(
        f"{url}/api/sager",
        json={"kommune": "slagelse", "rute": "politisk", "journalnummer": J},
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert answer.status_code == 401
    assert stored_cases() == []


def planned_meeting_day() -> str:
    """The day of the meeting the launched case is planned on for Direktionen, dd-mm-åååå."""
    from models.tables import Body, Consultation, Meeting

    with configured.session_scope() as session:
        day = session.exec(
            select(Meeting.day)
            .join(Consultation, Consultation.meeting_id == Meeting.id)
            .join(Body, Body.id == Consultation.body_id)
            .where(Body.key == "direktion")
        ).first()
    assert day is not None
    return f"{day:%d-%m-%Y}"


def test_a_cancelled_meeting_is_re_planned_by_the_service(service):
    prefect, _url = service
    sagsgang(*LAUNCH)
    day = planned_meeting_day()
    done, heavy = sagsgang("mødeplan", "aflys", "direktion", day, "--kommune", "slagelse")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()[:-1]
    assert lines[0].startswith("Mødet i Direktionen ") and lines[0].endswith(" er aflyst.")
    assert lines[1] == (
        "Mødeændringen er gemt; tjenesten planlægger sagerne på mødet igen. "
        "Følg kørslen: http://prefect.test/runs/flow-run/run-2"
    )
    assert heavy == []
    assert [deployment for deployment, _ in prefect.created] == ["sagsforloeb", "moedeaendring"]


class Drops:
    """An app that takes the request and hangs up without an answer."""

    def __init__(self) -> None:
        import socket

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                self.requests.append(connection.recv(65536))


def test_a_request_sent_and_never_answered_is_told_and_not_run_again_here(database, monkeypatch, capsys):
    from sagsgang.cli import service_client

    monkeypatch.setenv("SAGSGANG_TODAY", TODAY)
    settings = configured.settings()
    app = Drops()
    discovery.write(settings, discovery.Running("http://prefect.test/api", f"http://127.0.0.1:{app.port}", os.getpid()))
    local_token.create(settings.home_folder)
    try:
        code = service_client.run(LAUNCH)
    finally:
        app.listener.close()
    assert code == 3
    assert len(app.requests) == 1 and app.requests[0].startswith(b"POST /api/sager ")
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.startswith("Fejl: Tjenesten svarede ikke på handlingen") and f"sagsgang sag vis {J}" in said.err
    assert stored_cases() == []  # the command did not store it itself: the service may have
