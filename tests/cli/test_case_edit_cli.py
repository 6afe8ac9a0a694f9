"""`sagsgang sag ret` and `sagsgang sagstekst` write the case's change history, as the web does:
who (the machine's user, or --af), through the command line, old → new; a new ready date re-plans."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sagsgang.cli.main import main
from tests import configured
from tests.lifecycle_world import J, plan_of


def history() -> list[tuple]:
    with configured.engine().connect() as connection:
        return connection.execute(
            sa.text("SELECT changed_by, source, field, old, new FROM case_changes ORDER BY id")
        ).all()


def test_sag_ret_changes_the_case_writes_the_history_and_re_plans(launched, capsys):
    assert plan_of()[0][2] == dt.date(2027, 3, 9)
    code = main(["sag", "ret", J, "--klar", "15-03-2027", "--afdeling", "Vækst", "--af", "Mette Hansen"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Sagen er klar: 1. marts 2027 → 15. marts 2027" in out and "Afdeling: Erhverv → Vækst" in out
    assert plan_of()[0][2] > dt.date(2027, 3, 9)  # Direktionen's first meeting after the new ready date
    assert history() == [
        ("Mette Hansen", "cli", "Afdeling", "Erhverv", "Vækst"),
        ("Mette Hansen", "cli", "Sagen er klar", "1. marts 2027", "15. marts 2027"),
    ]


def test_sag_ret_refuses_bad_input_in_danish_and_writes_nothing(launched, capsys):
    before = plan_of()
    assert main(["sag", "ret", J]) == 2
    assert "Angiv mindst én rettelse" in capsys.readouterr().err
    assert main(["sag", "ret", J, "--klar", "01-02-2027"]) == 2
    assert "Sagen kan ikke blive klar før i dag" in capsys.readouterr().err
    assert main(["sag", "ret", J, "--leder-email", "labe@"]) == 2
    assert "labe@" in capsys.readouterr().err
    assert history() == [] and plan_of() == before


def test_sagstekst_writes_what_it_changed_to_the_history(launched, capsys, tmp_path):
    texts = tmp_path / "tekst.toml"
    texts.write_text('anledning = "Byrådet bad om en ny strategi."\nindstilling = ["at strategien godkendes"]\n')
    assert main(["sagstekst", J, str(texts)]) == 0, capsys.readouterr().err
    fields = [(source, field, old, new) for _, source, field, old, new in history()]
    assert ("cli", "Anledning", "", "Byrådet bad om en ny strategi.") in fields
    assert ("cli", "Indstilling", "", "at strategien godkendes") in fields
