"""`sagsgang mødeplan flyt|aflys`: only meetings still to come change; a move onto a holiday,
closing day, weekend or recess is refused with the day's name unless --bekræft-dag is given; without
the service, the reminders a move makes due are left to it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models.outbox import OutboxMessage
from models.tables import Case
from sagsgang.cases.inline import InlineOrchestrator
from sagsgang.cli.main import main
from tests import configured
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


def test_without_the_service_a_move_leaves_the_reminder_it_makes_due_to_the_service(
    database, monkeypatch, smtp, capsys
):
    monkeypatch.delenv("SAGSGANG_ORCHESTRATION", raising=False)  # auto, and no service runs
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-01")
    launch()  # Direktionen on Tuesday 9 March, its deadline Thursday 4 March
    code = main(["mødeplan", "flyt", "direktion", "09-03-2027", "10-03-2027", "--kommune", "slagelse"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (
        out.splitlines()[-1]
        == "Tjenesten kører ikke: de næste påmindelser sendes først, når `sagsgang tjeneste` kører."
    )
    now = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with configured.session_scope() as session:
        assert session.exec(select(Case.wake_at)).one() == now  # the new deadline's reminder is due: wake now
        assert session.exec(select(OutboxMessage)).all() == []  # and nothing was built or sent here
    assert smtp.messages == []

    InlineOrchestrator(configured.settings()).wake_up(now + dt.timedelta(minutes=5))  # the service's wake-up
    assert smtp.subjects() == ["Påmindelse: sagsfrist 5. marts 2027 – «Erhvervsstrategi 2027» til Direktionen"]
