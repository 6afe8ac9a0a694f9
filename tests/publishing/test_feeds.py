"""Calendar feeds as the managers' calendar programs see them.

A year of Slagelse's meetings and 50 planned cases (tests/feeds_world.py) are published as
iCalendar files, and the files are read back by parsers that are not ours: icalendar, vobject,
Mozilla's ical.js (Thunderbird's parser, run by node) and the Radicale CalDAV server. Expected
times and dates are worked out by hand from slagelse.toml (see the comments), never copied from
the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from sqlmodel import Session, select

from calendars.clock import FixedClock
from calendars.meetings import MeetingStatus, Schedule, meeting_plan
from calendars.planner import plan
from calendars.profile_reader import load_profile
from models import db
from models.feed_tables import FeedToken
from models.store import cancel_meeting, consultations, load_meetings, move_meeting, save_plan, sync_profile
from models.tables import Case, Decision, Meeting, Outcome
from sagsgang.accounts import subscriptions
from sagsgang.publishing import feed_files, feed_render, feeds, publish_turns
from tests import configured, feeds_world
from tests.feeds_world import CLOSED_DECISION, CLOSED_JOURNAL, CLOSED_OWNER, CLOSED_TITLE
from tests.servers import free_port, listening, stop, wait_for

UTC = dt.UTC
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
BASE = "https://sagsgang.slagelse.dk"
CONTEXT = feeds.FeedContext(base_url=BASE, clock=FixedClock.on(dt.date(2027, 1, 4)))
ICALJS_VERSION = "2.2.1"
ROOT = Path(__file__).resolve().parents[2]


# --- the world, published ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> feeds_world.World:
    return feeds_world.build(tmp_path_factory.mktemp("world") / "sagsgang.db")


@pytest.fixture
def changeable(world, tmp_path) -> feeds_world.World:
    """A copy of the world for a test that changes it."""
    return world.copy(tmp_path / "copy.db")


def publish(world: feeds_world.World, directory: Path, context: feeds.FeedContext = CONTEXT):
    engine = world.engine()
    try:
        report = feed_files.publish(engine, directory, context)
    finally:
        engine.dispose()
    return report, {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*.ics"))}


@pytest.fixture(scope="module")
def published(world, tmp_path_factory) -> dict[str, bytes]:
    copy = world.copy(tmp_path_factory.mktemp("published") / "sagsgang.db")
    _, files = publish(copy, tmp_path_factory.mktemp("feeds"))
    return files


def sagsgang(world: feeds_world.World, *args: str) -> subprocess.CompletedProcess:
    """A `sagsgang` command in a fresh process, on `world`'s database, on the world's day."""
    return subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, configured.URL_VARIABLE: world.url, "SAGSGANG_TODAY": feeds_world.TODAY},
    )


def parse(data: bytes) -> list[dict]:
    """The events as icalendar reads them, with instants in UTC."""
    calendar = icalendar.Calendar.from_ical(data)
    result = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND") if "DTEND" in event else None
        result.append(
            {
                "uid": str(event["UID"]),
                "summary": str(event["SUMMARY"]),
                "start": start.astimezone(UTC) if isinstance(start, dt.datetime) else start,
                "end": end.astimezone(UTC) if isinstance(end, dt.datetime) else end,
                "status": str(event.get("STATUS", "")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "stamp": event.decoded("DTSTAMP"),
                "location": str(event.get("LOCATION", "")),
                "description": str(event.get("DESCRIPTION", "")),
                "alarms": [alarm.decoded("TRIGGER") for alarm in event.walk("VALARM")],
            }
        )
    return result


def one(events: list[dict], summary: str, day: dt.date) -> dict:
    found = [e for e in events if e["summary"] == summary and _day(e["start"]) == day]
    assert len(found) == 1, (
        f"{summary} {day}: {[(e['summary'], e['start']) for e in events if _day(e['start']) == day]}"
    )
    return found[0]


def _day(moment: dt.date | dt.datetime) -> dt.date:
    return moment.astimezone(COPENHAGEN).date() if isinstance(moment, dt.datetime) else moment


def utc(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def content_lines(data: bytes) -> list[str]:
    """Unfolded content lines, read without any iCalendar library (RFC 5545 § 3.1)."""
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def readable_text(data: bytes) -> str:
    """Everything a person could read in a file: unfolded, TEXT escapes undone."""
    text = "\n".join(content_lines(data))
    return text.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


# --- what subscribers see ---------------------------------------------------------------------------


def test_council_feed_shows_meetings_deadlines_and_agenda_days_in_copenhagen_time(published):
    events = parse(published["slagelse/organ/byraadet.ics"])
    # The council's 2027 plan has 11 meetings (none in July), each with a deadline and an agenda day.
    meetings = [e for e in events if e["summary"] == "Byrådet – møde"]
    assert len(meetings) == 11 and len(events) == 33

    # Monday 25 January 2027, 18:00 winter time (UTC+1), four hours (duration_minutes = 240).
    meeting = one(events, "Byrådet – møde", dt.date(2027, 1, 25))
    assert (meeting["start"], meeting["end"]) == (utc(2027, 1, 25, 17), utc(2027, 1, 25, 21))
    assert meeting["location"] == "Rådhuset, byrådssalen"
    assert meeting["status"] == "CONFIRMED"
    # Deadline 4 working days before at 12:00: Fri 22, Thu 21, Wed 20, Tue 19 January.
    deadline = one(events, "Byrådet – sagsfrist", dt.date(2027, 1, 19))
    assert deadline["start"] == utc(2027, 1, 19, 11) and deadline["end"] is None
    # The agenda goes out 4 hverdage before (Kommunestyrelseslovens § 8, stk. 4): an all-day event.
    agenda = one(events, "Byrådet – dagsorden udsendes", dt.date(2027, 1, 19))
    assert (agenda["start"], agenda["end"]) == (dt.date(2027, 1, 19), dt.date(2027, 1, 20))

    # Tuesday 30 March 2027 (after Easter), 18:00 summer time (UTC+2): summer time began 28 March.
    assert one(events, "Byrådet – møde", dt.date(2027, 3, 30))["start"] == utc(2027, 3, 30, 16)
    # The deadline: Mon 29 (2. påskedag), Fri 26 (langfredag), Thu 25 (skærtorsdag) are holidays:
    # Wed 24, Tue 23, Mon 22, Fri 19 March → Friday 19 March 12:00, still winter time.
    assert one(events, "Byrådet – sagsfrist", dt.date(2027, 3, 19))["start"] == utc(2027, 3, 19, 11)


def test_a_meeting_moved_across_the_switch_to_summer_time_keeps_its_wall_clock_time(published):
    events = parse(published["slagelse/organ/erhverv.ics"])
    # The committee has no adopted plan yet: its meetings are provisional, moved or not.
    moved = one(events, "Erhvervs-, Beskæftigelses- og Uddannelsesudvalget – møde (foreløbig)", feeds_world.MOVED_TO)
    # 15:00 on Wednesday 31 March is summer time: 13:00 UTC; it was 14:00 UTC on 2 March.
    assert (moved["start"], moved["end"]) == (utc(2027, 3, 31, 13), utc(2027, 3, 31, 15))
    assert "Flyttet fra tirsdag 2. marts 2027" in moved["description"]
    assert not [e for e in events if _day(e["start"]) == dt.date(2027, 3, 2)]


def test_the_time_zone_definition_follows_eu_summer_time(published):
    lines = content_lines(published["slagelse/organ/byraadet.ics"])
    zone = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Europe/Copenhagen" in zone
    # Summer time starts on the last Sunday of March at 02:00 (28 March 2027) and ends on the last
    # Sunday of October at 03:00 (31 October 2027); onsets are given in the local time before.
    spring = zone.index("DTSTART:20270328T020000")
    assert zone[spring - 1] == "BEGIN:DAYLIGHT" and {"TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"} <= set(
        zone[spring : spring + 4]
    )
    autumn = zone.index("DTSTART:20271031T030000")
    assert zone[autumn - 1] == "BEGIN:STANDARD" and {"TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"} <= set(
        zone[autumn : autumn + 4]
    )


def test_every_file_is_well_formed_utf8_with_crlf_folded_lines_and_refresh_hints(published):
    assert len(published) == 10 + 1 + 49  # ten bodies, the secretariat, every case but the closed one
    for name, data in published.items():
        text = data.decode("utf-8")  # valid UTF-8, or this raises
        assert "\n" not in text.replace("\r\n", ""), f"{name}: a bare line feed"
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, f"{name}: {line!r} is longer than 75 octets"
        lines = content_lines(data)
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
        assert lines.count("VERSION:2.0") == 1 and sum(line.startswith("PRODID:") for line in lines) == 1
        # RFC 7986 with the VALUE parameter it requires, and Outlook's own hint.
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines and "X-PUBLISHED-TTL:PT1H" in lines
        names = [line.split(":", 1)[1] for line in lines if line.startswith(("NAME:", "X-WR-CALNAME:"))]
        assert len(names) == 2 and names[0] == names[1] and names[0]
        if any(line.startswith("DTSTART;TZID=Europe/Copenhagen") for line in lines):
            assert "TZID:Europe/Copenhagen" in lines
        # Every event: exactly one UID and one DTSTAMP, in UTC.
        blocks = "\n".join(lines).split("BEGIN:VEVENT")[1:]
        for block in blocks:
            block_lines = block.split("END:VEVENT")[0].split("\n")
            assert sum(line.startswith("UID:") for line in block_lines) == 1
            stamps = [line for line in block_lines if line.startswith("DTSTAMP")]
            assert len(stamps) == 1 and re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", stamps[0])
    council = published["slagelse/organ/byraadet.ics"].decode("utf-8")
    assert "NAME:Byrådet – møder og frister" in council  # Danish letters as UTF-8, not escaped


def test_deadlines_are_timed_at_the_profiles_hour_or_all_day_and_remind_the_day_before(published):
    committee = parse(published["slagelse/organ/erhverv.ics"])
    # Erhvervsudvalget: 8 working days before, at 12:00. For Tuesday 6 April 2027 (Easter Sunday is
    # 28 March; 25, 26 and 29 March are holidays): 5 Apr, 2, 1, 31 Mar, 30, 24, 23, 22 → Monday 22 March.
    deadline = one(
        committee, "Erhvervs-, Beskæftigelses- og Uddannelsesudvalget – sagsfrist (foreløbig)", dt.date(2027, 3, 22)
    )
    assert deadline["start"] == utc(2027, 3, 22, 11)
    assert deadline["alarms"] == [-dt.timedelta(days=1)]

    # The steering group's rule is "Materialer udsendes senest 1 uge før møde" with no hour: its
    # meeting on the 2nd Tuesday of March (9 March 2027) has an all-day deadline on 2 March.
    steering = parse(published["slagelse/organ/styregruppe_erhverv.ics"])
    all_day = one(steering, "Styregruppen for Erhvervsudvikling – sagsfrist (foreløbig)", dt.date(2027, 3, 2))
    assert (all_day["start"], all_day["end"]) == (dt.date(2027, 3, 2), dt.date(2027, 3, 3))
    assert all_day["alarms"] == [-dt.timedelta(hours=15)]  # 09:00 the day before
    raw = published["slagelse/organ/styregruppe_erhverv.ics"].decode()
    assert "DTSTART;VALUE=DATE:20270302\r\nDTEND;VALUE=DATE:20270303\r\n" in raw


def test_a_cancelled_meeting_stays_in_the_feed_marked_aflyst(published):
    events = parse(published["slagelse/organ/kultur_fritid.ics"])
    cancelled = [e for e in events if _day(e["start"]) == dt.date(2027, 5, 5)]
    assert len(cancelled) == 1
    meeting = cancelled[0]
    assert meeting["summary"] == "AFLYST: Kultur-, Fritids- og Turismeudvalget – møde"
    assert meeting["status"] == "CANCELLED" and meeting["sequence"] >= 1
    deadline = next(e for e in events if e["summary"] == "AFLYST: Kultur-, Fritids- og Turismeudvalget – sagsfrist")
    assert deadline["status"] == "CANCELLED" and deadline["alarms"] == []  # no reminder for it


def test_provisional_meetings_are_marked_and_firm_up_without_a_new_uid(changeable, tmp_path):
    _, before = publish(changeable, tmp_path / "before")
    events = parse(before["slagelse/organ/boern_unge.ics"])
    # Børne- og Ungeudvalget has only a cadence (1st Monday, 15:00): every meeting is provisional.
    provisional = one(events, "Børne- og Ungeudvalget – møde (foreløbig)", dt.date(2027, 2, 1))
    assert provisional["status"] == "TENTATIVE"

    profile = load_profile("slagelse")
    adopted = [
        dataclasses.replace(m, status=MeetingStatus.PLANNED) if m.key == "boern_unge/2027-02-01" else m
        for m in meeting_plan(profile, *feeds_world.PERIOD)
    ]
    engine = changeable.engine()
    with db.session_scope(engine) as session:
        sync_profile(session, profile, adopted)
    engine.dispose()
    _, after = publish(changeable, tmp_path / "after")
    firm = one(parse(after["slagelse/organ/boern_unge.ics"]), "Børne- og Ungeudvalget – møde", dt.date(2027, 2, 1))
    assert firm["uid"] == provisional["uid"]
    assert firm["status"] == "CONFIRMED" and firm["sequence"] == provisional["sequence"] + 1


def test_uids_are_stable_across_processes_and_unique_within_a_feed(changeable, published, tmp_path):
    for name, data in published.items():
        uids = [e["uid"] for e in parse(data)]
        assert len(uids) == len(set(uids)), name
        assert all(uuid.UUID(u).version == 5 for u in uids), name  # derived (uuid5), not random
    # `sagsgang feeds publish` in a fresh process, on another copy of the same data.
    directory = tmp_path / "cli"
    result = sagsgang(changeable, "feeds", "publish", str(directory), "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    assert "Udgav 60 kalendere" in result.stdout
    for name, data in published.items():
        again = (directory / name).read_bytes()
        assert [e["uid"] for e in parse(again)] == [e["uid"] for e in parse(data)], name
    # Nothing changed in between, so the second run found nothing new to say.
    second = sagsgang(changeable, "feeds", "publish", str(directory), "--base-url", BASE)
    assert "0 nye eller ændrede, 60 uændrede" in second.stdout


def test_moving_a_meeting_bumps_its_sequence_once_and_leaves_other_events_alone(changeable, tmp_path):
    _, before = publish(changeable, tmp_path / "feeds")
    council = parse(before["slagelse/organ/byraadet.ics"])
    old = one(council, "Byrådet – møde", dt.date(2027, 6, 28))
    engine = changeable.engine()
    with db.session_scope(engine) as session:
        move_meeting(session, "slagelse", "byraadet/2027-06-28", dt.date(2027, 6, 29), dt.time(17, 0))
    engine.dispose()
    report, after = publish(changeable, tmp_path / "feeds")
    moved_council = parse(after["slagelse/organ/byraadet.ics"])
    new = next(e for e in moved_council if e["uid"] == old["uid"])
    assert new["start"] == utc(2027, 6, 29, 15)  # 17:00 summer time
    assert new["sequence"] == old["sequence"] + 1 and new["stamp"] > old["stamp"]
    # Its deadline moved with it (4 working days before Tuesday 29 June: Wednesday 23 June).
    assert one(moved_council, "Byrådet – sagsfrist", dt.date(2027, 6, 23))["sequence"] == 1
    untouched = {e["uid"]: e["sequence"] for e in council if _day(e["start"]).month != 6}
    assert {e["uid"]: e["sequence"] for e in moved_council if e["uid"] in untouched} == untouched
    # Feeds that do not show this meeting were not rewritten.
    assert "slagelse/organ/direktion.ics" not in report.written
    assert after["slagelse/organ/direktion.ics"] == before["slagelse/organ/direktion.ics"]


def test_a_postponed_case_sees_its_later_deadlines_move(changeable, tmp_path):
    engine = changeable.engine()
    journal = next(c.journal_number for c in changeable.cases if c.route == "politisk" and not c.closed)
    _, before = publish(changeable, tmp_path / "feeds")
    profile = load_profile("slagelse")
    with db.session_scope(engine) as session:
        case = session.exec(select(Case).where(Case.journal_number == journal)).one()
        rows = consultations(session, case)
        finance = next(row for row in rows if row.stage == 4)
        for row in rows[:3]:  # direktion, chefforum and the committee passed it on …
            session.add(
                Decision(
                    consultation_id=row.id,
                    outcome=Outcome.APPROVED,
                    decided_at=dt.datetime.combine(row.deadline, dt.time(16), COPENHAGEN),
                )
            )
        # … and Økonomiudvalget postponed it (udsat): it goes on ØU's next meeting, and so the council's.
        held = session.get(Meeting, finance.meeting_id).day
        session.add(
            Decision(
                consultation_id=finance.id,
                outcome=Outcome.POSTPONED,
                text="Udsat til næste møde.",
                decided_at=dt.datetime.combine(held, dt.time(16), COPENHAGEN),
            )
        )
        session.flush()
        replanned = plan(
            profile.routes["politisk"],
            Schedule.build(profile, load_meetings(session, "slagelse")),
            case.ready_date,
            held_after={"oekonomiudvalget": held},
        )
        save_plan(session, case, replanned)
    engine.dispose()
    _, after = publish(changeable, tmp_path / "feeds")
    old = {e["uid"]: e for e in parse(before[f"slagelse/sag/{journal}.ics"])}
    new = {e["uid"]: e for e in parse(after[f"slagelse/sag/{journal}.ics"])}
    council = [
        uid
        for uid, e in old.items()
        if e["summary"].startswith(("Deadline for sag til Byrådet", "Sag på møde i Byrådet"))
    ]
    assert len(council) == 2
    for uid in council:  # the same events, a month later, with a higher SEQUENCE
        assert new[uid]["start"] > old[uid]["start"] + dt.timedelta(days=20)
        assert new[uid]["sequence"] == old[uid]["sequence"] + 1
    for uid, event in new.items():  # what did not move keeps its SEQUENCE
        if uid in old and (event["start"], event["status"]) == (old[uid]["start"], old[uid]["status"]):
            assert event["sequence"] == old[uid]["sequence"], event["summary"]
    # The postponed treatment stays as history; the second round is a new event.
    postponed = [e for e in new.values() if "Beslutning: udsat" in e["description"]]
    assert len(postponed) == 2  # its deadline and its meeting
    second_round = [e for e in new.values() if "2. behandling i Økonomiudvalget" in e["description"]]
    assert len(second_round) == 2 and all(e["uid"] not in old for e in second_round)
    # The council's date moved: both subscribers and the case's other readers see the new one.
    assert all(e["uid"] in old for e in new.values() if e not in second_round)


def test_a_closed_item_never_shows_its_title_or_text_in_any_public_feed(world, published, tmp_path):
    secrets_ = [
        CLOSED_TITLE,
        "Ørnulf",
        "Ærøskøbing",
        CLOSED_DECISION,
        "fratrædelsesgodtgørelse",
        CLOSED_JOURNAL,
        "Bente Brøndum",
        CLOSED_OWNER,
    ]
    report, _ = publish(world.copy(tmp_path / "copy.db"), tmp_path / "feeds")
    everything = {path: path.read_bytes() for path in (tmp_path / "feeds").rglob("*") if path.is_file()}
    assert tmp_path / "feeds" / "index.html" in everything
    for path, data in everything.items():
        readable = readable_text(data) if path.suffix == ".ics" else data.decode("utf-8")
        for secret in secrets_:
            assert secret.encode("utf-8") not in data, f"{secret} in {path}"
            assert secret not in readable, f"{secret} in {path} (unfolded)"
    assert not (tmp_path / "feeds" / "slagelse" / "sag" / f"{CLOSED_JOURNAL}.ics").exists()
    # The secretariat still sees that the item has deadlines, without what it is about.
    overview = parse(published["slagelse/sekretariat.ics"])
    closed = [e for e in overview if "Lukket punkt" in e["summary"]]
    assert len(closed) == 5  # its five stages: direktion → chefforum → erhverv → ØU → byråd
    assert sum("Beslutning: godkendt." in e["description"] for e in closed) == 1  # the outcome, not the text


def test_a_personal_feed_shows_the_persons_own_cases_in_full(world, tmp_path):
    copy = world.copy(tmp_path / "copy.db")
    engine = copy.engine()
    with db.session_scope(engine) as session:
        owner, _ = subscriptions.create_subscription(session, CLOSED_OWNER.upper(), clock=CONTEXT.clock)
        mette, _ = subscriptions.create_subscription(session, "meha@slagelse.dk", clock=CONTEXT.clock)
        manager, _ = subscriptions.create_subscription(
            session, feeds_world.MANAGER[1], "Kultur og Fritid", clock=CONTEXT.clock
        )
        personal = {
            row.email: parse(
                feed_render.render_feed(session, feeds.FeedSpec("personlig", key=str(row.id)), CONTEXT, row).body
            )
            for row in (owner, mette, manager)
        }
    engine.dispose()
    own = personal[owner.email]  # the address as stored (the door lower-cases it)
    # Behind the token the owner sees the closed item with its title (five stages, deadline + meeting).
    assert len(own) == 10 and all(CLOSED_TITLE in e["summary"] for e in own)
    assert any(CLOSED_DECISION in e["description"] for e in own)
    mine = {c.title for c in world.cases if c.owner_email == "meha@slagelse.dk"}
    shown = {e["summary"].split(": ", 1)[1].removesuffix(" (foreløbig)") for e in personal["meha@slagelse.dk"]}
    assert shown == mine and len(mine) == 13  # cases 1, 5, 9, …, 49 (every fourth)
    # A manager's subscription limited to one department shows exactly that department's cases.
    culture = {c.title for c in world.cases if c.department == "Kultur og Fritid"}
    shown = {e["summary"].split(": ", 1)[1].removesuffix(" (foreløbig)") for e in personal[feeds_world.MANAGER[1]]}
    assert shown == culture


# --- publishing -------------------------------------------------------------------------------------


def test_publish_replaces_files_atomically_and_removes_feeds_that_are_no_longer_public(changeable, tmp_path):
    directory = tmp_path / "feeds"
    publish(changeable, directory)
    council = directory / "slagelse" / "organ" / "byraadet.ics"
    inode, mtime = council.stat().st_ino, council.stat().st_mtime
    report, _ = publish(changeable, directory)
    assert report.written == () and council.stat().st_ino == inode and council.stat().st_mtime == mtime

    # A case becomes a closed item: its public case feed disappears, the overview loses its title.
    journal = next(c for c in changeable.cases if not c.closed)
    engine = changeable.engine()
    with db.session_scope(engine) as session:
        case = session.exec(select(Case).where(Case.journal_number == journal.journal_number)).one()
        case.closed_item = True
    engine.dispose()
    report, files = publish(changeable, directory)
    assert report.removed == (f"slagelse/sag/{journal.journal_number}.ics",)
    assert all(journal.title not in readable_text(data) for data in files.values())
    assert "slagelse/sekretariat.ics" in report.written
    assert not list(directory.rglob("*.tmp"))  # no temporary files left behind
    # The overview kept its other events' bytes from its file: the same as all built anew.
    _, anew = publish(changeable, tmp_path / "anew")
    assert anew == files


def test_a_feed_file_changed_or_removed_by_other_hands_is_written_again(changeable, tmp_path):
    directory = tmp_path / "feeds"
    _, files = publish(changeable, directory)
    council, case = "slagelse/organ/byraadet.ics", next(path for path in files if path.startswith("slagelse/sag/"))
    (directory / council).write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")  # an editor, a restore
    (directory / case).unlink()
    report, again = publish(changeable, directory)
    assert sorted(report.written) == sorted([council, case])
    assert again == files


def test_a_new_address_for_the_feeds_reaches_every_published_file(changeable, tmp_path):
    """Nothing else changed, but the feeds now live elsewhere: every file says where, in URL and SOURCE."""
    directory = tmp_path / "feeds"
    publish(changeable, directory)
    moved = dataclasses.replace(CONTEXT, base_url="https://dagsorden.slagelse.dk")
    report, files = publish(changeable, directory, moved)
    assert len(report.written) == len(files) == 60
    for path, data in files.items():
        head = icalendar.Calendar.from_ical(data)
        assert str(head["URL"]) == str(head["SOURCE"]) == f"https://dagsorden.slagelse.dk/kalender/{path}"


def test_regenerate_republishes_where_the_setting_points(changeable, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGSGANG_FEEDS_DIR", str(tmp_path / "static"))
    engine = changeable.engine()
    report = feed_files.regenerate(configured.settings().feeds_dir, engine=engine, context=CONTEXT)
    assert report.total == 60 and (tmp_path / "static" / "slagelse" / "organ" / "byraadet.ics").is_file()
    with db.session_scope(engine) as session:
        cancel_meeting(session, "slagelse", "byraadet/2027-09-27")
    report = feed_files.regenerate(configured.settings().feeds_dir, engine=engine, context=CONTEXT)
    engine.dispose()
    assert "slagelse/organ/byraadet.ics" in report.written
    council = parse((tmp_path / "static" / "slagelse" / "organ" / "byraadet.ics").read_bytes())
    assert one(council, "AFLYST: Byrådet – møde", dt.date(2027, 9, 27))["status"] == "CANCELLED"
    monkeypatch.delenv("SAGSGANG_FEEDS_DIR")
    assert (
        feed_files.regenerate(configured.settings().feeds_dir, engine=engine, context=CONTEXT) is None
    )  # nowhere to publish


def test_an_action_is_not_kept_waiting_while_the_feeds_are_built(changeable, tmp_path, monkeypatch):
    """While a publish builds its feeds, another process's write transaction (a decision, a new
    case) gets SQLite's write lock at once: the publish holds it only to store each feed's stamps."""
    attempts: list[str] = []

    def build_while_an_action_writes(session, spec, context, ledger, **options):
        attempts.append(feeds_world.write_at_once(changeable.path))
        return feed_render.build_feed(session, spec, context, ledger, **options)

    monkeypatch.setattr(feed_files, "build_feed", build_while_an_action_writes)
    report, files = publish(changeable, tmp_path / "feeds")
    assert report.total == 60 and len(attempts) == 60
    assert set(attempts) == {"skrev"}
    monkeypatch.undo()
    again, same = publish(changeable, tmp_path / "feeds")  # the stamps were stored: nothing changed
    assert again.written == () and same == files


def test_a_publish_that_another_publisher_overtakes_publishes_again_with_its_stamps(changeable, tmp_path, monkeypatch):
    """Two publishers of different folders on one database (the service's and a `kalender
    offentliggør`): the one that stores its stamps last finds the other's and builds its feeds
    again from them, so both folders carry the same SEQUENCE and DTSTAMP."""
    overtaken: list[bool] = []

    def overtaken_while_building(session, spec, context, ledger, **options):
        if not overtaken:
            overtaken.append(True)
            monkeypatch.undo()  # the other publisher builds as usual
            other = changeable.engine()
            feed_files.regenerate(tmp_path / "other", other, CONTEXT)
            other.dispose()
        return feed_render.build_feed(session, spec, context, ledger, **options)

    monkeypatch.setattr(feed_files, "build_feed", overtaken_while_building)
    engine = changeable.engine()
    report = feed_files.regenerate(tmp_path / "ours", engine, CONTEXT)
    engine.dispose()
    assert overtaken and report is not None and report.total == 60
    ours = {path.relative_to(tmp_path / "ours"): path.read_bytes() for path in (tmp_path / "ours").rglob("*.ics")}
    other = {path.relative_to(tmp_path / "other"): path.read_bytes() for path in (tmp_path / "other").rglob("*.ics")}
    assert len(ours) == 60 and ours == other


def test_the_publish_command_leaves_its_folder_to_a_publisher_already_queued(changeable, tmp_path):
    directory = tmp_path / "kalender"
    directory.mkdir()
    with open(directory / publish_turns.WAITING, "a") as waiting:
        fcntl.flock(waiting, fcntl.LOCK_EX)  # a publisher queued behind a running one
        result = sagsgang(changeable, "kalender", "offentliggør", str(directory))
    assert result.returncode == 0, result.stderr
    assert "står allerede i kø" in result.stdout and "tager dine ændringer med" in result.stdout
    assert not list(directory.rglob("*.ics"))


def test_publish_into_a_file_is_refused_in_danish_and_writes_nothing(world, tmp_path):
    target = tmp_path / "kalender"
    target.write_text("ikke en mappe")
    result = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "feeds", "publish", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, configured.URL_VARIABLE: world.url},
    )
    assert result.returncode == 2
    assert "Fejl:" in result.stderr and "ikke en mappe" in result.stderr
    assert target.read_text() == "ikke en mappe"


def test_a_subscription_for_a_bad_email_is_refused_and_nothing_is_stored(world, tmp_path):
    copy = world.copy(tmp_path / "copy.db")
    result = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "abonnement", "opret", "meha.slagelse.dk"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, configured.URL_VARIABLE: copy.url},
    )
    assert result.returncode == 2 and "ikke en gyldig e-mailadresse" in result.stderr
    assert "kalender" not in result.stdout
    engine = copy.engine()
    with Session(engine) as session:
        assert session.exec(select(FeedToken)).all() == []
    engine.dispose()


# --- independent readers ----------------------------------------------------------------------------


def test_vobject_validates_every_feed(published):
    import vobject  # a test dependency (pip install vobject); imported here so only this test needs it

    for name, data in published.items():
        count = 0
        for calendar in vobject.readComponents(data.decode("utf-8"), validate=True):
            calendar.validate(raiseException=True)
            count += len(calendar.contents.get("vevent", []))
        assert count == len(parse(data)) > 0, name


NODE_SCRIPT = r"""
import ICAL from "ical.js";
import fs from "node:fs";
const out = {};
for (const file of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
  out[file] = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    const when = (t) => (t === null ? null : t.isDate ? t.toString() : t.toJSDate().toISOString());
    return {uid: event.uid, summary: event.summary, start: when(event.startDate),
            end: component.hasProperty("dtend") ? when(event.endDate) : null,
            status: component.getFirstPropertyValue("status"), sequence: event.sequence,
            alarms: component.getAllSubcomponents("valarm").length};
  });
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def icaljs(tmp_path_factory) -> Path:
    """Mozilla's ical.js, pinned, installed once into a cache folder. No npm, no test: it fails."""
    cache = Path(os.environ.get("SAGSGANG_TEST_CACHE", Path.home() / ".cache" / "sagsgang-tests"))
    folder = cache / f"icaljs-{ICALJS_VERSION}"
    package = folder / "node_modules" / "ical.js" / "package.json"
    if not package.is_file() or json.loads(package.read_text())["version"] != ICALJS_VERSION:
        folder.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is not installed: it is needed to install ical.js for this test.")
        result = subprocess.run(
            [
                npm,
                "install",
                "--no-package-lock",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(folder),
                f"ical.js@{ICALJS_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0 or not package.is_file():
            pytest.fail(f"npm install ical.js@{ICALJS_VERSION} failed:\n{result.stdout}\n{result.stderr}")
    script = folder / "read_feeds.mjs"
    script.write_text(NODE_SCRIPT)
    return script


def test_icaljs_reads_every_event_as_icalendar_does(icaljs, published, tmp_path):
    paths = {}
    for name, data in published.items():
        path = tmp_path / name.replace("/", "__")
        path.write_bytes(data)
        paths[str(path)] = name
    node = shutil.which("node")
    assert node, "node is needed to run ical.js"
    result = subprocess.run([node, str(icaljs), *paths], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    for path, name in paths.items():
        theirs = read[path]
        ours = parse(published[name])
        assert len(theirs) == len(ours), name
        for mozilla, python in zip(theirs, ours):
            assert (mozilla["uid"], mozilla["summary"], mozilla["sequence"]) == (
                python["uid"],
                python["summary"],
                python["sequence"],
            )
            assert mozilla["status"] == python["status"]
            assert mozilla["alarms"] == len(python["alarms"])
            start = python["start"]
            expected = (
                start.isoformat() if not isinstance(start, dt.datetime) else start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            )
            assert mozilla["start"] == expected, (name, python["summary"])
    # Thunderbird's parser puts the meeting moved into summer time at 13:00 UTC, like icalendar.
    erhverv = next(v for p, v in read.items() if paths[p] == "slagelse/organ/erhverv.ics")
    moved = [e for e in erhverv if "– møde" in e["summary"] and e["start"].startswith("2027-03-31")]
    assert [e["start"] for e in moved] == ["2027-03-31T13:00:00.000Z"]


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    """A real Radicale CalDAV server on loopback, stopped after the module (or after 180 s)."""
    folder = tmp_path_factory.mktemp("radicale")
    port = free_port()
    config = folder / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "[web]\ntype = none\n[logging]\nlevel = warning\n"
    )
    with (folder / "log").open("w") as log:
        process = subprocess.Popen(
            ["timeout", "180", sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(listening(port), process, folder / "log", "Radicale", seconds=20, pause=0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _split_events(data: bytes) -> list[bytes]:
    """Each VEVENT as a calendar object resource of its own: VCALENDAR + VTIMEZONE + the event."""
    text = data.decode("utf-8")
    zone = re.search(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", text, re.S)
    events = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", text, re.S)
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//radicale//DA\r\n"
    return [(head + (zone.group(0) if zone else "") + event + "END:VCALENDAR\r\n").encode() for event in events]


def test_radicale_accepts_the_feeds_and_each_event_by_put(radicale, published):
    auth = ("sekretariat", "x")  # [auth] type = none: any name, no password check
    with httpx.Client(base_url=radicale, auth=auth, timeout=30) as client:
        for name in ("slagelse/organ/byraadet.ics", "slagelse/organ/erhverv.ics", "slagelse/sekretariat.ics"):
            collection = "/sekretariat/" + name.replace("/", "-").removesuffix(".ics") + "/"
            response = client.put(
                collection, content=published[name], headers={"Content-Type": "text/calendar; charset=utf-8"}
            )
            assert response.status_code == 201, (name, response.text)
            stored = client.get(collection)
            assert stored.status_code == 200
            assert sorted(e["uid"] for e in parse(stored.content)) == sorted(e["uid"] for e in parse(published[name]))
        # One event at a time, as a CalDAV client stores it (a move is a PUT of the same UID).
        council = published["slagelse/organ/byraadet.ics"]
        assert client.request("MKCALENDAR", "/sekretariat/byraadet-enkeltvis/").status_code == 201
        for index, resource in enumerate(_split_events(council)):
            response = client.put(
                f"/sekretariat/byraadet-enkeltvis/{index}.ics",
                content=resource,
                headers={"Content-Type": "text/calendar; charset=utf-8"},
            )
            assert response.status_code in (201, 204), response.text
        listing = client.request("PROPFIND", "/sekretariat/byraadet-enkeltvis/", headers={"Depth": "1"})
        assert listing.text.count(".ics</") == len(parse(council)) == 33


def test_the_demo_publishes_example_feeds_and_prints_subscribe_links(tmp_path):
    folder = tmp_path / "demo"
    env = {
        **os.environ,
        "SAGSGANG_TODAY": feeds_world.TODAY,
        configured.URL_VARIABLE: f"sqlite:///{tmp_path / 'other.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "feeds", "demo", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    links = re.findall(r"webcal://127\.0\.0\.1:8000/kalender/\S+\.ics", result.stdout)
    assert "webcal://127.0.0.1:8000/kalender/slagelse/organ/byraadet.ics" in links
    assert any("/kalender/personlig/" in link for link in links)
    council = parse((folder / "kalender" / "slagelse" / "organ" / "byraadet.ics").read_bytes())
    assert sum(e["summary"] == "AFLYST: Byrådet – møde" for e in council) == 1
    assert any("Flyttet fra" in e["description"] for e in council if e["summary"] == "Byrådet – møde")
    for path in (folder / "kalender").rglob("*.ics"):
        assert "Personalesag" not in readable_text(path.read_bytes())  # the example's closed item
    again = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", "feeds", "demo", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert again.returncode == 2 and "allerede en demo" in again.stderr
