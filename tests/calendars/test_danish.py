"""Danish dates for people: long/short dates and typed dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.danish import DateFormatError, long_date, parse_date, short_date

# Danish weekday and month names, written out here (Monday first).
UGEDAGE = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MAANEDER = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


def test_long_date_as_in_the_kommissorium():
    # The seed kommissorium's timetable writes "torsdag 12. februar 2015" (12/2/2015 was a Thursday).
    assert long_date(dt.date(2015, 2, 12)) == "torsdag 12. februar 2015"


def test_long_date_single_digit_day_has_no_leading_zero():
    # 1 May 2025 was a Thursday.
    assert long_date(dt.date(2025, 5, 1)) == "torsdag 1. maj 2025"
    assert short_date(dt.date(2025, 5, 1)) == "1. maj 2025"


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_long_date_uses_danish_names(day):
    expected = f"{UGEDAGE[day.weekday()]} {day.day}. {MAANEDER[day.month - 1]} {day.year}"
    assert long_date(day) == expected
    assert short_date(day) == f"{day.day}. {MAANEDER[day.month - 1]} {day.year}"


@pytest.mark.parametrize("text", ["24-06-2025", "24.06.2025", "2025-06-24", "24/6/2025", " 24-06-2025 "])
def test_parse_date_accepts_danish_and_iso_forms(text):
    assert parse_date(text) == dt.date(2025, 6, 24)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_parse_date_round_trips(day):
    assert parse_date(f"{day.day:02d}-{day.month:02d}-{day.year:04d}") == day
    assert parse_date(f"{day.day}.{day.month}.{day.year:04d}") == day
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize("text", ["2025-13-01", "31-02-2025", "i morgen", "29-02-2025", "", "24-06-25"])
def test_parse_date_rejects_with_a_danish_message(text):
    with pytest.raises(DateFormatError) as info:
        parse_date(text)
    message = str(info.value)
    assert "dd-mm-åååå" in message
    assert f"'{text}'" in message  # quotes what the user typed


def test_date_format_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("i morgen")


def test_day_first_not_month_first():
    # 03-04-2025 is 3 April in Denmark, not 4 March.
    assert parse_date("03-04-2025") == dt.date(2025, 4, 3)
