"""Issue 12, items 1 and 4 for case-text files (`sagsgang sagstekst`): the same strictness as a
profile, and an attachment's `fil` must be a file inside the case text's own folder, of bounded size.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sagsgang.publishing import case_texts
from sagsgang.publishing.case_texts import CaseTextError, read_case_text
from tests.mutations import assert_danish, garbage, mutations

EXAMPLES = Path(case_texts.__file__).parents[1] / "demo" / "examples" / "albertslund-chefforum-2024-04-10"


# Every key of a case text, and an attachment in the file's folder.
MUTATED = """
punkttype = "orientering"
tid = 20
lukket = false
anledning = "Anledning"
sagsfremstilling = "Sagsfremstilling"
oekonomi = "Ingen"
lovgrundlag = "Kommunestyrelsesloven"
indstiller = "Kommunaldirektøren"
indstilling = ["at Chefforum tager orienteringen til efterretning."]

[[bilag]]
titel = "Notat"
fil = "notat.pdf"
"""


def written(folder: Path, text: str) -> Path:
    path = folder / "tekst.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(folder: Path, text: str) -> CaseTextError:
    path = written(folder, text)
    with pytest.raises(CaseTextError) as info:
        read_case_text(path)
    assert str(path) in str(info.value) and "Sådan retter du det:" in str(info.value)
    return info.value


def attachment(file: str) -> str:
    return f'anledning = "Tekst"\n[[bilag]]\ntitel = "Notat"\nfil = "{file}"\n'


@pytest.mark.parametrize("name", ["punkt-2", "punkt-3", "punkt-4", "punkt-5", "punkt-6", "punkt-7", "lukket-punkt"])
def test_the_shipped_case_texts_still_read(name):
    assert read_case_text(EXAMPLES / f"{name}.toml").text.occasion


def test_an_attachment_inside_the_folder_or_on_the_web_is_kept_as_written(tmp_path):
    (tmp_path / "bilag").mkdir()
    (tmp_path / "bilag" / "notat.pdf").write_bytes(b"%PDF-1.4\n")
    path = written(
        tmp_path,
        attachment("bilag/notat.pdf") + '[[bilag]]\ntitel = "Kort"\nfil = "https://kommune.dk/kort.pdf"\n',
    )
    files = [a.file for a in read_case_text(path).text.attachments]
    assert files == ["bilag/notat.pdf", "https://kommune.dk/kort.pdf"]


def test_an_attachment_that_climbs_out_of_the_folder_is_refused(tmp_path):
    error = refused(tmp_path, attachment("../../../../etc/shadow"))
    assert error.key == "bilag[0].fil" and "uden for sagstekstens mappe" in str(error)


@pytest.mark.parametrize("file", ["/etc/shadow", "C:\\\\Windows\\\\notat.pdf"])
def test_an_absolute_attachment_path_is_refused(tmp_path, file):
    error = refused(tmp_path, attachment(file))
    assert error.key == "bilag[0].fil" and "absolut sti" in str(error) and 'fil = "bilag/' in str(error)


def test_a_missing_attachment_is_refused(tmp_path):
    error = refused(tmp_path, attachment("bilag/findes-ikke.pdf"))
    assert error.key == "bilag[0].fil" and "'bilag/findes-ikke.pdf' findes ikke" in str(error)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "udenfor.pdf"
    outside.write_bytes(b"hemmeligt")
    folder = tmp_path / "sag"
    folder.mkdir()
    os.symlink(outside, folder / "bilag.pdf")
    error = refused(folder, attachment("bilag.pdf"))
    assert error.key == "bilag[0].fil" and "link, der peger uden for" in str(error)


def test_an_attachment_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(case_texts, "MAX_ATTACHMENT_BYTES", 1024)
    (tmp_path / "stor.pdf").write_bytes(b"x" * 1025)
    error = refused(tmp_path, attachment("stor.pdf"))
    assert error.key == "bilag[0].fil" and "højst" in str(error) and "https://" in str(error)


def test_a_misspelt_key_is_refused_with_the_nearest_known_key(tmp_path):
    error = refused(tmp_path, 'anledning = "Tekst"\nsagsfremstiling = "…"\n')
    assert error.key == "sagsfremstiling" and "mente du 'sagsfremstilling'?" in str(error)


def test_a_misspelt_attachment_key_is_refused(tmp_path):
    error = refused(tmp_path, 'anledning = "Tekst"\n[[bilag]]\ntitel = "Notat"\nfill = "notat.pdf"\n')
    assert error.key == "bilag[0].fill" and "mente du 'fil'?" in str(error)


@pytest.mark.parametrize(
    ("line", "key", "fragment"),
    [
        ('lukket = "ja"', "lukket", "true eller false"),
        ('tid = "20"', "tid", "mellem 1 og 480"),
        ("tid = 100000", "tid", "mellem 1 og 480"),
        ('punkttype = "beslut"', "punkttype", "'beslutning', 'drøftelse' eller 'orientering'"),
        ("anledning = 5", "anledning", "ikke en tekst"),
        ('indstilling = ["  "]', "indstilling[0]", "teksten er tom"),
        ('"økonomi" = "a"\noekonomi = "b"', "", "både oekonomi og økonomi"),
    ],
)
def test_wrong_types_and_values_name_the_key(tmp_path, line, key, fragment):
    error = refused(tmp_path, line + "\n")
    assert error.key == key and fragment in str(error)


def test_invalid_utf8_in_a_case_text_is_refused(tmp_path):
    path = tmp_path / "tekst.toml"
    path.write_bytes(b'anledning = "Bl\xe5b\xe6r"\n')  # Latin-1, as an old editor saves it
    with pytest.raises(CaseTextError) as info:
        read_case_text(path)
    assert "ikke UTF-8" in str(info.value) and "linje 1" in str(info.value)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations(tomllib.loads(MUTATED)) | garbage(MUTATED.encode("utf-8")))
def test_a_mutated_case_text_reads_or_gets_a_danish_error_naming_the_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tekst.toml"
        path.write_bytes(data)
        (Path(folder) / "notat.pdf").write_bytes(b"%PDF-1.4\n")
        try:
            read_case_text(path)
        except CaseTextError as error:
            assert_danish(str(error), path)
