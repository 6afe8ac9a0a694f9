"""A case's life without Prefect: launch, material, decisions and routing, reminders, escalations,
moved meetings, the Monday digest, and two people deciding at once. Mails go to a real SMTP
server (aiosmtpd on 127.0.0.1) and are read back as a person's mail program would.

Expected dates are worked out by hand from calendars/profiles/slagelse.toml, route 'politisk'
(direktion → strategisk chefforum → erhverv → økonomiudvalget → byrådet), for a case ready on
Monday 1 March 2027:
  * Direktionen meets every Tuesday 09:00, deadline 3 working days before at 12:00: the meeting of
    Tuesday 2 March has its deadline on Thursday 25 February (too early), so Tuesday 9 March,
    deadline Thursday 4 March.
  * Strategisk Chefforum meets the 2nd Thursday 13:00, deadline 5 working days before: ready
    Wednesday 10 March; 11 March's deadline (4 March) is too early, so 8 April; its deadline
    steps back over Easter (Anden påskedag 29/3, Langfredag 26/3, Skærtorsdag 25/3) to Thursday 1 April.
  * Erhvervsudvalget (1st Tuesday 15:00, 8 working days): Tuesday 4 May, deadline Thursday 22 April.
  * Økonomiudvalget (Monday the week before Byrådet, 6 working days): Monday 24 May; its deadline
    steps over Anden pinsedag (17 May) to Thursday 13 May.
  * Byrådet (adopted plan: 31 May 2027 18:00, 4 working days): deadline Tuesday 25 May.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from datetime import date

import pytest
from sqlmodel import Session, select

from models.outbox import MessageStatus, OutboxMessage
from models.tables import Case, CaseStatus, Consultation, Decision
from sagsgang.cases import decisions
from sagsgang.cases.scheduling import change_meeting
from sagsgang.inputs import UserError, read_profile
from sagsgang.notifications import reminders
from tests import configured
from tests.lifecycle_world import J, advance, at, daily, decide, launch, plan_of, submit, text

# --- launch --------------------------------------------------------------------------------------


def test_launch_plans_the_whole_route_from_the_ready_date(database):
    launch()
    assert plan_of() == [
        ("direktion", date(2027, 3, 4), date(2027, 3, 9)),
        ("strategisk_chefforum", date(2027, 4, 1), date(2027, 4, 8)),
        ("erhverv", date(2027, 4, 22), date(2027, 5, 4)),
        ("oekonomiudvalget", date(2027, 5, 13), date(2027, 5, 24)),
        ("byraadet", date(2027, 5, 25), date(2027, 5, 31)),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"journal_number": "2024-1234"}, "KLE"),
        ({"owner": "meha.slagelse.dk"}, "e-mailadresse"),
        ({"route": "ukendt"}, "Ruten 'ukendt' findes ikke"),
        ({"target_body": "byraadet", "target_date": date(2027, 4, 26)}, "kan ikke nås"),
    ],
)
def test_bad_launch_input_is_refused_in_danish_and_nothing_is_stored(database, change, message):
    with pytest.raises(UserError, match=message):
        launch(**change)
    with Session(configured.engine()) as session:
        assert session.exec(select(Case)).all() == []
        assert session.exec(select(Consultation)).all() == []


def test_the_same_journal_number_cannot_be_launched_twice(database):
    launch()
    with pytest.raises(UserError, match="findes allerede"):
        launch(title="En anden sag")


def test_a_journal_number_typed_with_spaces_around_it_is_the_same_case(database):
    launch()
    with pytest.raises(UserError, match="findes allerede"):
        launch(journal_number=f" {J}\n", title="En anden sag")
    with Session(configured.engine()) as session:
        assert session.exec(select(Case.journal_number)).all() == [J]


# --- reminders ------------------------------------------------------------------------------------


def test_owner_is_reminded_5_and_1_working_days_before_the_deadline_once_each(database, smtp):
    launch()
    # Deadline Thursday 4 March: 5 working days before is Thursday 25 February, already past at
    # launch on 1 March, so the 5-day reminder goes out at once; the 1-day one on Wednesday 3 March.
    daily(date(2027, 3, 1))
    daily(date(2027, 3, 1))  # the daily run twice on the same day: nothing twice
    daily(date(2027, 3, 2))
    reminders_sent = [m for m in smtp.messages if m["Subject"].startswith("Påmindelse")]
    assert len(reminders_sent) == 1
    daily(date(2027, 3, 3))
    daily(date(2027, 3, 3))
    reminders_sent = [m for m in smtp.messages if m["Subject"].startswith("Påmindelse")]
    assert len(reminders_sent) == 2
    first, second = reminders_sent
    assert first["To"].addresses[0].addr_spec == "meha@slagelse.dk"
    assert "torsdag 4. marts 2027 kl. 12:00: om 3 arbejdsdage" in text(first)
    assert "torsdag 4. marts 2027 kl. 12:00: om 1 arbejdsdag" in text(second)
    assert "Direktionen" in second["Subject"] and "Erhvervsstrategi 2027" in second["Subject"]


def test_no_reminder_once_the_material_is_in(database, smtp):
    launch()
    daily(date(2027, 3, 1))
    submit(date(2027, 3, 2))
    daily(date(2027, 3, 3))
    daily(date(2027, 3, 5))  # and no escalation either: the deadline was met
    assert [s for s in smtp.subjects() if not s.startswith("Ugeoversigt")] == [
        "Påmindelse: sagsfrist 4. marts 2027 – «Erhvervsstrategi 2027» til Direktionen"
    ]  # the one at launch


def test_a_missed_deadline_escalates_to_the_manager_and_moves_the_case_to_the_next_meeting(database, smtp):
    launch()
    daily(date(2027, 3, 4))  # the deadline day itself: no escalation yet
    assert not [m for m in smtp.messages if m["Subject"].startswith("Overskredet")]
    daily(date(2027, 3, 5))  # Friday, the working day after the missed deadline
    daily(date(2027, 3, 5))
    escalations = [m for m in smtp.messages if m["Subject"].startswith("Overskredet")]
    assert len(escalations) == 1
    body = text(escalations[0])
    assert escalations[0]["To"].addresses[0].addr_spec == "labe@slagelse.dk"
    assert "torsdag 4. marts 2027 kl. 12:00" in body  # the deadline that was missed
    # Next Direktion meeting: Tuesday 16 March, deadline 3 working days before: Thursday 11 March.
    assert "tirsdag 16. marts 2027" in body and "torsdag 11. marts 2027" in body
    assert plan_of()[0] == ("direktion", date(2027, 3, 11), date(2027, 3, 16))
    # The next stage still fits: ready 17 March, Strategisk Chefforum 8 April as before.
    assert plan_of()[1] == ("strategisk_chefforum", date(2027, 4, 1), date(2027, 4, 8))


def test_a_deadline_that_moves_makes_its_pending_reminder_obsolete(database, smtp, monkeypatch):
    launch()
    monkeypatch.setenv("SAGSGANG_SMTP_PORT", "1")  # the mail server is down at launch
    report = daily(date(2027, 3, 2))
    assert report.failed and not smtp.messages
    with configured.session_scope() as session:  # Direktionen moves its meeting from 9 to 10 March
        change_meeting(session, read_profile("slagelse"), "direktion", date(2027, 3, 9), date(2027, 3, 10))
    advance(J, date(2027, 3, 2))
    monkeypatch.setenv("SAGSGANG_SMTP_PORT", str(smtp.port))
    daily(date(2027, 3, 2), hour=9)
    # Wednesday 10 March: 3 working days before is Friday 5 March. The owner never hears of 4 March.
    assert len(smtp.messages) == 1
    assert "fredag 5. marts 2027 kl. 12:00" in text(smtp.messages[0])
    assert "4. marts" not in text(smtp.messages[0]) + smtp.messages[0]["Subject"]
    with Session(configured.engine()) as session:
        statuses = sorted(row.status for row in session.exec(select(OutboxMessage)))
    assert statuses == [MessageStatus.OBSOLETE, MessageStatus.SENT]


def test_reminder_mail_carries_the_deadline_as_a_calendar_event(database, smtp):
    import icalendar

    launch()
    daily(date(2027, 3, 1))
    attachment = next(smtp.messages[0].iter_attachments())
    assert attachment.get_filename() == "sagsfrist.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (date(2027, 3, 4), 12, 0)
    assert start.utcoffset() == dt.timedelta(hours=1)  # Copenhagen winter time
    assert "Direktionen" in str(event["SUMMARY"])
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Copenhagen"
    # The 1-day reminder's event is the same deadline: the same UID, so calendars update, not duplicate.
    daily(date(2027, 3, 3))
    later = icalendar.Calendar.from_ical(next(smtp.messages[-1].iter_attachments()).get_content())
    assert later.walk("VEVENT")[0]["UID"] == event["UID"]


def test_monday_digest_lists_each_persons_deadlines_for_the_next_two_weeks(database, smtp):
    launch()
    launch("27.00.00-G01-2-27", title="Havnestrategi", owner="anje@slagelse.dk", ready=date(2027, 3, 8))
    daily(date(2027, 3, 8))  # Monday
    digests = {m["To"].addresses[0].addr_spec: m for m in smtp.messages if m["Subject"].startswith("Ugeoversigt")}
    assert set(digests) == {"meha@slagelse.dk", "anje@slagelse.dk", "labe@slagelse.dk"}
    # Mette's case missed its 4 March deadline; the same run escalated it to Direktionen 16 March,
    # deadline Thursday 11 March, which is within her two weeks.
    assert "torsdag 11. marts 2027" in text(digests["meha@slagelse.dk"])
    assert "Havnestrategi" not in text(digests["meha@slagelse.dk"])
    # The other case, ready 8 March: Direktionen 16 March, deadline Thursday 11 March too.
    assert "Havnestrategi" in text(digests["anje@slagelse.dk"])
    # The manager of both sees both.
    manager = text(digests["labe@slagelse.dk"])
    assert "Havnestrategi" in manager and "Erhvervsstrategi 2027" in manager
    daily(date(2027, 3, 9))  # Tuesday: no digest
    assert len([m for m in smtp.messages if m["Subject"].startswith("Ugeoversigt")]) == 3


# --- decisions and routing ---------------------------------------------------------------------------


def test_approval_moves_the_case_on_and_the_councils_decision_ends_it(database):
    launch()
    for body, day in (
        ("direktion", date(2027, 3, 9)),
        ("strategisk_chefforum", date(2027, 4, 8)),
        ("erhverv", date(2027, 5, 4)),
        ("oekonomiudvalget", date(2027, 5, 24)),
    ):
        submit(day - dt.timedelta(days=10))
        decide(body, "godkendt" if body != "oekonomiudvalget" else "anbefalet", day)
    assert [body for body, _, _ in plan_of()] == ["byraadet"]
    decide("byraadet", "godkendt", date(2027, 5, 31))
    with Session(configured.engine()) as session:
        case = session.exec(select(Case)).one()
        assert case.status == CaseStatus.CLOSED
        assert len(session.exec(select(Decision)).all()) == 5


def test_postponed_goes_to_the_same_bodys_next_meeting_and_replans_what_follows(database):
    launch()
    submit(date(2027, 3, 2))
    decide("direktion", "godkendt", date(2027, 3, 9))
    decide("strategisk_chefforum", "udsat", date(2027, 4, 8))
    # Strategisk Chefforum's next meeting: 2nd Thursday of May, 13 May. Erhverv then 1 June
    # (deadline 8 working days before: Thursday 20 May); ØU the Monday a week before the council
    # of 28 June: 21 June (deadline Friday 11 June); Byrådet 28 June (deadline Tuesday 22 June).
    assert [(body, meeting) for body, _, meeting in plan_of()] == [
        ("strategisk_chefforum", date(2027, 5, 13)),
        ("erhverv", date(2027, 6, 1)),
        ("oekonomiudvalget", date(2027, 6, 21)),
        ("byraadet", date(2027, 6, 28)),
    ]
    assert plan_of()[1][1] == date(2027, 5, 20)
    # The postponed case keeps its material: no reminder for Chefforum's next deadline.
    with configured.session_scope() as session:
        due = reminders.find_due(session, at(date(2027, 5, 6)).now())
    assert due == []


def test_sent_back_is_planned_again_from_the_new_ready_date(database):
    launch()
    for body, day in (("direktion", date(2027, 3, 9)), ("strategisk_chefforum", date(2027, 4, 8))):
        submit(day - dt.timedelta(days=10))
        decide(body, "godkendt", day)
    decide("erhverv", "tilbagesendt", date(2027, 5, 4), new_ready=date(2027, 9, 1))
    steps = plan_of()
    # Ready 1 September: Erhverv's 7 September meeting has its deadline on 26 August (too early);
    # 5 October's is Thursday 23 September.
    assert steps[0] == ("erhverv", date(2027, 9, 23), date(2027, 10, 5))
    assert steps[1][0] == "oekonomiudvalget" and steps[1][2] > date(2027, 10, 5)
    assert steps[2][0] == "byraadet" and steps[2][2] > steps[1][2]


def test_not_approved_ends_the_case_and_its_reminders(database, smtp):
    launch()
    submit(date(2027, 3, 2))
    decide("direktion", "ikke godkendt", date(2027, 3, 9))
    with Session(configured.engine()) as session:
        assert session.exec(select(Case)).one().status == CaseStatus.CLOSED
    daily(date(2027, 3, 30))
    daily(date(2027, 4, 2))
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("body", "outcome", "day", "message"),
    [
        ("direktion", "godkendt", date(2027, 3, 8), "først tirsdag 9. marts 2027"),
        ("byraadet", "godkendt", date(2027, 6, 1), "ikke til behandling i Byrådet nu; den venter på Direktionen"),
        ("direktion", "vedtaget", date(2027, 3, 9), "ikke et udfald"),
    ],
)
def test_a_decision_that_cannot_be_is_refused_in_danish(database, body, outcome, day, message):
    launch()
    with pytest.raises(UserError, match=message):
        with configured.session_scope() as session:
            decisions.record_decision(session, J, body, outcome, "", at(day, 18))
    with Session(configured.engine()) as session:
        assert session.exec(select(Decision)).all() == []


# Two transactions that both read the case before either writes, and the optimistic lock's conflict
# between them: tests/e2e/test_concurrent_decisions_e2e.py, on PostgreSQL. On SQLite a transaction
# holds the write lock from its start (models.db), so the second waits for the first and sees it:


def test_two_decisions_at_once_on_sqlite_are_taken_one_after_the_other_and_both_stand(database, monkeypatch):
    # politisk_oekonomi: the four fagudvalg treat the case in parallel in stage 3 (as on PostgreSQL).
    launch(route="politisk_oekonomi")
    submit(date(2027, 3, 2))
    decide("direktion", "godkendt", date(2027, 3, 9))
    submit(date(2027, 3, 30))
    decide("strategisk_chefforum", "godkendt", date(2027, 4, 8))
    start = threading.Barrier(2, timeout=10)
    real_load_state = decisions.load_state

    def load_state_slowly(*args, **kwargs):
        state = real_load_state(*args, **kwargs)
        time.sleep(0.3)  # time for the other secretary to read the case too, were that possible
        return state

    monkeypatch.setattr(decisions, "load_state", load_state_slowly)
    results = {}

    def record(body: str) -> None:
        start.wait()
        try:
            with configured.session_scope() as session:
                decisions.record_decision(session, J, body, "anbefalet", f"{body} anbefaler.", at(date(2027, 5, 4), 18))
            results[body] = "gemt"
        except UserError as error:
            results[body] = str(error)

    threads = [threading.Thread(target=record, args=(body,)) for body in ("boern_unge", "erhverv")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == {"boern_unge": "gemt", "erhverv": "gemt"}
    with Session(configured.engine()) as session:
        texts = sorted(d.text for d in session.exec(select(Decision)).all())
    assert len(texts) == 4 and {"boern_unge anbefaler.", "erhverv anbefaler."} <= set(texts)


# --- meetings moved and cancelled ----------------------------------------------------------------------


def test_a_cancelled_meeting_moves_every_case_on_it_to_the_next_one(database):
    launch()
    launch("27.00.00-G01-2-27", title="Havnestrategi")
    with configured.session_scope() as session:
        change_meeting(session, read_profile("slagelse"), "direktion", date(2027, 3, 9))
    for journal_number in (J, "27.00.00-G01-2-27"):
        advance(journal_number, date(2027, 3, 2))
        assert plan_of(journal_number)[0] == ("direktion", date(2027, 3, 11), date(2027, 3, 16))


def test_moving_a_meeting_onto_another_of_the_bodys_meetings_is_refused(database):
    launch()
    with pytest.raises(UserError, match="har allerede mødet"):
        with configured.session_scope() as session:
            change_meeting(session, read_profile("slagelse"), "direktion", date(2027, 3, 9), date(2027, 3, 16))
