"""MunicipalCalendar: holidays, closing days, working-day arithmetic, recesses, range.

Expected values come from computations written here (the anonymous Gregorian computus, a
day-by-day stepping counter, the ISO week rule) or from a real calendar, never from the
library's own output.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.workdays import (
    WEEKDAYS_ONLY,
    WITH_SATURDAY,
    CalendarRangeError,
    ClosingDays,
    MunicipalCalendar,
    Recess,
)

DAY = dt.timedelta(days=1)
YEARS = range(1990, 2101)

# --- independent reference: Danish statutory holidays ----------------------------------------


def easter(year: int) -> dt.date:
    """Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Helligdage in Denmark: the movable feasts around Easter plus 1/1, 25/12 and 26/12."""
    e = easter(year)
    days = {
        dt.date(year, 1, 1): "Nytårsdag",
        e - 3 * DAY: "Skærtorsdag",
        e - 2 * DAY: "Langfredag",
        e: "Påskedag",
        e + DAY: "2. påskedag",
        e + 39 * DAY: "Kristi himmelfartsdag",
        e + 49 * DAY: "Pinsedag",
        e + 50 * DAY: "2. pinsedag",
        dt.date(year, 12, 25): "Juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    if year <= 2023:  # Store bededag abolished from 2024 (lov nr. 214 af 06/03/2023)
        days[e + 26 * DAY] = "Store bededag"
    return days


# The one-off closing day used below: a Friday in 2031 that is no holiday.
ONE_OFF = dt.date(2031, 3, 14)

KL_CLOSING = ClosingDays(
    fixed={(12, 24): "Juleaftensdag", (12, 31): "Nytårsaften"},
    optional=("Grundlovsdag",),
    day_after=("Kristi himmelfartsdag",),
    dates={ONE_OFF: "Rådhuset lukket (flytning)"},
)


def closing_days(year: int) -> set[dt.date]:
    """The days KL_CLOSING closes, computed here."""
    days = {dt.date(year, 12, 24), dt.date(year, 12, 31), dt.date(year, 6, 5), easter(year) + 40 * DAY}
    if ONE_OFF.year == year:
        days.add(ONE_OFF)
    return days


def days_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += DAY


# Built once: construction covers 1990–2100.
PLAIN = MunicipalCalendar()
KL = MunicipalCalendar(KL_CLOSING)
SATURDAY = MunicipalCalendar(weekmask=WITH_SATURDAY)

# Days off for the naive reference, all years.
HOLIDAYS = {day for year in YEARS for day in statutory_holidays(year)}
KL_DAYS_OFF = HOLIDAYS | {day for year in YEARS for day in closing_days(year)}


def reference_working(day: dt.date, days_off: set[dt.date], mask: str = WEEKDAYS_ONLY) -> bool:
    return mask[day.weekday()] == "1" and day not in days_off


# --- sanity of the reference itself (against a real calendar) --------------------------------


def test_reference_computus_matches_known_easter_dates():
    # Easter Sundays from the printed church calendar.
    known = {
        1990: (4, 15),
        2000: (4, 23),
        2008: (3, 23),
        2011: (4, 24),
        2019: (4, 21),
        2024: (3, 31),
        2025: (4, 20),
        2026: (4, 5),
        2038: (4, 25),
        2100: (3, 28),
    }
    for year, (month, day) in known.items():
        assert easter(year) == dt.date(year, month, day)


# --- holidays and closing days, every year 1990–2100 -----------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_statutory_holidays_are_exactly_the_days_off(year):
    holidays = statutory_holidays(year)
    for day in days_of(year):
        expected = day.weekday() < 5 and day not in holidays
        assert PLAIN.is_working_day(day) is expected, (day, holidays.get(day))
    for day in holidays:
        entry = PLAIN.day_off(day)
        assert entry is not None and entry.kind == "helligdag", day


@pytest.mark.parametrize("year", YEARS)
def test_closing_days_are_days_off_on_top_of_holidays(year):
    days_off = set(statutory_holidays(year)) | closing_days(year)
    for day in days_of(year):
        assert KL.is_working_day(day) is (day.weekday() < 5 and day not in days_off), day


def test_store_bededag_is_a_holiday_up_to_2023_and_a_working_day_from_2024():
    for year in YEARS:
        bededag = easter(year) + 26 * DAY
        assert bededag.weekday() == 4  # always a Friday
        assert PLAIN.is_working_day(bededag) is (year >= 2024), year
    # Real calendar: Store bededag 2023 was Friday 5 May; 26 April 2024 was an ordinary Friday.
    assert not PLAIN.is_working_day(dt.date(2023, 5, 5))
    assert PLAIN.day_off(dt.date(2023, 5, 5)).name == "Store bededag"
    assert PLAIN.is_working_day(dt.date(2024, 4, 26))
    assert PLAIN.day_off(dt.date(2024, 4, 26)) is None


def test_holiday_names_are_danish():
    # Ascension 2025 was Thursday 29 May (Easter 20 April + 39 days).
    assert PLAIN.day_off(dt.date(2025, 5, 29)).name == "Kristi himmelfartsdag"
    assert PLAIN.day_off(dt.date(2025, 4, 18)).name == "Langfredag"
    assert PLAIN.day_off(dt.date(2025, 12, 25)).name == "Juledag"


def test_closing_days_are_named_as_closing_days():
    # 24 December 2025 is a Wednesday; the day after Ascension 2025 is Friday 30 May.
    assert KL.day_off(dt.date(2025, 12, 24)).kind == "lukkedag"
    after = KL.day_off(dt.date(2025, 5, 30))
    assert after.kind == "lukkedag" and "himmelfart" in after.name.lower()
    assert KL.day_off(ONE_OFF).name == "Rådhuset lukket (flytning)"
    # Grundlovsdag is off only where the profile says so.
    assert not KL.is_working_day(dt.date(2025, 6, 5))
    assert PLAIN.is_working_day(dt.date(2025, 6, 5))
    # 5 June 2028 is both Grundlovsdag and 2. pinsedag (Easter 16 April + 50): a holiday first.
    assert KL.day_off(dt.date(2028, 6, 5)).kind == "helligdag"


def test_days_off_between_lists_the_christmas_week_without_weekends():
    # Christmas 2025: Wed 24, Thu 25, Fri 26, Wed 31 December, Thu 1 January 2026.
    # Sat 27 / Sun 28 December are plain weekends and are not named.
    days = [entry.day for entry in KL.days_off_between(dt.date(2025, 12, 20), dt.date(2026, 1, 2))]
    assert days == [
        dt.date(2025, 12, 24),
        dt.date(2025, 12, 25),
        dt.date(2025, 12, 26),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
    ]


# --- working-day arithmetic against naive stepping -------------------------------------------


def naive_add(day: dt.date, n: int, days_off: set[dt.date], mask: str = WEEKDAYS_ONLY) -> dt.date:
    """Step one calendar day at a time, counting working days."""
    if n == 0:
        while not reference_working(day, days_off, mask):
            day += DAY
        return day
    step = DAY if n > 0 else -DAY
    count = 0
    while count < abs(n):
        day += step
        if reference_working(day, days_off, mask):
            count += 1
    return day


def naive_between(start: dt.date, end: dt.date, days_off: set[dt.date], mask: str = WEEKDAYS_ONLY) -> int:
    """Working days in [start, end), negative if end < start."""
    if end < start:
        return -naive_between(end, start, days_off, mask)
    count, day = 0, start
    while day < end:
        count += reference_working(day, days_off, mask)
        day += DAY
    return count


dates = st.dates(min_value=dt.date(1991, 1, 1), max_value=dt.date(2099, 12, 31))
# Dates that are weekends or holidays, to exercise the "D is not a working day" cases.
holiday_dates = st.sampled_from(sorted(d for d in KL_DAYS_OFF if 1991 <= d.year <= 2099))
weekend_dates = dates.map(lambda d: d + (5 - d.weekday()) % 7 * DAY)  # the next Saturday
any_dates = st.one_of(dates, holiday_dates, weekend_dates)
steps = st.integers(min_value=-60, max_value=60)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(day=any_dates, n=steps)
def test_add_working_days_matches_stepping(day, n):
    assert PLAIN.add_working_days(day, n) == naive_add(day, n, HOLIDAYS)
    assert KL.add_working_days(day, n) == naive_add(day, n, KL_DAYS_OFF)


@FAST
@given(day=any_dates, n=steps)
def test_add_working_days_with_saturday_matches_stepping(day, n):
    assert SATURDAY.add_working_days(day, n) == naive_add(day, n, HOLIDAYS, WITH_SATURDAY)


@FAST
@given(a=any_dates, b=any_dates)
def test_working_days_between_matches_counting(a, b):
    if abs((b - a).days) > 400:
        b = a + dt.timedelta(days=(b - a).days % 400)
    assert PLAIN.working_days_between(a, b) == naive_between(a, b, HOLIDAYS)
    assert KL.working_days_between(a, b) == naive_between(a, b, KL_DAYS_OFF)


def test_zero_steps_keeps_a_working_day_and_rolls_a_day_off_forward():
    assert PLAIN.add_working_days(dt.date(2025, 4, 16), 0) == dt.date(2025, 4, 16)
    # Sat 19 April 2025 → Sun 20 (Easter) → Mon 21 (2. påskedag) → Tue 22.
    assert PLAIN.add_working_days(dt.date(2025, 4, 19), 0) == dt.date(2025, 4, 22)
    assert PLAIN.working_days_between(dt.date(2025, 4, 19), dt.date(2025, 4, 19)) == 0


@pytest.mark.parametrize(
    ("meeting", "n", "deadline"),
    [
        # Easter 2025: Thu 17 and Fri 18 April off, Mon 21 April off → Wednesday 16 April.
        (dt.date(2025, 4, 21), 1, dt.date(2025, 4, 16)),
        (dt.date(2025, 4, 22), 1, dt.date(2025, 4, 16)),
        (dt.date(2025, 4, 22), 2, dt.date(2025, 4, 15)),
        # Saturday 7 June 2025: one working day before is Friday 6 June.
        (dt.date(2025, 6, 7), 1, dt.date(2025, 6, 6)),
        # Sunday 8 June 2025 (Pinsedag), 3 before: Fri 6, Thu 5, Wed 4 June.
        (dt.date(2025, 6, 8), 3, dt.date(2025, 6, 4)),
        # Byråd Monday 30 March 2026, 4 working days before: Tue 24 (Wed 25, Thu 26, Fri 27 …).
        (dt.date(2026, 3, 30), 4, dt.date(2026, 3, 24)),
        # 4 working days before Tuesday 30 March 2027 (Mon 29 is 2. påskedag, Thu 25/Fri 26
        # are Skærtorsdag/Langfredag): Wed 24, Tue 23, Mon 22, Fri 19 March.
        (dt.date(2027, 3, 30), 4, dt.date(2027, 3, 19)),
    ],
)
def test_n_working_days_before(meeting, n, deadline):
    assert PLAIN.add_working_days(meeting, -n) == deadline


def test_forward_from_a_day_off_counts_from_the_next_working_day():
    # 1 working day after Langfredag 18 April 2025 is Tuesday 22 April.
    assert PLAIN.add_working_days(dt.date(2025, 4, 18), 1) == dt.date(2025, 4, 22)
    # 1 working day after Saturday 19 April 2025 is also Tuesday 22 April.
    assert PLAIN.add_working_days(dt.date(2025, 4, 19), 1) == dt.date(2025, 4, 22)


# --- properties -------------------------------------------------------------------------------

working_days = any_dates.map(lambda d: naive_add(d, 0, HOLIDAYS))
positive = st.integers(min_value=1, max_value=80)


@FAST
@given(day=any_dates, n=positive)
def test_a_deadline_is_always_a_working_day(day, n):
    deadline = KL.add_working_days(day, -n)
    assert deadline < day
    assert reference_working(deadline, KL_DAYS_OFF)


@FAST
@given(day=working_days, n=st.integers(min_value=0, max_value=80))
def test_back_and_forth_returns_to_the_same_working_day(day, n):
    assert PLAIN.add_working_days(PLAIN.add_working_days(day, -n), n) == day
    assert PLAIN.add_working_days(PLAIN.add_working_days(day, n), -n) == day


@FAST
@given(day=working_days, n=st.integers(min_value=-80, max_value=80))
def test_between_undoes_add(day, n):
    assert PLAIN.working_days_between(day, PLAIN.add_working_days(day, n)) == n


# --- week mask with Saturday -----------------------------------------------------------------


def test_saturday_mask_counts_saturdays_but_not_sundays():
    for year in (2025, 2026, 2027):
        holidays = statutory_holidays(year)
        for day in days_of(year):
            expected = day.weekday() != 6 and day not in holidays
            assert SATURDAY.is_working_day(day) is expected, day
    # Saturday 26 December 2026 is 2. juledag: still no working day.
    assert not SATURDAY.is_working_day(dt.date(2026, 12, 26))


def test_four_hverdage_including_saturday():
    # Before Thursday 12 June 2025: Wed 11, Tue 10, (Mon 9 = 2. pinsedag), then Sat 7 and
    # Fri 6 with Saturdays; without them Fri 6 and Thu 5 (Grundlovsdag is no statutory holiday).
    assert SATURDAY.add_working_days(dt.date(2025, 6, 12), -4) == dt.date(2025, 6, 6)
    assert PLAIN.add_working_days(dt.date(2025, 6, 12), -4) == dt.date(2025, 6, 5)


def test_with_weekmask_keeps_closing_days():
    saturday_kl = KL.with_weekmask(WITH_SATURDAY)
    assert saturday_kl.is_working_day(dt.date(2025, 12, 20))  # a Saturday
    assert not saturday_kl.is_working_day(dt.date(2025, 12, 24))  # Juleaftensdag, closed
    assert not saturday_kl.is_working_day(dt.date(2025, 12, 21))  # a Sunday


# --- recesses ---------------------------------------------------------------------------------


def iso_week_monday(year: int, week: int) -> dt.date:
    """ISO 8601: week 1 is the week containing 4 January; weeks start on Monday."""
    jan4 = dt.date(year, 1, 4)
    return jan4 - jan4.weekday() * DAY + (week - 1) * 7 * DAY


def has_week_53(year: int) -> bool:
    """A year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on Wednesday."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    first = dt.date(year, 1, 1).weekday()
    return first == 3 or (leap and first == 2)


VINTER = Recess("Vinterferie", weeks=(7,))
EFTERAAR = Recess("Efterårsferie", weeks=(42,))
UGE53 = Recess("Uge 53", weeks=(53,))
JUL = Recess("Juleferie", start=(12, 22), end=(1, 2))
SOMMER = Recess("Sommerferie", start=(7, 1), end=(7, 31))
RECESSES = MunicipalCalendar(recesses=(VINTER, SOMMER, EFTERAAR, JUL))
WEEK53 = MunicipalCalendar(recesses=(UGE53,))


def test_week_7_recess_is_monday_to_sunday():
    # Vinterferie 2026 was Monday 9 to Sunday 15 February (week 7).
    assert RECESSES.recess_at(dt.date(2026, 2, 8)) is None
    assert RECESSES.recess_at(dt.date(2026, 2, 9)) == VINTER
    assert RECESSES.recess_at(dt.date(2026, 2, 15)) == VINTER
    assert RECESSES.recess_at(dt.date(2026, 2, 16)) is None


def test_week_42_recess():
    # Efterårsferie 2025: Monday 13 to Sunday 19 October.
    assert RECESSES.recess_at(dt.date(2025, 10, 12)) is None
    assert RECESSES.recess_at(dt.date(2025, 10, 13)) == EFTERAAR
    assert RECESSES.recess_at(dt.date(2025, 10, 19)) == EFTERAAR
    assert RECESSES.recess_at(dt.date(2025, 10, 20)) is None


@pytest.mark.parametrize("year", range(1991, 2100))
def test_week_recesses_follow_iso_weeks_every_year(year):
    for recess, week in ((VINTER, 7), (EFTERAAR, 42)):
        monday = iso_week_monday(year, week)
        assert RECESSES.recess_at(monday - DAY) != recess
        for offset in range(7):
            assert RECESSES.recess_at(monday + offset * DAY) == recess
        assert RECESSES.recess_at(monday + 7 * DAY) != recess
    # Week 53 exists only in some years; where it does not, nothing is marked as "Uge 53".
    week53 = [day for day in days_of(year) if WEEK53.recess_at(day) == UGE53]
    if has_week_53(year):
        monday = iso_week_monday(year, 53)
        assert week53 == [monday + offset * DAY for offset in range(7) if (monday + offset * DAY).year == year]
    else:
        # Only the tail of the previous year's week 53 can reach into January.
        assert all(day.month == 1 and day.day <= 3 for day in week53)
        assert bool(week53) is has_week_53(year - 1)


def test_week_53_crosses_into_the_next_year():
    # 2026 starts on a Thursday: week 53 runs Monday 28 December 2026 to Sunday 3 January 2027.
    assert WEEK53.recess_at(dt.date(2026, 12, 27)) is None
    assert WEEK53.recess_at(dt.date(2026, 12, 28)) == UGE53
    assert WEEK53.recess_at(dt.date(2027, 1, 3)) == UGE53
    assert WEEK53.recess_at(dt.date(2027, 1, 4)) is None
    assert WEEK53.recesses_between(dt.date(2026, 12, 1), dt.date(2027, 1, 31)) == [
        (UGE53, dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    ]
    # 2027 has 52 weeks: no week 53 at its end.
    assert WEEK53.recesses_between(dt.date(2027, 12, 1), dt.date(2028, 1, 31)) == []


def test_christmas_recess_wraps_the_new_year():
    assert RECESSES.recess_at(dt.date(2025, 12, 21)) is None
    assert RECESSES.recess_at(dt.date(2025, 12, 22)) == JUL
    assert RECESSES.recess_at(dt.date(2025, 12, 31)) == JUL
    assert RECESSES.recess_at(dt.date(2026, 1, 1)) == JUL
    assert RECESSES.recess_at(dt.date(2026, 1, 2)) == JUL
    assert RECESSES.recess_at(dt.date(2026, 1, 3)) is None
    # The first days of the first year come from the span that started in the year before.
    assert RECESSES.recess_at(dt.date(1990, 1, 1)) == JUL
    assert RECESSES.recess_at(dt.date(2100, 12, 31)) == JUL


def test_july_recess():
    assert RECESSES.recess_at(dt.date(2026, 6, 30)) is None
    assert RECESSES.recess_at(dt.date(2026, 7, 1)) == SOMMER
    assert RECESSES.recess_at(dt.date(2026, 7, 31)) == SOMMER
    assert RECESSES.recess_at(dt.date(2026, 8, 1)) is None


def test_recesses_between_clips_spans_to_the_period():
    assert RECESSES.recesses_between(dt.date(2025, 12, 30), dt.date(2026, 3, 1)) == [
        (JUL, dt.date(2025, 12, 30), dt.date(2026, 1, 2)),
        (VINTER, dt.date(2026, 2, 9), dt.date(2026, 2, 15)),
    ]
    # Calendar year 2026 touches two Christmas recesses: the tail of 2025's and the head of 2026's.
    in_2026 = [(a, b) for r, a, b in RECESSES.recesses_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) if r == JUL]
    assert in_2026 == [(dt.date(2026, 1, 1), dt.date(2026, 1, 2)), (dt.date(2026, 12, 22), dt.date(2026, 12, 31))]
    assert RECESSES.recesses_between(dt.date(2026, 3, 1), dt.date(2026, 6, 30)) == []


def test_recess_does_not_change_working_days():
    # A recess only stops ordinary meetings; the town hall works.
    assert RECESSES.is_working_day(dt.date(2026, 7, 15))
    assert RECESSES.add_working_days(dt.date(2026, 7, 15), -1) == dt.date(2026, 7, 14)


# --- range ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: PLAIN.is_working_day(dt.date(1989, 12, 31)),
        lambda: PLAIN.is_working_day(dt.date(2101, 1, 1)),
        lambda: PLAIN.add_working_days(dt.date(2100, 12, 28), 5),
        lambda: PLAIN.add_working_days(dt.date(1990, 1, 3), -5),
        lambda: PLAIN.working_days_between(dt.date(2000, 1, 1), dt.date(2101, 1, 1)),
    ],
    ids=["before", "after", "forward-out", "back-out", "between-out"],
)
def test_out_of_range_raises_a_danish_error(call):
    with pytest.raises(CalendarRangeError) as info:
        call()
    message = str(info.value)
    assert "1990" in message and "2100" in message
    assert "uden for" in message  # Danish: "outside"


def test_out_of_range_message_names_the_date():
    with pytest.raises(CalendarRangeError, match="2101-01-01"):
        PLAIN.is_working_day(dt.date(2101, 1, 1))


def test_calendar_range_error_is_a_value_error():
    with pytest.raises(ValueError):
        PLAIN.is_working_day(dt.date(1900, 1, 1))


def test_edges_of_the_range_work():
    # 1 January 1990 (Monday, Nytårsdag) → first working day is Tuesday 2 January 1990.
    assert PLAIN.add_working_days(dt.date(1990, 1, 1), 0) == dt.date(1990, 1, 2)
    assert PLAIN.add_working_days(dt.date(1990, 1, 1), 1) == dt.date(1990, 1, 2)
    # 31 December 2100 is a Friday; 1 working day before is Thursday 30 December.
    assert PLAIN.add_working_days(dt.date(2100, 12, 31), -1) == dt.date(2100, 12, 30)
