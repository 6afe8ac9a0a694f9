"""`sagsgang sag indsend` and `sag beslut` write the case's history as the web does: who (the
machine's user), through the command line, what happened — in the same transaction as the fact."""

from __future__ import annotations

import getpass

import sqlalchemy as sa

from sagsgang.cli.main import main
from tests import configured
from tests.lifecycle_world import J


def history() -> list[tuple]:
    with configured.engine().connect() as connection:
        return connection.execute(sa.text("SELECT changed_by, source, field, new FROM case_changes ORDER BY id")).all()


def test_material_and_a_decision_from_the_command_line_are_in_the_history(launched, monkeypatch, capsys):
    assert main(["sag", "indsend", J, "--organ", "direktion"]) == 0, capsys.readouterr().err
    assert history() == [(getpass.getuser(), "cli", "Materiale modtaget", "Direktionen, mødet tirsdag 9. marts 2027")]
    monkeypatch.setenv("SAGSGANG_TODAY", "2027-03-10")
    code = main(["sag", "beslut", J, "direktion", "godkendt", "--tekst", "Godkendt."])
    assert code == 0, capsys.readouterr().err
    assert history()[-1] == (
        getpass.getuser(),
        "cli",
        "Beslutning",
        "godkendt i Direktionen tirsdag 9. marts 2027. Godkendt.",
    )


def test_a_refused_command_writes_no_history(launched, capsys):
    assert main(["sag", "beslut", J, "direktion", "godkendt"]) == 2
    assert "mødedagen" in capsys.readouterr().err
    assert history() == []
