"""The `sagsgang` command as a secretary uses it: a real process, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calendars.profile_reader import load_profile
from calendars.workdays import MunicipalCalendar


def sagsgang(*args: str, today: str = "2027-01-04", **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAGSGANG_TODAY": today, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_plan_prints_danish_timetable_with_deadlines_meetings_and_holidays():
    result = sagsgang("plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "01-03-2027")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dato" in out and "Aktivitet" in out
    assert "Deadline for sag til Direktionen" in out
    assert "Sag på møde i Byrådet" in out
    # Easter 2027 is 25-29 March: the holidays inside the plan are listed by their Danish names.
    assert "torsdag 25. marts 2027: Skærtorsdag" in out
    assert "mandag 29. marts 2027: Anden påskedag" in out
    # 1 March 2027 is a Monday, written out the Danish way.
    assert "mandag 1. marts 2027" in out


def test_plan_json_has_one_step_per_body_with_iso_dates():
    result = sagsgang(
        "plan", "--kommune", "slagelse", "--rute", "politisk_oekonomi", "--klar", "2027-03-01", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    profile = load_profile("slagelse")
    route = profile.routes["politisk_oekonomi"]
    assert [s["body"] for s in data["steps"]] == [body for stage in route.stages for body in stage]
    calendar = MunicipalCalendar(profile.closing_days, profile.recesses, profile.weekmask)
    import datetime as dt

    for step in data["steps"]:
        assert set(step) >= {"stage", "body", "deadline", "meeting", "provisional", "slack_working_days"}
        deadline = dt.date.fromisoformat(step["deadline"])
        meeting = dt.datetime.fromisoformat(step["meeting"])
        assert meeting.utcoffset() is not None  # aware, Europe/Copenhagen
        assert calendar.is_working_day(deadline)
        assert deadline <= meeting.date()
        assert step["slack_working_days"] >= 0
    # The four committees meet in parallel in stage 3; ØU's deadline comes after the last of them.
    committees = [s for s in data["steps"] if s["stage"] == 3]
    assert len(committees) == 4
    last_committee = max(dt.datetime.fromisoformat(s["meeting"]).date() for s in committees)
    ou = next(s for s in data["steps"] if s["body"] == "oekonomiudvalget")
    assert dt.date.fromisoformat(ou["deadline"]) > last_committee


def test_plan_markdown_is_a_table_to_paste():
    result = sagsgang(
        "plan", "--kommune", "albertslund", "--rute", "orientering", "--klar", "2027-01-04", "--format", "md"
    )
    assert result.returncode == 0, result.stderr
    assert "| Dato | Aktivitet |" in result.stdout
    assert "Sag på møde i Chefforum" in result.stdout


def test_target_gives_latest_ready_date_and_unreachable_target_says_what_is_reachable():
    ok = sagsgang(
        "plan",
        "--kommune",
        "slagelse",
        "--rute",
        "politisk",
        "--klar",
        "2027-01-04",
        "--senest",
        "byraadet:28-06-2027",
        "--format",
        "json",
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["steps"][-1]["latest_meeting"].startswith("2027-06-28")
    assert data["latest_ready"] > data["ready"]

    late = sagsgang(
        "plan", "--kommune", "slagelse", "--rute", "politisk", "--klar", "2027-05-20", "--senest", "byraadet:28-06-2027"
    )
    assert late.returncode == 2
    assert "kan ikke nås" in late.stderr and "Tidligst mulige møde i Byrådet" in late.stderr
    assert "Traceback" not in late.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--rute", "findes_ikke", "--klar", "2027-01-04"], "Ruten 'findes_ikke' findes ikke"),
        (["--rute", "politisk", "--klar", "2027-13-01"], "findes ikke i kalenderen"),
        (["--rute", "politisk", "--klar", "i morgen"], "dd-mm-åååå"),
        (["--rute", "politisk", "--klar", "2027-06-01", "--senest", "byraadet:01-05-2027"], "ligger før"),
        (["--rute", "politisk", "--senest", "rådet:01-05-2027"], "Organet 'rådet' findes ikke"),
        (["--rute", "politisk", "--senest", "byraadet"], "<organ>:<dato>"),
        (["--rute", "politisk", "--format", "pdf"], "er ikke et gyldigt valg"),
        (["--klar", "2027-01-04"], "følgende skal angives: --rute"),
    ],
)
def test_bad_input_gets_a_danish_message_and_exit_code_2(args, expected):
    result = sagsgang("plan", "--kommune", "slagelse", *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_municipality_lists_the_shipped_ones():
    result = sagsgang("plan", "--kommune", "aarhus", "--rute", "politisk")
    assert result.returncode == 2
    assert "slagelse" in result.stderr and "albertslund" in result.stderr


def test_a_profile_file_given_by_path_is_used(tmp_path):
    profile = tmp_path / "lilleby.toml"
    profile.write_text(
        'name = "Lilleby Kommune"\n'
        '[bodies.direktion]\nname = "Direktionen"\nkind = "administrativ"\n'
        'cadence = "hver onsdag kl. 09:00"\ndeadline = { working_days_before = 2 }\n'
        '[routes.kort]\nname = "Kort rute"\nstages = ["direktion"]\n',
        encoding="utf-8",
    )
    result = sagsgang("plan", "--kommune", str(profile), "--rute", "kort", "--klar", "2027-01-04", "--format", "json")
    assert result.returncode == 0, result.stderr
    step = json.loads(result.stdout)["steps"][0]
    # Ready Monday 4 January 2027; Wednesday 6 January's deadline (2 working days before) is
    # Monday 4 January itself, so the first meeting is 6 January.
    assert step["deadline"] == "2027-01-04"
    assert step["meeting"].startswith("2027-01-06T09:00")


def test_help_is_danish():
    result = sagsgang("plan", "--help")
    assert result.returncode == 0
    assert "Brug: sagsgang plan" in result.stdout
    assert "vis denne hjælp og afslut" in result.stdout
    assert "usage" not in result.stdout.lower()


def test_planning_path_does_not_import_prefect_or_the_database_layer():
    code = (
        "import sys, io, contextlib\n"
        "from sagsgang.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['plan', '--kommune', 'slagelse', '--rute', 'politisk', '--klar', '2027-01-04'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'sqlmodel', 'sqlalchemy', 'models'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_demo_shows_a_plan_from_today_and_how_to_go_on(tmp_path):
    result = sagsgang("demo", today="2026-11-23", TMPDIR=str(tmp_path))  # its database folder goes there
    assert result.returncode == 0, result.stderr
    assert "mandag 23. november 2026" in result.stdout
    assert "Sag på møde i Byrådet" in result.stdout
    assert len(result.stdout.splitlines()) <= 45  # under a screenful
    # The commands it suggests work when typed as printed, in the same place, with no venv activated.
    suggested = result.stdout.split("Prøv selv:\n", 1)[1].splitlines()
    commands = [line.split("  (")[0].strip() for line in suggested if line.strip()]
    assert len(commands) == 4 and all("sagsgang plan --kommune" in c for c in commands[:2])
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "sagsgang").exists())
    for command in commands:
        tried = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PATH": path, "SAGSGANG_TODAY": "2026-11-23"},
        )
        assert tried.returncode == 0 and tried.stdout, (command, tried.stderr)


def test_output_piped_into_head_stops_quietly():
    # `sagsgang møder … | head -3` on ~19 years of meetings (more than a pipe holds): the reader stops
    # early; the command ends without a traceback.
    command = (
        f"{sys.executable} -m sagsgang.cli.main møder --kommune slagelse --fra 01-01-2027 --til 31-12-2045 | head -3"
    )
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        env={**os.environ, "SAGSGANG_TODAY": "2027-01-04"},
        timeout=60,
    )
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == ""
    assert result.returncode in (0, 141)  # 141: ended by SIGPIPE, as `yes | head` is


def test_each_command_module_registers_the_commands_main_looks_it_up_by():
    # A command builds only its own module's parser: a module that registered a command under
    # another name than COMMAND_MODULES says would leave that command unreachable.
    import importlib

    from sagsgang.cli.argparse_da import DanishArgumentParser
    from sagsgang.cli.main import COMMAND_MODULES

    for module, names in COMMAND_MODULES.items():
        parser = DanishArgumentParser(prog="sagsgang")
        commands = parser.add_subparsers(parser_class=DanishArgumentParser)
        importlib.import_module(module).register(commands)
        assert tuple(commands.choices) == names, module


def test_a_mistyped_command_is_told_with_every_command_there_is():
    result = sagsgang("sgs", "vis")
    assert result.returncode == 2
    assert "sgs" in result.stderr
    assert "plan" in result.stderr and "sag" in result.stderr and "tjeneste" in result.stderr
