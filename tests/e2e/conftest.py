"""The end-to-end world: PostgreSQL (Debian's package, on 127.0.0.1, run as a non-root user),
a Prefect server on it, `sagsgang worker` serving the deployments, and an SMTP server. Sagsgang's
own data lives in a second database on the same PostgreSQL.

Everything is started here and stopped afterwards; tests/e2e/run.sh installs what is missing
(apt-get install postgresql) and runs `pytest -m e2e`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import MailServer
from tests.servers import answers, free_port, stop, wait_for

VENV_BIN = Path(sys.executable).parent


def postgres_bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    pytest.fail("PostgreSQL mangler. Kør tests/e2e/run.sh, som installerer Debians pakke postgresql.")


def as_postgres_user(command: list[str], **options) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: run as the package's 'postgres' user then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields (host, port, user)."""
    bindir = postgres_bindir()
    folder = Path(tempfile.mkdtemp(prefix="sagsgang-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, port = folder / "data", free_port()
    as_postgres_user(
        [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "sagsgang", "-E", "UTF8", "--locale=C.UTF-8"]
    )
    as_postgres_user(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "postgres.log"),
            "-w",
            "start",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off",
        ]
    )
    try:
        for database in ("prefect", "sagsgang", "scaleout_prefect", "scaleout"):
            as_postgres_user([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "sagsgang", database])
        yield "127.0.0.1", port, "sagsgang"
    finally:
        as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def e2e_env(postgres, tmp_path_factory):
    host, port, user = postgres
    home = tmp_path_factory.mktemp("e2e")
    return {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{user}@{host}:{port}/prefect",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "SAGSGANG_DATABASE_URL": f"postgresql+psycopg://{user}@{host}:{port}/sagsgang",
        "SAGSGANG_HOME": str(home / "sagsgang"),
        "SAGSGANG_FEEDS_DIR": str(home / "kalender"),
    }


@contextmanager
def running_prefect_server(env: dict, log_path: Path) -> Iterator[str]:
    """`prefect server start` on the database `env` names; yields the API URL."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/api"
        try:
            wait_for(answers(f"{url}/health"), process, log_path, "prefect server", seconds=300, pause=0.5)
            yield url
        finally:
            stop(process, seconds=20)


@pytest.fixture(scope="session")
def prefect_server(e2e_env):
    """`prefect server start` on PostgreSQL; yields the API URL."""
    with running_prefect_server(e2e_env, Path(e2e_env["PREFECT_HOME"]).parent / "prefect-server.log") as url:
        yield url


@pytest.fixture(scope="session")
def mailbox():
    server = MailServer()
    server.controller.start()
    yield server
    server.release.set()
    server.controller.stop()


@pytest.fixture(scope="session")
def world(e2e_env, prefect_server, mailbox):
    """The environment every command of the test runs with, and a running `sagsgang worker`."""
    env = {
        **e2e_env,
        "PREFECT_API_URL": prefect_server,
        "SAGSGANG_SMTP_HOST": "127.0.0.1",
        "SAGSGANG_SMTP_PORT": str(mailbox.port),
        "SAGSGANG_SMTP_FROM": "Sagsgang <sagsgang@slagelse.dk>",
    }
    log = open(Path(e2e_env["PREFECT_HOME"]).parent / "worker.log", "w")
    worker = subprocess.Popen([str(VENV_BIN / "sagsgang"), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(
            lambda: deployments(prefect_server) >= 4, worker, Path(log.name), "sagsgang worker", seconds=120, pause=1
        )
        yield env
    finally:
        stop(worker, seconds=30)
        log.close()


def deployments(api_url: str) -> int:
    """How many deployments the Prefect server knows (the worker registers four)."""
    request = urllib.request.Request(
        f"{api_url}/deployments/count", data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.read())
    except OSError:
        return 0
