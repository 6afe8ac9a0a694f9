"""`sagsgang mødeplan flyt|aflys`: only meetings still to come change; a move onto a holiday,
closing day, weekend or recess is refused with the day's name unless --bekræft-dag is given."""

from __future__ import annotations

import pytest

from sagsgang.cli.main import main
from tests.lifecycle_world import launch
from tests.web_world import meeting_rows


@pytest.fixture
def world(database, monkeypatch):
    monkeypatch.setenv("SAGSGANG_ORCHESTRATION", "inline")
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    launch()


def test_a_move_onto_skaertorsdag_needs_the_flag_that_confirms_it(world, capsys):
    before = meeting_rows()
    code = main(["mødeplan", "flyt", "direktion", "23-03-2027", "25-03-2027", "--kommune", "slagelse"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "25. marts 2027 er skærtorsdag" in err and "--bekræft-dag" in err
    assert meeting_rows() == before
    code = main(["mødeplan", "flyt", "direktion", "23-03-2027", "25-03-2027", "--kommune", "slagelse", "--bekræft-dag"])
    out, _err = capsys.readouterr()
    assert code == 0 and "flyttet til torsdag 25. marts 2027 kl. 09:00" in out


def test_a_meeting_that_was_held_cannot_be_cancelled(world, capsys):
    before = meeting_rows()
    code = main(["mødeplan", "aflys", "direktion", "23-02-2027", "--kommune", "slagelse"])
    _out, err = capsys.readouterr()
    assert code == 2 and "Kun kommende møder kan flyttes eller aflyses" in err
    assert meeting_rows() == before
