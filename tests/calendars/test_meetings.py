"""meeting_plan: cadences, holidays, recesses, adopted vs provisional, moves, cancellations, time zone.

Expected dates are worked out from a real calendar in the comments (Easter dates by the
computus, ISO weeks, EU summer time: last Sunday of March to last Sunday of October).
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.meetings import MeetingStatus, meeting_plan
from calendars.profile_reader import load_profile

DAY = dt.timedelta(days=1)


def days(plan, body):
    return [m.day for m in plan if m.body == body]


def by_day(plan, body):
    return {m.day: m for m in plan if m.body == body}


def write_profile(tmp_path, body_extra: str = "", name: str = "test.toml"):
    """A small profile: a political and an administrative body meeting every Wednesday."""
    path = tmp_path / name
    path.write_text(
        textwrap.dedent("""\
        name = "Testkommune"

        [calendar]
        closed_optional = ["Juleaftensdag", "Nytårsaften"]

        [[calendar.recesses]]
        name = "Vinterferie"
        weeks = [7]

        [[calendar.recesses]]
        name = "Sommerferie"
        from = "07-01"
        to = "07-31"

        [[calendar.recesses]]
        name = "Efterårsferie"
        weeks = [42]

        [bodies.administration]
        name = "Administrationen"
        kind = "administrativ"
        cadence = "hver onsdag kl. 09:00"
        deadline = { working_days_before = 3 }

        [bodies.udvalg]
        name = "Udvalget"
        kind = "politisk"
        cadence = "hver onsdag kl. 09:00"
        deadline = { working_days_before = 5 }
        """)
        + textwrap.dedent(body_extra),
        encoding="utf-8",
    )
    return load_profile(path)


# --- cadence, holidays and recesses -----------------------------------------------------------


def test_weekly_tuesday_cadence_skips_closed_days_between_christmas_and_new_year(slagelse):
    # Tuesdays Dec 2027–Jan 2028: 7, 14, 21, 28 Dec, 4, 11 Jan. Slagelse closes 27–30/12, so
    # Tuesday 28 December 2027 has no direktion meeting. Direktionen is administrative and meets
    # in the Christmas recess (22/12–2/1), so only the closing day is skipped.
    plan = meeting_plan(slagelse, dt.date(2027, 12, 1), dt.date(2028, 1, 15))
    assert days(plan, "direktion") == [
        dt.date(2027, 12, 7),
        dt.date(2027, 12, 14),
        dt.date(2027, 12, 21),
        dt.date(2028, 1, 4),
        dt.date(2028, 1, 11),
    ]


def test_weekly_cadence_skips_christmas_and_new_year_holidays(slagelse):
    # 25 December 2029 and 1 January 2030 are Tuesdays (Juledag, Nytårsdag).
    plan = meeting_plan(slagelse, dt.date(2029, 12, 10), dt.date(2030, 1, 10))
    assert days(plan, "direktion") == [dt.date(2029, 12, 11), dt.date(2029, 12, 18), dt.date(2030, 1, 8)]


def test_weekly_cadence_skips_juleaften_and_nytaarsaften_where_closed(albertslund):
    # 24 and 31 December 2024 are Tuesdays; Albertslund closes both.
    plan = meeting_plan(albertslund, dt.date(2024, 12, 10), dt.date(2025, 1, 10))
    assert days(plan, "direktoerforum") == [dt.date(2024, 12, 10), dt.date(2024, 12, 17), dt.date(2025, 1, 7)]


def test_weekly_cadence_skips_easter(slagelse):
    # Easter 2026 is 5 April: Tuesdays 31 March, 7 and 14 April are all working days, but a
    # Thursday body would lose Skærtorsdag 2 April. Direktion (Tuesday) keeps all three.
    plan = meeting_plan(slagelse, dt.date(2026, 3, 30), dt.date(2026, 4, 15))
    assert days(plan, "direktion") == [dt.date(2026, 3, 31), dt.date(2026, 4, 7), dt.date(2026, 4, 14)]


def test_political_body_skips_july_vinterferie_and_efteraarsferie(tmp_path):
    profile = write_profile(tmp_path)
    plan = meeting_plan(profile, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    political = set(days(plan, "udvalg"))
    administrative = set(days(plan, "administration"))
    # Wednesdays of 2026 (none is a holiday in 2026; 24/12 is a Thursday, 31/12 a Thursday).
    wednesdays = {dt.date(2026, 1, 7) + 7 * i * DAY for i in range(52)}
    july = {d for d in wednesdays if d.month == 7}
    week7 = {dt.date(2026, 2, 11)}  # vinterferie 9–15 Feb 2026
    week42 = {dt.date(2026, 10, 14)}  # efterårsferie 12–18 Oct 2026
    assert len(july) == 5
    # Wednesday 31 December 2025 is Nytårsaften, a closing day here: a political body's meeting
    # moves to the next working day in the same week (on_day_off = "næste arbejdsdag"), Friday
    # 2 January 2026. A weekly meeting in a recess is not moved: next week's meeting follows.
    assert political == (wednesdays - july - week7 - week42) | {dt.date(2026, 1, 2)}
    # The administrative body meets in recesses.
    assert administrative == wednesdays


def test_shipped_political_bodies_skip_recesses(skanderborg):
    plan = meeting_plan(skanderborg, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    teknik = days(plan, "teknik_miljoe")  # 2. onsdag i måneden
    # 11 Feb 2026 (week 7), 8 July 2026 (July) and 14 Oct 2026 (week 42) are 2nd Wednesdays in recess.
    assert dt.date(2026, 2, 11) not in teknik
    assert not [d for d in teknik if d.month == 7]
    assert dt.date(2026, 10, 14) not in teknik
    assert dt.date(2026, 3, 11) in teknik and dt.date(2026, 8, 12) in teknik
    # A monthly committee's meeting in vinterferie or efterårsferie moves by whole weeks to the
    # first week after it in the same month (on_day_off = "næste arbejdsdag"): Wednesday 18
    # February (week 8) and 21 October 2026 (week 43). July's would land in August: not held.
    assert dt.date(2026, 2, 18) in teknik and dt.date(2026, 10, 21) in teknik
    assert len(teknik) == 11
    # The administrative koncernledelse (Mondays) meets in July and in vinterferie.
    koncern = days(plan, "koncernledelsen")
    assert dt.date(2026, 7, 6) in koncern and dt.date(2026, 2, 9) in koncern


def test_administrative_body_can_opt_out_of_recesses(albertslund):
    plan = meeting_plan(albertslund, dt.date(2026, 6, 20), dt.date(2026, 8, 10))
    # Chefforum (Wednesdays, meets_in_recess = false): 24 June, then 5 August.
    assert days(plan, "chefforum") == [dt.date(2026, 6, 24), dt.date(2026, 8, 5)]
    # Direktørforum (Tuesdays) meets all through July.
    assert dt.date(2026, 7, 14) in days(plan, "direktoerforum")


def test_months_restrict_ad_hoc_bodies(slagelse):
    plan = meeting_plan(slagelse, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # Advisory board: 3rd Thursday of March and September 2026 → 19 March, 17 September.
    assert days(plan, "advisory_board") == [dt.date(2026, 3, 19), dt.date(2026, 9, 17)]


def test_no_meeting_on_a_day_off_or_in_recess_for_political_bodies(slagelse):
    plan = meeting_plan(slagelse, dt.date(2026, 1, 1), dt.date(2028, 12, 31))
    calendar = slagelse.calendar
    for meeting in plan:
        assert calendar.is_working_day(meeting.day), meeting
        if not slagelse.bodies[meeting.body].meets_in_recess:
            assert calendar.recess_at(meeting.day) is None, meeting


# --- adopted vs provisional -------------------------------------------------------------------


def test_council_meetings_beyond_the_adopted_plan_are_provisional(slagelse):
    plan = by_day(meeting_plan(slagelse, dt.date(2027, 11, 1), dt.date(2028, 2, 29)), "byraadet")
    # Adopted: 29 Nov and 13 Dec 2027. Beyond: last Mondays 31 Jan and 28 Feb 2028.
    assert sorted(plan) == [dt.date(2027, 11, 29), dt.date(2027, 12, 13), dt.date(2028, 1, 31), dt.date(2028, 2, 28)]
    assert plan[dt.date(2027, 12, 13)].status is MeetingStatus.PLANNED
    assert plan[dt.date(2028, 1, 31)].status is MeetingStatus.PROVISIONAL
    assert plan[dt.date(2028, 1, 31)].provisional
    # What a user reads:
    assert str(plan[dt.date(2027, 12, 13)].status) == "planlagt"
    assert str(plan[dt.date(2028, 1, 31)].status) == "foreløbig"


def test_adopted_dates_replace_the_cadence_inside_the_plan(slagelse):
    # 25 May 2026 (last Monday) is 2. pinsedag; the adopted plan says Tuesday 26 May.
    plan = by_day(meeting_plan(slagelse, dt.date(2026, 5, 1), dt.date(2026, 5, 31)), "byraadet")
    assert list(plan) == [dt.date(2026, 5, 26)]
    assert plan[dt.date(2026, 5, 26)].status is MeetingStatus.PLANNED
    assert plan[dt.date(2026, 5, 26)].time == dt.time(18, 0)


def test_adopted_plan_is_authoritative_between_its_first_and_last_date(tmp_path):
    profile = write_profile(
        tmp_path,
        """
        [bodies.raad]
        name = "Rådet"
        kind = "politisk"
        cadence = "sidste mandag i måneden kl. 18:00"
        deadline = { working_days_before = 4 }
        meetings = ["2027-01-18", "2027-03-22 17:00"]
        """,
    )
    plan = by_day(meeting_plan(profile, dt.date(2026, 12, 1), dt.date(2027, 4, 30)), "raad")
    # Before the plan: last Monday of Dec 2026 is 28 Dec (working day, no recess here) → provisional.
    # Inside: only the adopted 18 Jan and 22 Mar (no 25 Jan, 22 Feb, 29 Mar from the cadence).
    # After: last Monday of April 2027 is 26 April → provisional.
    assert sorted(plan) == [dt.date(2026, 12, 28), dt.date(2027, 1, 18), dt.date(2027, 3, 22), dt.date(2027, 4, 26)]
    assert [plan[d].status for d in sorted(plan)] == [
        MeetingStatus.PROVISIONAL,
        MeetingStatus.PLANNED,
        MeetingStatus.PLANNED,
        MeetingStatus.PROVISIONAL,
    ]
    assert plan[dt.date(2027, 3, 22)].time == dt.time(17, 0)
    assert plan[dt.date(2027, 1, 18)].time == dt.time(18, 0)


def test_adopted_until_makes_the_cadence_planned(tmp_path):
    profile = write_profile(
        tmp_path,
        """
        [bodies.raad]
        name = "Rådet"
        kind = "administrativ"
        cadence = "hver fredag kl. 10:00"
        deadline = { working_days_before = 2 }
        adopted_until = "2027-06-30"
        """,
    )
    plan = by_day(meeting_plan(profile, dt.date(2027, 6, 18), dt.date(2027, 7, 9)), "raad")
    # Fridays 18 and 25 June are adopted; 2 and 9 July are not.
    assert {d: m.status for d, m in plan.items()} == {
        dt.date(2027, 6, 18): MeetingStatus.PLANNED,
        dt.date(2027, 6, 25): MeetingStatus.PLANNED,
        dt.date(2027, 7, 2): MeetingStatus.PROVISIONAL,
        dt.date(2027, 7, 9): MeetingStatus.PROVISIONAL,
    }


# --- "mandag i ugen før byraadet" -------------------------------------------------------------


def test_oekonomiudvalget_meets_monday_the_week_before_the_council(slagelse):
    plan = meeting_plan(slagelse, dt.date(2026, 3, 1), dt.date(2026, 6, 30))
    council = days(plan, "byraadet")
    assert council == [dt.date(2026, 3, 30), dt.date(2026, 4, 27), dt.date(2026, 5, 26), dt.date(2026, 6, 29)]
    # Monday of the week before: 23 March, 20 April, 18 May (council on Tuesday 26 May), 22 June.
    oeu = by_day(plan, "oekonomiudvalget")
    assert sorted(oeu) == [dt.date(2026, 3, 23), dt.date(2026, 4, 20), dt.date(2026, 5, 18), dt.date(2026, 6, 22)]
    assert all(m.time == dt.time(15, 0) and m.status is MeetingStatus.PLANNED for m in oeu.values())


def test_week_before_moves_to_tuesday_when_monday_is_2_paaskedag(slagelse):
    # Easter 2028 is 16 April; council on the last Monday of April, 24 April 2028 (provisional).
    # The Monday of the week before is 17 April = 2. påskedag → ØU on Tuesday 18 April.
    plan = meeting_plan(slagelse, dt.date(2028, 4, 1), dt.date(2028, 4, 30))
    assert days(plan, "byraadet") == [dt.date(2028, 4, 24)]
    oeu = by_day(plan, "oekonomiudvalget")
    assert list(oeu) == [dt.date(2028, 4, 18)]
    # As firm as the council meeting it prepares: provisional.
    assert oeu[dt.date(2028, 4, 18)].status is MeetingStatus.PROVISIONAL


def test_week_before_follows_a_moved_council_meeting(tmp_path):
    profile = write_profile(
        tmp_path,
        """
        [bodies.raadet]
        name = "Rådet"
        kind = "politisk"
        cadence = "sidste mandag i måneden kl. 18:00"
        deadline = { working_days_before = 4 }
        moved = { "2027-05-31" = "2027-06-07" }

        [bodies.oeu]
        name = "Økonomiudvalget"
        kind = "politisk"
        cadence = "mandag i ugen før raadet kl. 15:00"
        deadline = { working_days_before = 6 }
        """,
    )
    plan = meeting_plan(profile, dt.date(2027, 5, 1), dt.date(2027, 6, 10))
    # Council moved from Monday 31 May to Monday 7 June 2027 → ØU on Monday 31 May.
    assert days(plan, "raadet") == [dt.date(2027, 6, 7)]
    assert days(plan, "oeu") == [dt.date(2027, 5, 31)]


def test_week_before_meeting_is_planned_even_when_the_council_lies_after_the_period(slagelse):
    # Council Monday 30 March 2026 → ØU Monday 23 March 2026. Asking for the meetings of
    # 16–27 March must still show that ØU meeting.
    plan = meeting_plan(slagelse, dt.date(2026, 3, 16), dt.date(2026, 3, 27))
    assert days(plan, "oekonomiudvalget") == [dt.date(2026, 3, 23)]


SLAGELSE = load_profile("slagelse")
SLAGELSE_WIDE = meeting_plan(SLAGELSE, dt.date(2025, 12, 1), dt.date(2028, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2028, 6, 30)),
    length=st.integers(min_value=0, max_value=120),
)
def test_a_shorter_period_shows_the_same_meetings(start, length):
    # The meetings of a period do not depend on how far around it one looks.
    end = start + length * DAY
    narrow = meeting_plan(SLAGELSE, start, end)
    assert narrow == [m for m in SLAGELSE_WIDE if start <= m.day <= end]


# --- moved and cancelled meetings -------------------------------------------------------------

MOVED = """
    [bodies.raad]
    name = "Rådet"
    kind = "administrativ"
    cadence = "hver onsdag kl. 09:00"
    deadline = { working_days_before = 3 }
    place = "Byrådssalen"
    moved = { "2027-03-10" = "2027-03-11 10:00", "2027-03-24" = "2027-03-23" }
    cancelled = ["2027-03-17"]
    """
PLAIN = """
    [bodies.raad]
    name = "Rådet"
    kind = "administrativ"
    cadence = "hver onsdag kl. 09:00"
    deadline = { working_days_before = 3 }
    place = "Byrådssalen"
    """
MARCH = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))


def test_moved_and_cancelled_meetings(tmp_path):
    # Wednesdays in March 2027: 3, 10, 17, 24, 31.
    profile = write_profile(tmp_path, MOVED)
    plan = by_day(meeting_plan(profile, *MARCH), "raad")
    assert sorted(plan) == [dt.date(2027, 3, d) for d in (3, 11, 17, 23, 31)]
    moved = plan[dt.date(2027, 3, 11)]
    assert moved.time == dt.time(10, 0)
    assert moved.moved_from == dt.date(2027, 3, 10)
    assert moved.place == "Byrådssalen"
    # Moved without a new time keeps the old one.
    assert plan[dt.date(2027, 3, 23)].time == dt.time(9, 0)
    cancelled = plan[dt.date(2027, 3, 17)]
    assert cancelled.cancelled and str(cancelled.status) == "aflyst"
    assert not plan[dt.date(2027, 3, 3)].cancelled


def test_moved_and_cancelled_meetings_keep_their_key(tmp_path):
    before = by_day(meeting_plan(write_profile(tmp_path, PLAIN, "before.toml"), *MARCH), "raad")
    after = by_day(meeting_plan(write_profile(tmp_path, MOVED, "after.toml"), *MARCH), "raad")
    # The key is what a meeting was first planned as: unchanged by moving or cancelling.
    assert after[dt.date(2027, 3, 11)].key == before[dt.date(2027, 3, 10)].key
    assert after[dt.date(2027, 3, 23)].key == before[dt.date(2027, 3, 24)].key
    assert after[dt.date(2027, 3, 17)].key == before[dt.date(2027, 3, 17)].key
    assert after[dt.date(2027, 3, 3)].key == before[dt.date(2027, 3, 3)].key
    assert {m.key for m in after.values()} == {m.key for m in before.values()}
    assert len({m.key for m in after.values()}) == 5


def test_keys_are_unique_within_a_plan(slagelse):
    plan = meeting_plan(slagelse, dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert len({m.key for m in plan}) == len(plan)


def test_meeting_moved_into_the_period_from_just_before_it_is_shown(tmp_path):
    # The 10 March 2027 meeting now takes place on 11 March; the meetings from 11 March on
    # must include it.
    profile = write_profile(tmp_path, MOVED)
    plan = by_day(meeting_plan(profile, dt.date(2027, 3, 11), dt.date(2027, 3, 31)), "raad")
    assert dt.date(2027, 3, 11) in plan
    assert plan[dt.date(2027, 3, 11)].moved_from == dt.date(2027, 3, 10)


def test_meeting_moved_out_of_the_period_is_not_shown(tmp_path):
    profile = write_profile(tmp_path, MOVED)
    plan = by_day(meeting_plan(profile, dt.date(2027, 3, 1), dt.date(2027, 3, 10)), "raad")
    assert sorted(plan) == [dt.date(2027, 3, 3)]


# --- time zone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "offset_hours"),
    [
        # Summer time 2027: from Sunday 28 March to Sunday 31 October (last Sundays).
        (dt.date(2027, 3, 23), 1),
        (dt.date(2027, 3, 30), 2),
        (dt.date(2027, 10, 26), 2),
        (dt.date(2027, 11, 2), 1),
        (dt.date(2027, 1, 5), 1),
        (dt.date(2027, 7, 6), 2),
    ],
)
def test_start_times_are_copenhagen_wall_clock_with_summer_time(slagelse, day, offset_hours):
    meeting = by_day(meeting_plan(slagelse, day, day), "direktion")[day]  # Tuesdays 09:00
    start = meeting.starts_at
    assert start.utcoffset() == dt.timedelta(hours=offset_hours)
    assert (start.date(), start.hour, start.minute) == (day, 9, 0)
    assert start.astimezone(dt.UTC).hour == 9 - offset_hours
    assert "Copenhagen" in str(start.tzinfo)
    # Direktionen meets for 180 minutes.
    assert meeting.ends_at - start == dt.timedelta(minutes=180)
    assert meeting.ends_at.hour == 12


def test_meetings_are_sorted_by_start(slagelse):
    plan = meeting_plan(slagelse, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    starts = [m.starts_at for m in plan]
    assert starts == sorted(starts)
    assert all(dt.date(2026, 1, 1) <= m.day <= dt.date(2026, 12, 31) for m in plan)


def test_week_before_meeting_in_a_recess_moves_a_week_earlier_instead_of_disappearing():
    # Slagelse's council meets Monday 22 February 2027 (adopted plan). The Monday of the week
    # before, 15 February, lies in vinterferie (ISO week 7: 15–21 February 2027), yet ØU must
    # give its statement before the council (§ 18 stk. 2): it meets Monday 8 February instead.
    profile = load_profile("slagelse")
    plan = meeting_plan(profile, dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    ou = [m.day for m in plan if m.body == "oekonomiudvalget"]
    assert ou == [dt.date(2027, 2, 8)]


def test_an_adopted_meeting_plan_can_come_from_an_ics_file(tmp_path):
    # A council's meeting plan exported from Outlook: times in UTC (17:00Z in winter is 18:00 in
    # Copenhagen, 16:00Z in summer is 18:00 too), one meeting cancelled in the export.
    (tmp_path / "raad.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outlook//DA\r\n"
        b"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20270125T170000Z\r\nSUMMARY:Byr\xc3\xa5d\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20270628T160000Z\r\nSUMMARY:Byr\xc3\xa5d\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20270222T170000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Byr\xc3\xa5d\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    (tmp_path / "ics.toml").write_text(
        'name = "Ics Kommune"\n[bodies.raad]\nname = "Byrådet"\nkind = "politisk"\n'
        'deadline = { working_days_before = 4 }\nmeetings_ics = "raad.ics"\n',
        encoding="utf-8",
    )
    profile = load_profile(tmp_path / "ics.toml")
    plan = meeting_plan(profile, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert [(m.day, m.time) for m in plan] == [
        (dt.date(2027, 1, 25), dt.time(18, 0)),
        (dt.date(2027, 6, 28), dt.time(18, 0)),
    ]
    assert all(m.status is MeetingStatus.PLANNED for m in plan)
