"""Catch-up after quiet weeks (issue 11): a case launched, nothing run for six weeks, then one daily
check on Monday 15 February 2027. The mails go to a real SMTP server (aiosmtpd) and are read back.

Dates worked out by hand from calendars/profiles/slagelse.toml, route 'politisk', ready Monday
4 January 2027 (the town hall is closed 27–31 December and 1 January is a holiday):
  * Direktionen (every Tuesday 09:00, deadline 3 working days before at 12:00): Tuesday 5 January's
    deadline falls in December, so Tuesday 12 January, deadline Thursday 7 January.
  * Strategisk Chefforum (2nd Thursday 13:00, 5 working days): 11 February, deadline Thursday 4 February.
  * Erhvervsudvalget (1st Tuesday 15:00, 8 working days): 2 March, deadline Thursday 18 February.
On 15 February the Direktion's deadline and meeting have passed without material, and so have the
Chefforum's (a stage the case never reached). Escalated from 15 February, Direktionen's next meeting
with a deadline ahead is Tuesday 23 February (deadline Thursday 18 February); the Chefforum then
11 March (deadline 4 March), Erhvervsudvalget 6 April.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models.outbox import MessageKind, MessageStatus, OutboxMessage
from sagsgang.cases.description import describe
from sagsgang.cases.state import StepState, find_case, load_state
from tests import configured
from tests.lifecycle_world import J, daily, launch, plan_of, text


def mails(smtp) -> list[tuple[str, str, str]]:
    """(recipient, subject, body) of every mail the server accepted, in order."""
    return [(m["To"].addresses[0].addr_spec, m["Subject"], text(m).replace("\r\n", "\n")) for m in smtp.messages]


def states(day: date) -> dict[str, StepState]:
    with configured.session_scope() as session:
        state = load_state(session, find_case(session, J))
        return {t.body: state.step_state(t, day) for t in state.pending()}


def test_six_quiet_weeks_then_one_daily_check_follows_the_current_plan_only(database, smtp, monkeypatch):
    launch(ready=date(2027, 1, 4))
    # Launch day, with the mail server down: the 5-day reminder for 7 January stays in the outbox.
    monkeypatch.setenv("SAGSGANG_SMTP_PORT", "1")
    daily(date(2027, 1, 4))
    monkeypatch.setenv("SAGSGANG_SMTP_PORT", str(smtp.port))

    # Six quiet weeks. Before the check runs, the case already says where it stands.
    assert states(date(2027, 2, 15)) == {
        "direktion": StepState.DEADLINE_MISSED,
        "strategisk_chefforum": StepState.NOT_REACHED,  # 4 and 11 February passed while it waited
        "erhverv": StepState.LATER,
        "oekonomiudvalget": StepState.LATER,
        "byraadet": StepState.LATER,
    }
    with configured.session_scope() as session:
        shown = describe(session, find_case(session, J), date(2027, 2, 15))
    assert shown[0].endswith(": åben, frist overskredet")
    assert (
        "  Sagsfrist torsdag 7. januar 2027 kl. 12:00 → møde i Direktionen tirsdag 12. januar 2027 kl. 09:00 – frist overskredet"
        in shown
    )
    assert any("Strategisk Chefforum torsdag 11. februar 2027" in line and "ikke nået" in line for line in shown)

    daily(date(2027, 2, 15))  # Monday: the one daily check: an escalation, then the weekly digest

    sent = mails(smtp)
    assert [(to, subject) for to, subject, _ in sent] == [
        ("labe@slagelse.dk", "Overskredet sagsfrist: «Erhvervsstrategi 2027» til Direktionen"),
        ("meha@slagelse.dk", "Ugeoversigt: sagsfrister 15. februar 2027 – 28. februar 2027"),
        ("labe@slagelse.dk", "Ugeoversigt: sagsfrister 15. februar 2027 – 28. februar 2027"),
    ]
    escalation, owners_digest, managers_digest = (body for _, _, body in sent)
    # The missed deadline with its own meeting, and the new plan's deadline with the new plan's meeting.
    assert (
        "nåede ikke sagsfristen\ntorsdag 7. januar 2027 kl. 12:00 til mødet i Direktionen tirsdag 12. januar 2027."
        in escalation
    )
    assert "næste mulige møde i Direktionen: tirsdag 23. februar 2027 kl. 09:00." in escalation
    assert "Ny sagsfrist: torsdag 18. februar 2027 kl. 12:00." in escalation
    line = (
        "- torsdag 18. februar 2027 kl. 12:00: «Erhvervsstrategi 2027» (27.00.00-G01-1-27) til Direktionen, "
        "møde tirsdag 23. februar 2027"
    )
    assert line in owners_digest and line + " (du er leder; sagsbehandler: Mette Hansen)" in managers_digest
    # Nothing about a stage the case has not reached, nor the reminder queued under the old plan.
    for _, subject, body in sent:
        assert "Chefforum" not in subject + body and "Erhvervs-" not in subject + body
        assert "Påmindelse" not in subject
    with Session(configured.engine()) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REMINDER)).all()
    assert [(row.deadline, row.status) for row in rows] == [(date(2027, 1, 7), MessageStatus.OBSOLETE)]
    assert plan_of()[:3] == [
        ("direktion", date(2027, 2, 18), date(2027, 2, 23)),
        ("strategisk_chefforum", date(2027, 3, 4), date(2027, 3, 11)),
        ("erhverv", date(2027, 3, 22), date(2027, 4, 6)),
    ]

    # The next run (the service's wake-up, minutes later) reminds the owner of the new deadline,
    # paired with its own meeting; and a run after that sends nothing again.
    daily(date(2027, 2, 15), hour=9)
    daily(date(2027, 2, 15), hour=10)
    daily(date(2027, 2, 16))  # the 1-day reminder is due on Wednesday, not yet
    assert len(smtp.messages) == 4
    to, subject, body = mails(smtp)[3]
    assert to == "meha@slagelse.dk"
    assert (
        subject.startswith("Påmindelse: sagsfrist 18. februar 2027")
        and "«Erhvervsstrategi 2027» til Direktionen" in subject
    )
    assert "skal på mødet i Direktionen\ntirsdag 23. februar 2027 kl. 09:00" in body
    assert "Sagsfristen er torsdag 18. februar 2027 kl. 12:00: om 3 arbejdsdage." in body
    daily(date(2027, 2, 17))
    to, subject, body = mails(smtp)[4]
    assert to == "meha@slagelse.dk" and "Sagsfristen er torsdag 18. februar 2027 kl. 12:00: om 1 arbejdsdag." in body

    # Friday 19 February: the new deadline is missed too: one escalation for it, one only (three
    # runs that day); the owner then hears of the deadline after it, with its own meeting.
    for hour in (8, 9, 10):
        daily(date(2027, 2, 19), hour=hour)
    later = mails(smtp)[5:]
    assert [(to, subject.split(":")[0]) for to, subject, _ in later] == [
        ("labe@slagelse.dk", "Overskredet sagsfrist"),
        ("meha@slagelse.dk", "Påmindelse"),
    ]
    escalation, reminder = later[0][2], later[1][2]
    assert "torsdag 18. februar 2027 kl. 12:00 til mødet i Direktionen tirsdag 23. februar 2027." in escalation
    # Ready from 19 February: Tuesday 23 February's deadline has passed, so 2 March (deadline 25 February).
    assert "næste mulige møde i Direktionen: tirsdag 2. marts 2027 kl. 09:00." in escalation
    assert "Ny sagsfrist: torsdag 25. februar 2027 kl. 12:00." in escalation
    assert "skal på mødet i Direktionen\ntirsdag 2. marts 2027 kl. 09:00" in reminder
    assert "Sagsfristen er torsdag 25. februar 2027 kl. 12:00: om 4 arbejdsdage." in reminder


def test_parallel_bodies_each_get_one_escalation_naming_their_own_missed_meeting(database, smtp):
    # politisk_oekonomi: the four fagudvalg treat the case in parallel in stage 3, ready from the
    # Chefforum's 8 April: Børne- og Ungeudvalget Monday 3 May (deadline 8 working days before:
    # Wednesday 21 April), Erhvervsudvalget Tuesday 4 May (22 April), Kultur- og Fritidsudvalget
    # Wednesday 5 May (23 April); Miljøudvalget's 1st Thursday, 6 May, is Kristi himmelfartsdag,
    # so Friday 7 May (deadline Monday 26 April).
    from tests.lifecycle_world import decide, submit

    launch(route="politisk_oekonomi")
    submit(date(2027, 3, 2))
    decide("direktion", "godkendt", date(2027, 3, 9))
    submit(date(2027, 3, 30))
    decide("strategisk_chefforum", "godkendt", date(2027, 4, 8))
    daily(date(2027, 4, 26))  # Monday: three deadlines missed, Miljøudvalget's is today
    daily(date(2027, 4, 26), hour=9)

    escalations = [(subject, body) for _, subject, body in mails(smtp) if subject.startswith("Overskredet")]
    assert len(escalations) == 3
    # Each names the deadline it missed with that deadline's own meeting, then its new plan (from
    # 26 April): Børne- og Ungeudvalget 7 June (deadline 26 May), Erhverv 1 June (20 May, over
    # Anden pinsedag 17 May), Kultur 2 June (21 May).
    expected = {
        "Børne- og Ungeudvalget": (
            "onsdag 21. april 2027",
            "mandag 3. maj 2027",
            "mandag 7. juni 2027",
            "onsdag 26. maj 2027",
        ),
        "Erhvervs-, Beskæftigelses- og Uddannelsesudvalget": (
            "torsdag 22. april 2027",
            "tirsdag 4. maj 2027",
            "tirsdag 1. juni 2027",
            "torsdag 20. maj 2027",
        ),
        "Kultur-, Fritids- og Turismeudvalget": (
            "fredag 23. april 2027",
            "onsdag 5. maj 2027",
            "onsdag 2. juni 2027",
            "fredag 21. maj 2027",
        ),
    }
    for subject, body in escalations:
        name = subject.split(" til ")[-1]
        missed, meeting, new_meeting, new_deadline = expected.pop(name)
        assert f"nåede ikke sagsfristen\n{missed} kl. 12:00 til mødet i {name} {meeting}." in body
        assert f"næste mulige møde i {name}: {new_meeting} kl. 15:00." in body
        assert f"Ny sagsfrist: {new_deadline} kl. 12:00." in body
    assert expected == {}
    reminders = [body for _, subject, body in mails(smtp) if subject.startswith("Påmindelse")]
    assert len(reminders) == 1  # Miljøudvalget's deadline is today, its meeting unchanged
    assert "Miljø-, Plan- og Landdistriktsudvalget\nfredag 7. maj 2027 kl. 15:00" in reminders[0]
