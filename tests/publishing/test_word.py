"""Agendas and minutes as Word documents: `sagsgang dagsorden … -o FIL.docx`, opened again with
python-docx as Word would show them. The meeting is test_agenda's: Albertslund's Chefforum of
10 April 2024 (from the published minutes in /work/shared/seeds/003_*), with a closed item.
"""

from __future__ import annotations

import re
import zipfile

import docx
import pytest

from tests.publishing.test_agenda import (  # noqa: F401  (fixtures: url, seed, decided)
    APPROVAL_DECISION,
    CLOSED,
    CLOSED_DECISION,
    CLOSED_SECRETS,
    OUTLOOK,
    OUTLOOK_DECISION,
    TIME_REGISTRATION,
    decided,
    in_order,
    run,
    seed,
    url,
)

pytestmark = pytest.mark.usefixtures("decided")


def paragraphs(path) -> list[tuple[str, str]]:
    """(style name, text) of every non-empty paragraph in the body."""
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def minutes(capsys, monkeypatch, tmp_path, *options: str):
    out = tmp_path / "referat.docx"
    code, _, err = run(
        capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--referat", *options, "-o", str(out)
    )
    assert code == 0, err
    assert zipfile.is_zipfile(out)  # a real .docx, not HTML under that name
    return out


def test_internal_minutes_in_word_have_the_documents_headings_and_texts(capsys, monkeypatch, tmp_path):
    out = minutes(capsys, monkeypatch, tmp_path)
    found = paragraphs(out)
    lines = [text for _, text in found]
    headings = [(style, text) for style, text in found if style.startswith(("Title", "Heading"))]
    assert headings[0] == ("Title", "Referat – Chefforum")
    in_order(
        lines,
        "Albertslund Kommune",
        "Mødedato: onsdag 10. april 2024 kl. 09:00",
        "Indholdsfortegnelse",
        "1. Godkendelse af dagsorden og referat",
        "Punkt 1: Godkendelse af dagsorden og referat",
        "00.01.00-P35-7-23",
        "Kommunaldirektøren indstiller,",
        "1. at dagsorden til dette møde godkendes",
        "2. at referat fra mødet den 20. marts 2024 godkendes",
        "Beslutning",
        APPROVAL_DECISION,
        f"Punkt 2: {OUTLOOK['title']}",
        "00.01.00-A00-11-24 · Orientering",
        "Anledning (5 min.)",
        "Sagsfremstilling",
        "AK – Alle (ak.alle@albertslund.dk)",
        "Beslutning",
        OUTLOOK_DECISION.split("\n\n")[0],
        "Bilag",
        "1. Datatilsynets skærpede praksis",
        "2. Adgang (bilag/adgang.xlsx)",
        f"Punkt 3: {TIME_REGISTRATION['title']}",
        "Historik",
        "Direktørforum den 19. marts 2024:",
        f"Punkt 5: {CLOSED['title']}",
        CLOSED_DECISION,
        "Punkt 6: Eventuelt",
    )
    assert ("Heading 1", f"Punkt 2: {OUTLOOK['title']}") in headings
    assert ("Heading 2", "Anledning (5 min.)") in headings
    # The bullet list of the Sagsfremstilling stays a list.
    assert ("List Bullet", "AK – Alle (ak.alle@albertslund.dk)") in found
    assert any("må ikke offentliggøres" in line for line in lines)


def test_the_footer_numbers_the_pages_with_word_fields(capsys, monkeypatch, tmp_path):
    out = minutes(capsys, monkeypatch, tmp_path)
    footer = docx.Document(str(out)).sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Side ") and " af " in footer.text
    with zipfile.ZipFile(out) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("word/footer"))
    assert re.findall(r'w:fldSimple w:instr=" (\w+) "', xml) == ["PAGE", "NUMPAGES"]
    assert "«field:" not in xml


def test_public_minutes_in_word_show_the_closed_item_as_lukket_punkt_only(capsys, monkeypatch, tmp_path):
    out = minutes(capsys, monkeypatch, tmp_path, "--offentlig")
    lines = [text for _, text in paragraphs(out)]
    assert "Punkt 5: Lukket punkt" in lines
    assert "Intern udgave" not in " ".join(lines)
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    for secret in (*CLOSED_SECRETS, CLOSED["title"], CLOSED["journal_number"]):
        assert secret not in everything, secret


def test_an_unknown_suffix_is_a_danish_error_and_writes_nothing(capsys, monkeypatch, tmp_path):
    for name in ("referat.odt", "referat"):
        out = tmp_path / name
        code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--referat", "-o", str(out))
        assert code == 2 and "Filendelsen" in err and ".docx" in err
        assert not out.exists()
    code, _, err = run(capsys, monkeypatch, "dagsorden", "chefforum", "10-04-2024", "--format", "docx")
    assert code == 2 and "-o" in err
