"""`sagsgang demo --tjeneste` (what `make demo` runs): the service working, briefly. In a folder of
its own under the system's temporary folder it starts `sagsgang tjeneste` on the embedded default
(its own Prefect server, the deployments, one worker, the web app), launches a case from the
command line with `--vent` so the hand-off and the worker's run show, stops the service, and
removes the folder with everything Prefect made in it. One screen of output.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sagsgang.cli.main import command_name
from sagsgang.settings import Settings

START_SECONDS = 300  # a Prefect server's first start (its SQLite schema) takes 10–60 s; slow machines more
JOURNAL_NUMBER = "27.00.00-G01-1-27"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sagsgang() -> list[str]:
    return [sys.executable, "-m", "sagsgang.cli"]


def run(settings: Settings) -> int:
    today = settings.clock().today()
    folder = Path(tempfile.mkdtemp(prefix="sagsgang-tjeneste-demo-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "SAGSGANG_"))}
    env.update({"SAGSGANG_HOME": str(folder), "SAGSGANG_TODAY": today.isoformat()})
    command = command_name()
    print(f"Sagsgang – tjenesten i {START_SECONDS // 60} minutter højst, i en midlertidig mappe ({folder}).")
    print(f"$ {command} tjeneste")
    output = folder / "tjeneste.txt"
    with output.open("w", encoding="utf-8") as out:
        service = subprocess.Popen(
            [
                *_sagsgang(),
                "tjeneste",
                "--port",
                str(_free_port()),
                "--prefect-port",
                str(_free_port()),
                "--workers",
                "1",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    status = 1
    try:
        if _started(service, folder):
            _show(output, "  ")
            status = _launch(env, command, today.strftime("%d-%m-%Y"))
        else:
            _show(output, "  ")
            print(
                f"Tjenesten svarede ikke inden {START_SECONDS} sekunder. Loggene er i {folder / 'logs'} "
                "(mappen bliver stående)."
            )
            return 1
    finally:
        _stop(service)
    print(f"Tjenesten stoppes (som med Ctrl+C): {output.read_text(encoding='utf-8').splitlines()[-1]}")
    shutil.rmtree(folder, ignore_errors=True)
    print("Den midlertidige mappe er fjernet.")
    print("Prøv selv (mere i README.md; brugervejledningen er docs/brugervejledning.md):")
    print(f"  {command} demo                    # en sags tidsplan, beslutning og påmindelse")
    print(f"  {command} bruger opret DIN@MAIL.DK --rolle sekretariat --kommune slagelse --administrator")
    print(f"  {command} tjeneste                # webappen på http://127.0.0.1:8000/ – log ind som brugeren")
    return status


def _started(service: subprocess.Popen[bytes], folder: Path) -> bool:
    deadline = time.monotonic() + START_SECONDS
    while not (folder / "tjeneste.json").exists():
        if service.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _launch(env: dict[str, str], command: str, ready: str) -> int:
    print(f"$ {command} sag opret --kommune slagelse --journalnummer {JOURNAL_NUMBER} … --klar {ready} --vent")
    launched = subprocess.run(
        [
            *_sagsgang(),
            "sag",
            "opret",
            "--kommune",
            "slagelse",
            "--titel",
            "Erhvervsstrategi 2027 (demo)",
            "--journalnummer",
            JOURNAL_NUMBER,
            "--sagsbehandler",
            "Mette Hansen",
            "--sagsbehandler-email",
            "meha@example.dk",
            "--leder",
            "Lars Berg",
            "--leder-email",
            "labe@example.dk",
            "--rute",
            "politisk",
            "--klar",
            ready,
            "--vent",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS + 60,
    )
    for line in (launched.stdout + launched.stderr).splitlines():
        print(f"  {line}")
    return launched.returncode


def _show(output: Path, indent: str) -> None:
    for line in output.read_text(encoding="utf-8").splitlines():
        print(f"{indent}{line}")


def _stop(service: subprocess.Popen[bytes]) -> None:
    if service.poll() is None:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait()
