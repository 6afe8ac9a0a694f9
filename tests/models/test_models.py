"""The database layer: migrations, profile/meeting sync, moves and cancellations feeding the
planner, stored plans, transactions and constraints. Each test uses its own SQLite file.

Expected dates are worked out by hand from the Slagelse profile (see the comments), never
copied from the code's output.
"""

import dataclasses
import datetime as dt
import subprocess
import sys
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, select

from calendars.meetings import MeetingStatus, Schedule, meeting_plan
from calendars.planner import plan
from calendars.profiles import BodyKind
from models import db
from models.store import cancel_meeting, consultations, load_meetings, move_meeting, save_plan, sync_profile
from models.tables import Body, Case, Consultation, Decision, Meeting, Outcome
from tests import configured

TABLES = {"bodies", "meetings", "cases", "consultations", "decisions"}
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def plan_2027(slagelse):
    return meeting_plan(slagelse, date(2027, 1, 1), date(2027, 12, 31))


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'sagsgang.db'}"
    monkeypatch.setenv(configured.URL_VARIABLE, url)
    db.upgrade(configured.settings().database)  # from the setting
    return url


@pytest.fixture
def engine(url):
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def synced(engine, slagelse, plan_2027):
    with db.session_scope(engine) as session:
        sync_profile(session, slagelse, plan_2027)
    return engine


def count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(sa.func.count()).select_from(table)).one()


def new_case(session, route_key="politisk", journal_number="27.00.00-G01-1-27", **fields) -> Case:
    case = Case(
        municipality="slagelse",
        journal_number=journal_number,
        title="Erhvervsstrategi 2027",
        route_key=route_key,
        ready_date=date(2027, 3, 1),
        owner_name="Mette Hansen",
        owner_email="meha@slagelse.dk",
        **fields,
    )
    session.add(case)
    session.flush()
    return case


# --- settings and migrations ---------------------------------------------------------------


def test_database_lives_in_sagsgang_home_unless_a_url_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv(configured.URL_VARIABLE, raising=False)
    monkeypatch.setenv(configured.HOME_VARIABLE, str(tmp_path / "home"))
    assert configured.settings().database == f"sqlite:///{tmp_path / 'home' / 'sagsgang.db'}"
    db.upgrade(configured.settings().database)  # creates the folder and the file
    assert (tmp_path / "home" / "sagsgang.db").is_file()

    monkeypatch.setenv(configured.URL_VARIABLE, f"sqlite:///{tmp_path / 'other.db'}")
    assert configured.settings().database == f"sqlite:///{tmp_path / 'other.db'}"


def test_upgrade_creates_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) >= TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []

        # The comparison does notice drift: a column the models have and the database lacks.
        connection.exec_driver_sql("ALTER TABLE meetings DROP COLUMN place")
        differences = compare_metadata(context, SQLModel.metadata)
    assert [(d[0], d[2], d[3].name) for d in differences] == [("add_column", "meetings", "place")]


def test_upgrade_twice_is_harmless(url, engine):
    db.upgrade(url)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


# --- profile and meetings ------------------------------------------------------------------


def test_sync_profile_stores_bodies_and_meetings_once(synced, slagelse, plan_2027):
    with Session(synced) as session:
        bodies = {b.key: b for b in session.exec(select(Body).where(Body.municipality == "slagelse"))}
        assert len(bodies) == 10  # the ten [bodies.*] tables of slagelse.toml
        assert (bodies["byraadet"].name, bodies["byraadet"].kind) == ("Byrådet", BodyKind.POLITICAL)
        assert bodies["direktion"].kind is BodyKind.ADMINISTRATIVE
        assert bodies["advisory_board"].kind is BodyKind.AD_HOC
        council = session.exec(
            select(Meeting).where(Meeting.body_id == bodies["byraadet"].id).order_by(Meeting.day)
        ).all()
    # The council's adopted 2027 plan, straight from slagelse.toml: all firm, at 18:00.
    assert [m.day for m in council] == [
        date(2027, 1, 25),
        date(2027, 2, 22),
        date(2027, 3, 30),
        date(2027, 4, 26),
        date(2027, 5, 31),
        date(2027, 6, 28),
        date(2027, 8, 30),
        date(2027, 9, 27),
        date(2027, 10, 25),
        date(2027, 11, 29),
        date(2027, 12, 13),
    ]
    assert {(m.status, m.local_time) for m in council} == {(MeetingStatus.PLANNED, time(18, 0))}
    assert not any(m.provisional for m in council)
    meetings_before = count(synced, Meeting)
    assert meetings_before == len(plan_2027)

    with db.session_scope(synced) as session:
        report = sync_profile(session, slagelse, plan_2027)
    assert (report.bodies_added, report.meetings_added, report.meetings_updated) == (0, 0, 0)
    assert count(synced, Body) == 10
    assert count(synced, Meeting) == meetings_before


def test_sync_profile_updates_a_changed_meeting_in_place(synced, slagelse, plan_2027):
    changed = [
        dataclasses.replace(m, place="Slagelse Bibliotek") if m.key == "byraadet/2027-06-28" else m for m in plan_2027
    ]
    with db.session_scope(synced) as session:
        report = sync_profile(session, slagelse, changed)
    assert report.meetings_updated == 1
    with Session(synced) as session:
        row = session.exec(select(Meeting).where(Meeting.key == "byraadet/2027-06-28")).one()
    assert row.place == "Slagelse Bibliotek"
    assert row.sequence == 1  # calendar subscribers must see the change (iCal SEQUENCE)
    assert count(synced, Meeting) == len(plan_2027)


def test_sync_with_a_period_cancels_meetings_the_profile_no_longer_plans(synced, slagelse, plan_2027):
    # The chefforum meeting of 8 April 2027 disappears from the plan (say, the cadence changed).
    without = [m for m in plan_2027 if m.key != "strategisk_chefforum/2027-04-08"]
    assert len(without) == len(plan_2027) - 1
    with db.session_scope(synced) as session:
        report = sync_profile(session, slagelse, without, period=(date(2027, 1, 1), date(2027, 12, 31)))
    assert report.meetings_withdrawn == ("strategisk_chefforum/2027-04-08",)
    with Session(synced) as session:
        statuses = {m.key: m.status for m in load_meetings(session, "slagelse")}
    assert statuses["strategisk_chefforum/2027-04-08"] is MeetingStatus.CANCELLED  # kept: cases may point at it
    assert statuses["strategisk_chefforum/2027-05-13"] is not MeetingStatus.CANCELLED  # the others stay


def test_load_meetings_round_trips_values_across_summer_time(synced, plan_2027):
    with Session(synced) as session:
        loaded = load_meetings(session, "slagelse")
    assert loaded == plan_2027
    by_key = {m.key: m for m in loaded}
    # Direktionen meets on Tuesdays at 09:00; 5 January 2027 is a Tuesday in winter time (UTC+1).
    january = by_key["direktion/2027-01-05"]
    assert january.starts_at == dt.datetime(2027, 1, 5, 9, 0, tzinfo=COPENHAGEN)
    assert january.starts_at.utcoffset() == dt.timedelta(hours=1)
    # Erhvervsudvalget meets the 1st Tuesday at 15:00; 1 June 2027 is one, in summer time (UTC+2).
    june = by_key["erhverv/2027-06-01"]
    assert (june.time, june.starts_at.utcoffset()) == (time(15, 0), dt.timedelta(hours=2))

    # Stored as the same instants in UTC, which is what any other reader of the database sees.
    with synced.connect() as connection:
        stored = dict(
            connection.exec_driver_sql(
                "SELECT key, starts_at FROM meetings WHERE key IN ('direktion/2027-01-05', 'erhverv/2027-06-01')"
            ).all()
        )
    assert stored["direktion/2027-01-05"].startswith("2027-01-05 08:00:00")
    assert stored["erhverv/2027-06-01"].startswith("2027-06-01 13:00:00")


# --- moved and cancelled meetings feed the planner -----------------------------------------
# Route 'udvalgssag' = Direktionen → Erhvervsudvalget, case ready Monday 1 March 2027.
# Direktionen (Tuesdays, deadline 3 working days before): 2 March's deadline (Fri 26 Feb) has
# passed, 9 March's (Thu 4 March) has not → 9 March. The next stage is due the working day after,
# 10 March. Erhvervsudvalget (1st Tuesday, 8 working days): 2 March is too early; 6 April 2027
# lies after Easter (Skærtorsdag 25/3, Langfredag 26/3, 2. påskedag 29/3), so its deadline is
# 5, 2, 1 April, 31, 30, 24, 23, 22 March → Monday 22 March.


def udvalgssag(engine, profile):
    with Session(engine) as session:
        schedule = Schedule.build(profile, load_meetings(session, "slagelse"))
    return plan(profile.routes["udvalgssag"], schedule, date(2027, 3, 1))


def test_moved_meeting_is_planned_on_its_new_date(synced, slagelse, plan_2027):
    before = udvalgssag(synced, slagelse)
    assert [(s.body.key, s.meeting.day) for s in before.steps] == [
        ("direktion", date(2027, 3, 9)),
        ("erhverv", date(2027, 4, 6)),
    ]
    assert before.steps[1].deadline == date(2027, 3, 22)

    with db.session_scope(synced) as session:
        moved = move_meeting(session, "slagelse", "erhverv/2027-04-06", date(2027, 4, 8))
        assert moved.key == "erhverv/2027-04-06"

    after = udvalgssag(synced, slagelse)
    step = after.steps[1]
    assert (step.meeting.day, step.meeting.time) == (date(2027, 4, 8), time(15, 0))  # the time of day stays
    assert (step.meeting.key, step.meeting.moved_from) == ("erhverv/2027-04-06", date(2027, 4, 6))
    # Thursday 8 April: 7, 6, 5, 2, 1 April, 31, 30 March, (Easter), 24 March.
    assert step.deadline == date(2027, 3, 24)

    # The adopted plan still says 6 April; syncing it again must not undo the secretariat's move.
    with db.session_scope(synced) as session:
        report = sync_profile(session, slagelse, plan_2027)
    assert report.meetings_kept == ("erhverv/2027-04-06",)
    assert udvalgssag(synced, slagelse).steps[1].meeting.day == date(2027, 4, 8)


def test_cancelled_meeting_is_skipped_by_the_planner(synced, slagelse):
    with db.session_scope(synced) as session:
        cancel_meeting(session, "slagelse", "erhverv/2027-04-06")

    with Session(synced) as session:
        cancelled = [m for m in load_meetings(session, "slagelse") if m.key == "erhverv/2027-04-06"]
    assert [m.status for m in cancelled] == [MeetingStatus.CANCELLED]  # kept, shown as aflyst

    # Next 1st Tuesday: 4 May 2027 (1 May is a Saturday). Deadline: 3 May, 30, 29, 28, 27, 26,
    # 23, 22 April → Thursday 22 April.
    step = udvalgssag(synced, slagelse).steps[1]
    assert (step.meeting.day, step.deadline) == (date(2027, 5, 4), date(2027, 4, 22))


def test_move_is_refused_onto_another_meeting_of_the_body_and_for_unknown_keys(synced, plan_2027):
    with pytest.raises(ValueError, match="erhverv/2027-05-04"):
        with db.session_scope(synced) as session:
            move_meeting(session, "slagelse", "erhverv/2027-04-06", date(2027, 5, 4))
    with pytest.raises(LookupError, match="erhverv/2027-04-07"):
        with db.session_scope(synced) as session:
            cancel_meeting(session, "slagelse", "erhverv/2027-04-07")
    with Session(synced) as session:
        row = session.exec(select(Meeting).where(Meeting.key == "erhverv/2027-04-06")).one()
    as_planned = next(m for m in plan_2027 if m.key == "erhverv/2027-04-06")
    assert (row.day, row.status, row.overridden) == (date(2027, 4, 6), as_planned.status, False)


# --- plans as consultations ----------------------------------------------------------------


def politisk_plan(profile, plan_2027, **options):
    return plan(profile.routes["politisk"], Schedule.build(profile, plan_2027), date(2027, 3, 1), **options)


def test_save_plan_stores_one_consultation_per_step(synced, slagelse, plan_2027):
    the_plan = politisk_plan(slagelse, plan_2027)
    with db.session_scope(synced) as session:
        case = new_case(session)
        save_plan(session, case, the_plan)
        case_id = case.id

    with Session(synced) as session:
        case = session.get(Case, case_id)
        rows = consultations(session, case)
        stored = [
            (c.stage, session.get(Body, c.body_id).key, session.get(Meeting, c.meeting_id).day, c.deadline, c.round)
            for c in rows
        ]
    # direktion → strategisk chefforum → erhverv → økonomiudvalget → byrådet: five steps, one row each.
    assert stored == [(s.stage, s.body.key, s.meeting.day, s.deadline, 1) for s in the_plan.steps]
    assert [key for _, key, *_ in stored] == [
        "direktion",
        "strategisk_chefforum",
        "erhverv",
        "oekonomiudvalget",
        "byraadet",
    ]

    # Re-planning replaces the plan rather than adding to it.
    with db.session_scope(synced) as session:
        save_plan(session, session.get(Case, case_id), the_plan)
    assert count(synced, Consultation) == 5


def test_replan_keeps_decisions_and_gives_a_postponed_body_its_next_round(synced, slagelse, plan_2027):
    first = politisk_plan(slagelse, plan_2027)
    with db.session_scope(synced) as session:
        case = new_case(session)
        rows = save_plan(session, case, first)
        session.add(
            Decision(
                consultation_id=rows[0].id,
                outcome=Outcome.APPROVED,
                text="Godkendt.",
                decided_at=dt.datetime(2027, 3, 9, 11, 0, tzinfo=COPENHAGEN),
            )
        )
        session.add(
            Decision(
                consultation_id=rows[1].id,
                outcome=Outcome.POSTPONED,
                text="Udsat.",
                decided_at=dt.datetime(2027, 4, 8, 15, 0, tzinfo=COPENHAGEN),
            )
        )
        case_id = case.id
    # Strategisk Chefforum (2nd Thursday, 5 working days): for a case due 10 March, 11 March's
    # deadline (4 March) has passed; 8 April's (1 April) has not.
    chefforum_day = first.steps[1].meeting.day
    assert chefforum_day == date(2027, 4, 8)

    # Strategisk Chefforum postponed the case: it goes on its next meeting.
    second = politisk_plan(slagelse, plan_2027, held_after={"strategisk_chefforum": chefforum_day})
    with db.session_scope(synced) as session:
        save_plan(session, session.get(Case, case_id), second)

    with Session(synced) as session:
        rows = consultations(session, session.get(Case, case_id))
        summary = [(c.stage, c.round, session.get(Meeting, c.meeting_id).day) for c in rows]
    # Direktionen approved: not treated again. Chefforum: the postponed round 1 stays as history;
    # round 2 is its next meeting, the 2nd Thursday of May 2027 (6 May is the 1st): 13 May.
    assert summary[:3] == [(1, 1, date(2027, 3, 9)), (2, 1, chefforum_day), (2, 2, date(2027, 5, 13))]
    assert [stage for stage, *_ in summary] == [1, 2, 2, 3, 4, 5]

    # Sent back and treated again from the start: Direktionen gets a second round too.
    with db.session_scope(synced) as session:
        save_plan(session, session.get(Case, case_id), second, redo_from_stage=1)
    with Session(synced) as session:
        rounds = [(c.stage, c.round) for c in consultations(session, session.get(Case, case_id))]
    assert rounds == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1), (5, 1)]


def test_save_plan_with_unknown_meetings_writes_nothing(synced, slagelse, plan_2027):
    with db.session_scope(synced) as session:
        case_id = new_case(session).id
        save_plan(session, session.get(Case, case_id), politisk_plan(slagelse, plan_2027))
    # A plan against 2028 meetings that were never stored.
    plan_2028 = meeting_plan(slagelse, date(2028, 1, 1), date(2028, 12, 31))
    late = plan(slagelse.routes["politisk"], Schedule.build(slagelse, plan_2028), date(2028, 3, 1))
    with pytest.raises(LookupError, match="Synkronisér"):
        with db.session_scope(synced) as session:
            save_plan(session, session.get(Case, case_id), late)
    with Session(synced) as session:
        kept = consultations(session, session.get(Case, case_id))
    assert [row.deadline.year for row in kept] == [2027] * 5


# --- transactions and constraints ----------------------------------------------------------


def test_session_scope_commits_or_writes_nothing(engine, slagelse, plan_2027):
    with pytest.raises(RuntimeError):
        with db.session_scope(engine) as session:
            sync_profile(session, slagelse, plan_2027)
            session.flush()
            raise RuntimeError("fejl midt i")
    assert (count(engine, Body), count(engine, Meeting)) == (0, 0)

    with db.session_scope(engine) as session:
        session.add(Body(municipality="slagelse", key="byraadet", name="Byrådet", kind=BodyKind.POLITICAL))
    assert count(engine, Body) == 1


def test_session_scope_uses_the_configured_database(url, tmp_path):
    with configured.session_scope() as session:
        session.add(Body(municipality="slagelse", key="byraadet", name="Byrådet", kind=BodyKind.POLITICAL))
    other = db.make_engine(url)
    assert count(other, Body) == 1
    other.dispose()


def test_the_same_body_cannot_be_stored_twice_in_one_municipality(engine):
    with db.session_scope(engine) as session:
        session.add(Body(municipality="slagelse", key="byraadet", name="Byrådet", kind=BodyKind.POLITICAL))
        session.add(Body(municipality="albertslund", key="byraadet", name="Byrådet", kind=BodyKind.POLITICAL))
    with pytest.raises(IntegrityError):
        with db.session_scope(engine) as session:
            session.add(Body(municipality="slagelse", key="byraadet", name="Byråd", kind=BodyKind.POLITICAL))
    assert count(engine, Body) == 2


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError):
        with db.session_scope(engine) as session:
            row = Meeting(municipality="slagelse", key="byraadet/2027-01-25", body_id=999)
            row.set_start(date(2027, 1, 25), time(18, 0))
            session.add(row)
    assert count(engine, Meeting) == 0


def test_case_refuses_a_journal_number_not_in_kle_form(engine):
    with pytest.raises(ValueError, match="KLE"):
        Case(journal_number="2024-1234")
    with pytest.raises(ValueError, match="e-mail"):
        Case(journal_number="27.00.00-G01-1-24", owner_email="meha.slagelse.dk")


def test_a_stale_copy_of_a_case_cannot_overwrite_a_newer_change(synced):
    with db.session_scope(synced) as session:
        case_id = new_case(session).id
    # Their copy was read in a transaction of its own, before mine (on SQLite a transaction holds
    # the write lock from its start, models.db, so two cannot be open at once in one thread).
    first, second = Session(synced), Session(synced, expire_on_commit=False)
    theirs = second.get(Case, case_id)
    second.commit()
    mine = first.get(Case, case_id)
    mine.title = "Erhvervsstrategi 2027–2030"
    first.commit()
    theirs.title = "Gammel titel"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close(), second.close()
    with Session(synced) as session:
        assert session.get(Case, case_id).title == "Erhvervsstrategi 2027–2030"


def test_outcomes_are_stored_in_danish_and_unknown_ones_refused(synced, slagelse, plan_2027):
    with db.session_scope(synced) as session:
        row = save_plan(session, new_case(session), politisk_plan(slagelse, plan_2027))[0]
        session.add(
            Decision(
                consultation_id=row.id,
                outcome=Outcome.NOTED,
                decided_at=dt.datetime(2027, 3, 9, 11, 0, tzinfo=COPENHAGEN),
            )
        )
    with synced.connect() as connection:
        assert connection.exec_driver_sql("SELECT outcome FROM decisions").scalar_one() == "taget til efterretning"
        with pytest.raises(IntegrityError):
            connection.exec_driver_sql("UPDATE decisions SET outcome = 'måske'")


def test_the_planner_and_the_models_package_import_no_database_library_and_no_prefect():
    """Only the imports named here; the CLI's whole planning path (`sagsgang plan`) is checked in
    tests/cli/test_cli.py::test_planning_path_does_not_import_prefect_or_the_database_layer."""
    code = (
        "import sys, calendars.planner, calendars.meetings, models; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlmodel', 'sqlalchemy', 'alembic', 'prefect'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2], timeout=60
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
