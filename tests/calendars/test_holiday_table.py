"""The generated holiday table says what the installed python-holidays says, for every year Sagsgang
counts in; and a command no longer imports python-holidays to know Denmark's holidays."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from holidays.countries.denmark import Denmark

from calendars import holiday_table

ROOT = Path(__file__).resolve().parents[2]
YEARS = range(holiday_table.FIRST_YEAR, holiday_table.LAST_YEAR + 1)


@pytest.mark.parametrize("category", holiday_table.CATEGORIES)
def test_the_table_is_what_python_holidays_gives(category: str) -> None:
    expected = dict(Denmark(years=YEARS, language="da", categories=(category,)))
    assert holiday_table.holidays(YEARS, category) == expected, (
        "calendars/denmark_holidays.py differs from the installed python-holidays: run `make helligdage`"
    )


def test_the_committed_file_is_the_generated_one() -> None:
    # Also the header's python-holidays version: the table says which release it came from.
    assert (ROOT / "calendars" / "denmark_holidays.py").read_text(encoding="utf-8") == holiday_table.generated()


def test_known_days_of_2027() -> None:
    # Easter Sunday 2027 is 28 March (the Gregorian computus); Store bededag was abolished from 2024.
    public = holiday_table.holidays([2027])
    assert public[dt.date(2027, 3, 25)] == "Skærtorsdag"
    assert public[dt.date(2027, 5, 17)] == "Anden pinsedag"
    assert "Store bededag" not in public.values()
    assert holiday_table.holidays([2023])[dt.date(2023, 5, 5)] == "Store bededag"
    assert holiday_table.holidays([2027], "optional")[dt.date(2027, 6, 5)] == "Grundlovsdag"


def test_years_outside_the_table_are_refused() -> None:
    with pytest.raises(ValueError, match="1990-2100"):
        holiday_table.holidays(range(2099, 2102))


def test_planning_does_not_import_python_holidays() -> None:
    code = (
        "import sys\n"
        "from sagsgang.inputs import read_profile\n"
        "profile = read_profile('slagelse')\n"
        "assert profile.calendar.is_working_day(__import__('datetime').date(2027, 3, 26)) is False\n"
        "print('holidays' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"
