"""The wheel as an installation gets it: built from the checkout's files, installed with the lock
into a fresh virtual environment, and run from a folder that is not the checkout (no PYTHONPATH).

What it runs must work as well as from the checkout: the timetable, the calendar feeds (the
migrations create the database), the agenda and minutes (templates, their CSS and the shipped
example meeting), and the web app's pages and static files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import icalendar
import pytest

from tests.servers import answers, free_port, stop, wait_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PLAN = ["plan", "--kommune", "slagelse", "--rute", "politisk_oekonomi", "--klar", "01-03-2027"]
TODAY = "2027-01-04"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a fresh shell: none of this checkout's Python paths or Sagsgang settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SAGSGANG_", "PYTHON", "VIRTUAL_ENV", "PREFECT_"))
    }
    return {**env, "HOME": str(home), "SAGSGANG_HOME": str(home / ".sagsgang"), "SAGSGANG_TODAY": TODAY}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the files git knows (tracked, or new and not ignored), so nothing
    lying around in the checkout (build/, .venv/, egg-info) can end up in it."""
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        if (ROOT / name).is_file():  # a file deleted in the work tree is still listed as tracked
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)],
        source,
        {**os.environ},
    )
    (built,) = dist.glob("sagsgang-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(the fresh venv's bin folder, its environment, a working folder outside the checkout)."""
    folder = tmp_path_factory.mktemp("elsewhere")
    venv, home = folder / "venv", folder / "home"
    home.mkdir()
    env = clean_env(home)
    run([sys.executable, "-m", "venv", str(venv)], folder, env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    run(
        [*pip, "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(ROOT / "requirements.lock")],
        folder,
        env,
    )
    run([*pip, "install", "--quiet", "--no-deps", str(wheel)], folder, env)
    run([*pip, "check"], folder, env)
    work = folder / "work"
    work.mkdir()
    return venv / "bin", env, work


def test_the_installed_code_is_the_wheels_not_the_checkouts(installed):
    bin_, env, work = installed
    shown = run(
        [
            str(bin_ / "python"),
            "-c",
            "import calendars, models, sagsgang, templates; print(sagsgang.__file__, templates.__file__)",
        ],
        work,
        env,
    ).stdout
    assert str(ROOT) not in shown and str(bin_.parent) in shown


def test_plan_prints_the_same_danish_timetable_as_the_checkout(installed):
    bin_, env, work = installed
    from_wheel = run([str(bin_ / "sagsgang"), *PLAN], work, env).stdout
    from_checkout = run(
        [sys.executable, "-m", "sagsgang.cli.main", *PLAN], ROOT, clean_env(work.parent / "home")
    ).stdout
    assert from_wheel == from_checkout
    for row in ("Direktion", "Økonomiudvalget", "Byrådet", "Deadline for sag til"):
        assert row in from_wheel, row


def test_feeds_demo_writes_valid_calendars_and_its_index(installed):
    bin_, env, work = installed
    folder = work / "feeds-demo"
    run([str(bin_ / "sagsgang"), "feeds", "demo", str(folder)], work, env)
    files = sorted(folder.rglob("*.ics"))
    assert len(files) >= 5, files
    for path in files:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
        assert uids and len(set(uids)) == len(uids), path
        assert all(event.get("DTSTAMP") and event.get("DTSTART") for event in calendar.walk("VEVENT")), path
    (council,) = [path for path in files if path.name == "byraadet.ics"]
    assert "Byrådet – møde" in {
        str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(council.read_bytes()).walk("VEVENT")
    }
    index = next(folder.rglob("index.html")).read_text(encoding="utf-8")
    assert '<html lang="da">' in index and "webcal://" in index


def test_the_minutes_demo_renders_the_same_agenda_and_minutes_as_the_checkout(installed, tmp_path):
    bin_, env, work = installed
    run([str(bin_ / "python"), "-m", "sagsgang.demo.minutes_demo", str(work / "minutes")], work, env)
    run([sys.executable, "-m", "sagsgang.demo.minutes_demo", str(tmp_path / "minutes")], ROOT, clean_env(tmp_path))
    for name in ("dagsorden.html", "referat-intern.html", "referat-offentlig.md"):
        from_wheel = (work / "minutes" / name).read_text(encoding="utf-8")
        assert from_wheel == (tmp_path / "minutes" / name).read_text(encoding="utf-8"), name
    assert "Chefforum" in (work / "minutes" / "dagsorden.html").read_text(encoding="utf-8")


def test_serve_from_the_wheel_has_its_pages_and_static_files(installed):
    bin_, env, work = installed
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**env, "SAGSGANG_DATABASE_URL": f"sqlite:///{work / 'serve.db'}"}
    log_path = work / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                "timeout",
                "120",
                str(bin_ / "sagsgang"),
                "serve",
                "--uden-prefect",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=work,
        )
    try:
        wait_for(answers(url + "/kalender/"), process, log_path, "sagsgang serve (wheel)", seconds=60)
        login = httpx.get(url + "/login")
        assert login.status_code == 200 and '<html lang="da">' in login.text
        for asset in ("web.css", "web.js"):
            shipped = httpx.get(f"{url}/static/{asset}")
            assert shipped.status_code == 200
            assert shipped.content == (ROOT / "sagsgang" / "web" / "static" / asset).read_bytes()
        # serve's access log is on, in the log file for IT (not on the terminal)
        access = Path(env["SAGSGANG_HOME"]) / "logs" / "tjeneste.log"
        assert "GET /login HTTP/1.1" in access.read_text()
        assert "GET /login HTTP/1.1" not in log_path.read_text()
    finally:
        stop(process)
