"""Municipality profiles: the shipped ones load as their comments describe; broken ones are refused.

Expected bodies and routes are read off the comments at the top of each shipped TOML file and
DESIGN.md §1; expected error keys are the TOML paths of the values broken in tests/fixtures/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from calendars.cadence import MonthlyNth, WeekBefore, Weekly
from calendars.profile_reader import load_profile, shipped_profiles
from calendars.profiles import BodyKind, ProfileError

FIXTURES = Path(__file__).parents[1] / "fixtures"


def stage_names(profile, route_key):
    return [tuple(profile.bodies[b].name for b in stage) for stage in profile.routes[route_key].stages]


# --- the shipped profiles ---------------------------------------------------------------------


def test_three_profiles_are_shipped():
    assert shipped_profiles() == ["albertslund", "skanderborg", "slagelse"]


@pytest.mark.parametrize("name", ["slagelse", "Slagelse", "ALBERTSLUND", "skanderborg"])
def test_shipped_profile_loads_by_name_in_any_case(name):
    assert load_profile(name).key == name.lower()


def test_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(ProfileError) as info:
        load_profile("odense")
    message = str(info.value)
    assert "odense" in message
    for shipped in ("albertslund", "skanderborg", "slagelse"):
        assert shipped in message


def test_slagelse_bodies_and_routes(slagelse):
    # "Slagelse Kommune: direktion → strategisk chefforum → fagudvalg → økonomiudvalg → byråd."
    assert slagelse.name == "Slagelse Kommune"
    route = slagelse.routes["politisk_oekonomi"]
    assert route.economic_impact
    assert route.stages == (
        ("direktion",),
        ("strategisk_chefforum",),
        ("boern_unge", "erhverv", "kultur_fritid", "miljoe_plan"),  # the four fagudvalg in parallel
        ("oekonomiudvalget",),
        ("byraadet",),
    )
    names = stage_names(slagelse, "politisk_oekonomi")
    assert names[0] == ("Direktionen",)
    assert names[1] == ("Strategisk Chefforum",)
    assert names[4] == ("Byrådet",)
    assert all(slagelse.bodies[b].kind is BodyKind.POLITICAL for b in route.stages[2])
    assert slagelse.routes["udvalgssag"].stages == (("direktion",), ("erhverv",))


def test_slagelse_oekonomiudvalget_meets_the_week_before_the_council(slagelse):
    rule = slagelse.bodies["oekonomiudvalget"].cadence.rule
    assert isinstance(rule, WeekBefore)
    assert rule.other_body == "byraadet" and rule.weekday == 0  # Monday
    assert slagelse.bodies["oekonomiudvalget"].time == dt.time(15, 0)


def test_slagelse_council(slagelse):
    byraad = slagelse.bodies["byraadet"]
    rule = byraad.cadence.rule
    assert isinstance(rule, MonthlyNth) and rule.weekday == 0 and rule.nth == -1  # last Monday
    assert byraad.time == dt.time(18, 0)
    assert byraad.duration_minutes == 240
    assert byraad.deadline.working_days_before == 4
    assert byraad.agenda.working_days_before == 4  # Kommunestyrelseslovens § 8, stk. 4
    assert not byraad.meets_in_recess
    # The adopted meeting plan for 2026 and 2027: 11 meetings a year, none in July.
    days = [day for day, _ in byraad.meetings]
    assert len(days) == 22
    assert sum(day.year == 2026 for day in days) == 11
    assert not [day for day in days if day.month == 7]
    # The adopted plan avoids holidays: 25 May 2026 is 2. pinsedag (Easter 5 April + 50), so the
    # May meeting is Tuesday 26 May.
    assert dt.date(2026, 5, 26) in days
    assert all(slagelse.calendar.is_working_day(day) for day in days)


def test_slagelse_ad_hoc_bodies(slagelse):
    styregruppe = slagelse.bodies["styregruppe_erhverv"]
    advisory = slagelse.bodies["advisory_board"]
    assert styregruppe.kind is BodyKind.AD_HOC and advisory.kind is BodyKind.AD_HOC
    assert advisory.months == (3, 9)  # "møde i marts og inden udgangen af september"
    assert styregruppe.months == (3, 6, 9, 11)
    assert styregruppe.deadline.days_before == 7  # "Materialer udsendes senest 1 uge før møde"


def test_slagelse_one_week_before_deadline_in_calendar_days(slagelse):
    calendar = slagelse.calendar
    rule = slagelse.bodies["styregruppe_erhverv"].deadline
    # Tuesday 10 March 2026: one week before is Tuesday 3 March, a working day.
    assert calendar.day_at(rule.position(calendar, dt.date(2026, 3, 10))) == dt.date(2026, 3, 3)
    # Thursday 9 April 2026: one week before is Skærtorsdag 2 April (Easter 5 April 2026), so the
    # material must be out the working day before, Wednesday 1 April.
    assert calendar.day_at(rule.position(calendar, dt.date(2026, 4, 9))) == dt.date(2026, 4, 1)


def test_slagelse_council_deadline_four_working_days_before(slagelse):
    calendar = slagelse.calendar
    rule = slagelse.bodies["byraadet"].deadline
    # Monday 30 March 2026 → Fri 27, Thu 26, Wed 25, Tue 24 March.
    assert calendar.day_at(rule.position(calendar, dt.date(2026, 3, 30))) == dt.date(2026, 3, 24)
    # Tuesday 30 March 2027 (Mon 29 = 2. påskedag, Thu 25/Fri 26 = Skærtorsdag/Langfredag):
    # Wed 24, Tue 23, Mon 22, Fri 19 March.
    assert calendar.day_at(rule.position(calendar, dt.date(2027, 3, 30))) == dt.date(2027, 3, 19)


def test_slagelse_calendar_follows_its_comments(slagelse):
    calendar = slagelse.calendar
    # KL area: 24/12 and 31/12 off; the town hall is closed 27–30/12 (2027: Monday–Thursday).
    for day in (24, 27, 28, 29, 30, 31):
        assert not calendar.is_working_day(dt.date(2027, 12, day)), day
    # Grundlovsdag (Thursday 5 June 2025) and 1 May (Friday 1 May 2026) are working days.
    assert calendar.is_working_day(dt.date(2025, 6, 5))
    assert calendar.is_working_day(dt.date(2026, 5, 1))
    assert calendar.weekmask == "1111100"
    # Recesses: vinterferie (week 7), July, efterårsferie (week 42), Christmas 22/12–2/1.
    assert calendar.recess_at(dt.date(2026, 2, 11)).name == "Vinterferie"
    assert calendar.recess_at(dt.date(2026, 7, 15)).name == "Sommerferie"
    assert calendar.recess_at(dt.date(2026, 10, 14)).name == "Efterårsferie"
    assert calendar.recess_at(dt.date(2027, 1, 2)).name == "Juleferie"
    assert calendar.recess_at(dt.date(2027, 1, 4)) is None


def test_albertslund_bodies_and_routes(albertslund):
    # "Albertslund Kommune: direktørforum → chefforum → økonomiudvalg → kommunalbestyrelse."
    assert albertslund.name == "Albertslund Kommune"
    assert albertslund.routes["politisk"].stages == (
        ("direktoerforum",),
        ("chefforum",),
        ("boern_skole", "miljoe_teknik"),
        ("oekonomiudvalget",),
        ("kommunalbestyrelsen",),
    )
    assert albertslund.routes["orientering"].stages == (("direktoerforum",), ("chefforum",))
    assert stage_names(albertslund, "orientering") == [("Direktørforum",), ("Chefforum",)]
    assert albertslund.bodies["kommunalbestyrelsen"].name == "Kommunalbestyrelsen"
    rule = albertslund.bodies["oekonomiudvalget"].cadence.rule
    assert isinstance(rule, WeekBefore) and rule.other_body == "kommunalbestyrelsen"
    assert rule.weekday == 1  # tirsdag


def test_albertslund_chefforum_does_not_meet_in_recess(albertslund):
    # Administrative bodies meet in recesses by default; Albertslund's chefforum opts out.
    assert albertslund.bodies["direktoerforum"].meets_in_recess
    assert not albertslund.bodies["chefforum"].meets_in_recess
    assert albertslund.bodies["chefforum"].place == "915"
    assert isinstance(albertslund.bodies["chefforum"].cadence.rule, Weekly)


def test_skanderborg_bodies_and_routes(skanderborg):
    # "Skanderborg Kommune: koncernledelse → fagudvalg → økonomiudvalg → byråd."
    assert skanderborg.name == "Skanderborg Kommune"
    assert skanderborg.routes["politisk"].stages == (
        ("koncernledelsen",),
        ("teknik_miljoe", "social_sundhed"),
        ("oekonomiudvalget",),
        ("byraadet",),
    )
    assert stage_names(skanderborg, "udvalgssag") == [("Koncernledelsen",), ("Udvalget for Teknik og Miljø",)]
    assert skanderborg.bodies["koncernledelsen"].time == dt.time(8, 30)


def test_skanderborg_closes_the_friday_after_ascension(skanderborg, slagelse):
    # Ascension 2026: Easter 5 April + 39 = Thursday 14 May; the Friday after is 15 May.
    friday = dt.date(2026, 5, 15)
    assert not skanderborg.calendar.is_working_day(friday)
    assert slagelse.calendar.is_working_day(friday)
    # Skanderborg's Christmas recess runs 21/12–3/1.
    assert skanderborg.calendar.recess_at(dt.date(2026, 12, 21)).name == "Juleferie"
    assert skanderborg.calendar.recess_at(dt.date(2027, 1, 3)).name == "Juleferie"
    assert skanderborg.calendar.recess_at(dt.date(2027, 1, 4)) is None


@pytest.mark.parametrize("name", ["slagelse", "albertslund", "skanderborg"])
def test_economic_routes_pass_oekonomiudvalget_right_before_the_council(name):
    # Kommunestyrelseslovens § 18, stk. 2: ØU's statement before the council decides.
    profile = load_profile(name)
    economic = [route for route in profile.routes.values() if route.economic_impact]
    assert economic
    for route in economic:
        assert route.stages[-2] == ("oekonomiudvalget",), route.key
        council = profile.bodies[route.stages[-1][0]]
        assert council.agenda is not None and council.agenda.working_days_before == 4


@pytest.mark.parametrize("name", ["slagelse", "albertslund", "skanderborg"])
def test_political_bodies_do_not_meet_in_recess(name):
    profile = load_profile(name)
    for body in profile.bodies.values():
        if body.kind is BodyKind.POLITICAL:
            assert not body.meets_in_recess, body.key


def test_minimal_valid_fixture_loads():
    profile = load_profile(FIXTURES / "minimal_valid.toml")
    assert profile.name == "Testkommune"
    assert list(profile.bodies) == ["direktion"]
    assert profile.routes["orientering"].stages == (("direktion",),)


# --- broken profiles --------------------------------------------------------------------------

BROKEN = [
    # file, the TOML key that is wrong, fragments the problem and fix must contain
    (
        "unknown_body_in_route.toml",
        "routes.politisk.stages[1]",
        ["oekonomiudvalget", "direktion", "byraadet", "[bodies.oekonomiudvalget]"],
    ),
    ("negative_deadline.toml", "bodies.direktion.deadline.working_days_before", ["-2", "0"]),
    ("bad_cadence.toml", "bodies.direktion.cadence", ["hver anden tirsdag om formiddagen", "hver onsdag kl. 09:00"]),
    ("recesses_cover_year.toml", "calendar.recesses", ["from/to"]),
    ("week_before_unknown_body.toml", "bodies.oekonomiudvalget.cadence", ["byraadet", "kommunalbestyrelsen"]),
    ("invalid_syntax.toml", None, []),
    ("missing_name.toml", "name", ['name = "']),
]


@pytest.mark.parametrize(("filename", "key", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_profile_is_refused_naming_file_key_and_fix(filename, key, fragments):
    path = FIXTURES / filename
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    error = info.value
    message = str(error)
    assert str(path) in message and error.path == str(path)
    if key is not None:
        assert error.key == key
        assert f"'{key}'" in message
    for fragment in fragments:
        assert fragment in message, fragment
    # The message goes on to say how to fix it, in Danish.
    assert "retter" in message


def test_invalid_toml_points_at_the_line():
    # The unterminated string is on line 4 of the fixture.
    with pytest.raises(ProfileError) as info:
        load_profile(FIXTURES / "invalid_syntax.toml")
    assert re.search(r"\b(line|linje) 4\b", str(info.value))


def test_recesses_covering_the_whole_year_name_the_year(tmp_path):
    # A one-off recess over all of 2030 leaves 2030 without a single ordinary meeting day.
    path = tmp_path / "lukket_2030.toml"
    path.write_text(
        'name = "Testkommune"\n'
        '[[calendar.recesses]]\nname = "Lukket"\nfrom = "2030-01-01"\nto = "2030-12-31"\n'
        '[bodies.direktion]\nname = "Direktionen"\nkind = "administrativ"\n'
        'cadence = "hver tirsdag"\ndeadline = { working_days_before = 3 }\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.key == "calendar.recesses"
    assert "2030" in str(info.value)


def test_profile_error_is_a_value_error():
    with pytest.raises(ValueError):
        load_profile(FIXTURES / "missing_name.toml")


# Values the reader does not check yet: the module promises that anything wrong in a profile
# is refused with a ProfileError naming the key, but these pass through or crash.


def test_recess_mixing_yearly_and_one_off_dates_is_refused():
    with pytest.raises(ProfileError) as info:
        load_profile(FIXTURES / "recess_mixed_from_to.toml")
    assert info.value.key.startswith("calendar.recesses[0]")


@pytest.mark.parametrize(
    ("filename", "key", "typo"),
    [
        ("unknown_optional_closing_day.toml", "calendar.closed_optional", "Grundlovsdagen"),
        ("unknown_day_after.toml", "calendar.closed_day_after", "Kristi Himmelfart"),
    ],
)
def test_misspelled_closing_day_names_are_refused(filename, key, typo):
    # A typo here would silently keep the town hall open (Thursday 5 June 2025 / Friday 30 May
    # 2025 would count as working days and every deadline around them would move).
    with pytest.raises(ProfileError) as info:
        load_profile(FIXTURES / filename)
    assert info.value.key.startswith(key)
    assert typo in str(info.value)


def test_reminder_rules_come_from_the_profile_and_bad_ones_are_refused(tmp_path):
    base = (
        'name = "Lilleby Kommune"\n[bodies.raad]\nname = "Byrådet"\nkind = "politisk"\n'
        'cadence = "hver mandag kl. 18:00"\ndeadline = { working_days_before = 4 }\n'
    )
    default = tmp_path / "standard.toml"
    default.write_text(base, encoding="utf-8")
    # DESIGN §6: by default 5 and 1 working days before, at 08:00, with escalation and digest.
    rules = load_profile(default).reminders
    assert (rules.working_days_before, rules.time, rules.escalate, rules.digest) == ((5, 1), dt.time(8, 0), True, True)

    custom = tmp_path / "egne.toml"
    custom.write_text(
        base + '[reminders]\nworking_days_before = [1, 10, 3]\ntime = "07:30"\ndigest = false\n', encoding="utf-8"
    )
    rules = load_profile(custom).reminders
    assert (rules.working_days_before, rules.time, rules.digest) == ((10, 3, 1), dt.time(7, 30), False)

    broken = tmp_path / "forkert.toml"
    broken.write_text(base + "[reminders]\nworking_days_before = [0]\n", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(broken)
    assert info.value.key == "reminders.working_days_before"
    assert "forkert.toml" in str(info.value)
