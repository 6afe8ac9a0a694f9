"""Issue 12, items 1 and 3 for profile files: every mistake a careless or hostile user makes in a
profile is refused with a Danish message naming the file, the key (dotted path) and the fix.

The rules are each tried once with the mistake the issue found; then hypothesis mutates a valid
profile (wrong types, unknown keys, numbers and dates out of range, garbage bytes) and every
outcome must be a loaded profile or a Danish SagsgangError naming the file, never another
exception and never pydantic's or tomllib's English.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from calendars.profile_reader import load_profile
from calendars.profiles import ProfileError
from sagsgang.errors import SagsgangError
from sagsgang.inputs import read_profile
from tests.mutations import assert_danish, garbage, mutations

SLAGELSE = Path(__file__).parents[2] / "calendars" / "profiles" / "slagelse.toml"

# A small profile that uses every table and most keys, so mutations reach them all.
VALID = """
name = "Prøvekommune"
gap_working_days = 1

[calendar]
weekdays = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"]
closed_optional = ["Juleaftensdag"]
closed_day_after = ["Kristi himmelfartsdag"]
closes_early = { "Grundlovsdag" = "12:00" }
closed_fixed = { "12-27" = "Lukket mellem jul og nytår" }
closed_dates = { "2026-05-15" = "Lukket" }

[[calendar.recesses]]
name = "Vinterferie"
weeks = [7]

[[calendar.recesses]]
name = "Sommerferie"
from = "07-01"
to = "07-31"

[bodies.direktion]
name = "Direktionen"
kind = "administrativ"
cadence = "hver tirsdag kl. 09:00"
deadline = { working_days_before = 3, time = "12:00" }
place = "Rådhuset"
duration_minutes = 120
adopted_until = "2027-12-31"
cancelled = ["2026-03-31"]

[bodies.udvalg]
name = "Udvalget"
kind = "politisk"
cadence = "1. onsdag i måneden kl. 15:00"
deadline = { days_before = 7 }
months = [3, 9]
on_day_off = "næste arbejdsdag"
moved = { "2026-09-02" = "2026-09-03 15:00" }

[bodies.raad]
name = "Rådet"
kind = "politisk"
cadence = "sidste mandag i måneden kl. 18:00"
deadline = { working_days_before = 4 }
agenda = { working_days_before = 4, count_saturday = false }
finance_committee = true
meetings = ["2026-01-26", "2026-02-23 18:00"]

[routes.politisk]
name = "Politisk sag"
stages = ["direktion", ["udvalg"], "raad"]
economic_impact = false

[reminders]
working_days_before = [5, 1]
time = "08:00"
escalate = true
digest = true
"""


def refused(tmp_path: Path, text: str | bytes, name: str = "profil.toml") -> ProfileError:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message and "Sådan retter du det:" in message
    return info.value


def test_the_small_profile_of_this_module_is_valid(tmp_path):
    path = tmp_path / "gyldig.toml"
    path.write_text(VALID, encoding="utf-8")
    profile = load_profile(path)
    assert profile.bodies["udvalg"].months == (3, 9)
    assert profile.bodies["udvalg"].deadline.days_before == 7


def test_a_misspelt_key_is_refused_with_the_nearest_known_key(tmp_path):
    # The issue: a misspelt `meetings` silently dropped the adopted meeting plan.
    error = refused(tmp_path, SLAGELSE.read_text(encoding="utf-8").replace("meetings = [", "meetigs = ["))
    assert error.key == "bodies.byraadet.meetigs"
    assert "ukendt nøgle 'meetigs' — mente du 'meetings'?" in str(error)


def test_an_unknown_key_far_from_any_known_one_lists_the_known_keys(tmp_path):
    error = refused(tmp_path, VALID.replace("[reminders]\n", "[reminders]\nsms = true\n"))
    assert error.key == "reminders.sms"
    assert "ukendt nøgle 'sms'" in str(error) and "working_days_before" in str(error)


def test_an_unknown_top_level_table_is_refused(tmp_path):
    error = refused(tmp_path, VALID + '\n[kalender]\nweekdays = ["mandag"]\n')
    assert error.key == "kalender" and "mente du 'calendar'?" in str(error)


def test_a_text_where_true_or_false_belongs_is_refused(tmp_path):
    error = refused(tmp_path, VALID.replace("escalate = true", 'escalate = "ja"'))
    assert error.key == "reminders.escalate"
    assert "'ja'" in str(error) and "true eller false" in str(error)


def test_a_number_in_quotes_is_refused(tmp_path):
    error = refused(tmp_path, VALID.replace("duration_minutes = 120", 'duration_minutes = "120"'))
    assert error.key == "bodies.direktion.duration_minutes" and "helt tal" in str(error)


def test_days_before_and_working_days_before_together_are_refused(tmp_path):
    error = refused(tmp_path, VALID.replace("{ days_before = 7 }", "{ days_before = 7, working_days_before = 3 }"))
    assert error.key == "bodies.udvalg.deadline"
    assert "både days_before og working_days_before" in str(error) and "behold én af dem" in str(error)


def test_a_negative_meeting_length_is_refused_with_the_range(tmp_path):
    error = refused(tmp_path, VALID.replace("duration_minutes = 120", "duration_minutes = -30"))
    assert error.key == "bodies.direktion.duration_minutes"
    assert "-30" in str(error) and "1–1440" in str(error)


def test_an_empty_list_of_months_is_refused(tmp_path):
    error = refused(tmp_path, VALID.replace("months = [3, 9]", "months = []"))
    assert error.key == "bodies.udvalg.months" and "listen er tom" in str(error)


@pytest.mark.parametrize("year", ["1800", "9999", "1989", "2101"])
def test_a_meeting_outside_the_calendar_years_is_refused_naming_them(tmp_path, year):
    error = refused(tmp_path, VALID.replace('"2026-01-26"', f'"{year}-01-26"'))
    assert error.key == "bodies.raad.meetings[0]"
    assert f"{year}-01-26" in str(error) and "1990–2100" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('adopted_until = "2027-12-31"', "adopted_until = 2227-12-31", "bodies.direktion.adopted_until"),
        ('cancelled = ["2026-03-31"]', 'cancelled = ["31-03-1890"]', "bodies.direktion.cancelled[0]"),
        ('"2026-05-15" = "Lukket"', '"2126-05-15" = "Lukket"', "calendar.closed_dates.2126-05-15"),
        ('"2026-09-03 15:00"', '"3026-09-03 15:00"', "bodies.udvalg.moved.2026-09-02"),
        ("hver tirsdag kl. 09:00", "hver 2. tirsdag kl. 09:00 fra 1800-01-07", "bodies.direktion.cadence"),
    ],
)
def test_every_kind_of_date_in_a_profile_is_held_to_the_calendar_years(tmp_path, old, new, key):
    error = refused(tmp_path, VALID.replace(old, new))
    assert error.key == key and "1990–2100" in str(error)


def test_a_closing_day_that_does_not_exist_is_refused(tmp_path):
    error = refused(tmp_path, VALID.replace('"12-27" = ', '"02-31" = '))
    assert error.key == "calendar.closed_fixed.02-31" and "'02-31' er ikke en dag i året" in str(error)


def test_invalid_utf8_is_refused_with_its_line(tmp_path):
    data = VALID.encode("utf-8").replace(b"Direktionen", b"Direktion\xff\xfe")
    error = refused(tmp_path, data)
    line = VALID[: VALID.index("Direktionen")].count("\n") + 1
    assert "ikke UTF-8" in str(error) and f"linje {line}" in str(error) and "gem filen som UTF-8" in str(error)


@pytest.mark.parametrize(
    "cadence",
    [
        "hver 99999999999999999999. tirsdag kl. 09:00 fra 2026-01-06",
        "hver 9999. tirsdag kl. 09:00 fra 2026-01-06",
        "mandag 9999 uger før raad kl. 15:00",
        "mandag " + "9" * 5000 + " uger før raad kl. 15:00",
    ],
)
def test_a_huge_cadence_number_is_refused(tmp_path, cadence):
    error = refused(tmp_path, VALID.replace("hver tirsdag kl. 09:00", cadence))
    assert error.key == "bodies.direktion.cadence"


def test_a_huge_number_is_refused_with_the_range(tmp_path):
    error = refused(tmp_path, VALID.replace("gap_working_days = 1", "gap_working_days = 99999999999999999999"))
    assert error.key == "gap_working_days" and "0–60" in str(error)


def test_deeply_nested_arrays_are_refused(tmp_path):
    error = refused(tmp_path, VALID + "\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "indlejret" in str(error)


def test_a_stage_nested_one_level_too_deep_names_the_stage(tmp_path):
    error = refused(tmp_path, VALID.replace('["udvalg"]', '[["udvalg"]]'))
    assert error.key == "routes.politisk.stages[1][0]" and "er ikke en tekst" in str(error)


def test_a_missing_key_says_what_to_write(tmp_path):
    error = refused(tmp_path, VALID.replace('kind = "politisk"\ncadence = "1.', 'cadence = "1.'))
    assert error.key == "bodies.udvalg.kind" and "nøglen mangler" in str(error) and '"politisk"' in str(error)


def test_a_body_kind_that_does_not_exist_lists_the_kinds_in_danish(tmp_path):
    error = refused(tmp_path, VALID.replace('kind = "administrativ"', 'kind = "admin"'))
    assert error.key == "bodies.direktion.kind"
    assert "'administrativ', 'politisk' eller 'ad hoc'" in str(error)


def test_a_toml_syntax_error_is_worded_in_danish_with_line_and_column(tmp_path):
    error = refused(tmp_path, VALID.replace('name = "Prøvekommune"', 'name = "Prøvekommune'))
    assert "ikke gyldig TOML" in str(error) and "linje 2, kolonne" in str(error)
    assert "Illegal" not in str(error) and "line" not in str(error)


def test_an_oversized_profile_file_is_refused(tmp_path):
    error = refused(tmp_path, VALID + "# " + "x" * 1_100_000 + "\n")
    assert "større end" in str(error)


# --- mutations ------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations(tomllib.loads(VALID)) | garbage(VALID.encode("utf-8")))
def test_a_mutated_profile_loads_or_gets_a_danish_error_naming_the_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "muteret.toml"
        path.write_bytes(data)
        try:
            read_profile(str(path))
        except SagsgangError as error:
            assert_danish(str(error), path)
