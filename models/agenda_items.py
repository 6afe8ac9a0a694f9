"""Between the tables and the agenda documents: put texts on a case, put a case on a meeting,
record decisions, and read one meeting's items back as values (sagsgang.publishing.agenda lays them out).

Every function works inside the caller's session and leaves committing to it (see
models.db.session_scope), so a function that refuses its input half-way writes nothing. Errors
are Danish (ValueError for bad values, LookupError for things that do not exist): they reach
the secretariat through the CLI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.danish import long_date
from calendars.meetings import MeetingStatus
from calendars.profiles import BodyKind, Profile, agenda_calendar
from models.content import Attachment, CaseContent, ItemKind, MeetingNotes, RecommendationPoint, check_slot
from models.errors import Ambiguous, Invalid, NotFound
from models.tables import (
    Body,
    Case,
    Consultation,
    Decision,
    LateAddition,
    Meeting,
    Outcome,
    check_journal_number,
    saved_id,
)


@dataclass(frozen=True)
class AttachmentText:
    title: str
    file: str = ""


@dataclass(frozen=True)
class CaseText:
    """What the secretariat writes for a case's agenda item."""

    kind: ItemKind = ItemKind.DECISION
    slot_minutes: int | None = None
    occasion: str = ""  # Anledning
    presentation: str = ""  # Sagsfremstilling
    recommender: str = ""  # "Kommunaldirektøren" indstiller, …
    points: tuple[str, ...] = ()  # Indstilling: "at …", numbered from 1
    economy: str = ""  # Økonomi
    legal_basis: str = ""  # Lovgrundlag
    attachments: tuple[AttachmentText, ...] = ()  # Bilag


@dataclass(frozen=True)
class Treatment:
    """A body's decision on a case at one meeting: an item's Beslutning, or a Historik line."""

    body: str  # the body's name
    day: dt.date
    outcome: Outcome
    text: str  # as recorded; may be empty


@dataclass(frozen=True)
class LateNote:
    """Who decided that the case goes on the meeting after its deadline, and why."""

    decided_by: str
    reason: str


@dataclass(frozen=True)
class StoredItem:
    """A case on the meeting, with everything the documents print about it."""

    journal_number: str
    title: str
    closed: bool  # lukket punkt
    text: CaseText | None  # None while the secretariat has written nothing
    history: tuple[Treatment, ...]  # earlier decisions, oldest first
    decision: Treatment | None  # the decision at this meeting, once recorded
    late: LateNote | None = None  # put on this meeting after its deadline ("eftersendt punkt")


@dataclass(frozen=True)
class StoredMeeting:
    municipality: str  # the profile's key
    key: str
    body_key: str
    body_name: str
    body_kind: BodyKind
    day: dt.date
    time: dt.time
    place: str
    status: MeetingStatus
    previous_day: dt.date | None  # the body's meeting before this one, whose minutes are approved
    journal_number: str  # of the standing items
    approval_decision: str
    other_business_decision: str
    items: tuple[StoredItem, ...]  # in the order they were put on the meeting


# --- finding things ------------------------------------------------------------------------


def find_meeting(session: Session, body_key: str, day: dt.date, municipality: str | None = None) -> Meeting:
    """The body's meeting on `day`; `municipality` may be left out when only one has the body."""
    bodies = session.exec(select(Body).where(Body.key == body_key)).all()
    if municipality is not None:
        bodies = [body for body in bodies if body.municipality == municipality]
    if not bodies:
        query = select(Body.key).distinct()
        known = session.exec(query.where(Body.municipality == municipality) if municipality else query).all()
        hint = f" Kendte organer: {', '.join(sorted(known))}." if known else " Synkronisér profilen først."
        where = f" for {municipality}" if municipality else ""
        raise NotFound(f"Organet '{body_key}' findes ikke i databasen{where}.{hint}", "body", body_key, "body")
    if len({body.municipality for body in bodies}) > 1:
        names = ", ".join(sorted(body.municipality for body in bodies))
        raise Ambiguous(
            f"Organet '{body_key}' findes i flere kommuner ({names}).", "body", body_key, sorted(names.split(", "))
        )
    body = bodies[0]
    meetings = session.exec(
        select(Meeting)
        .where(Meeting.body_id == body.id, Meeting.day == day)
        .order_by(col(Meeting.status) == MeetingStatus.CANCELLED)
    ).all()
    if meetings:
        return meetings[0]
    nearby = session.exec(
        select(col(Meeting.day))
        .where(
            Meeting.body_id == body.id,
            Meeting.status != MeetingStatus.CANCELLED,
            col(Meeting.day).between(day - dt.timedelta(days=45), day + dt.timedelta(days=45)),
        )
        .order_by(col(Meeting.day))
    ).all()
    hint = (" Møder omkring den dato: " + ", ".join(long_date(d) for d in nearby) + ".") if nearby else ""
    raise NotFound(f"{body.name} har intet møde {long_date(day)}.{hint}", "meeting", f"{body_key}/{day}", "day")


def find_case(session: Session, journal_number: str, municipality: str | None = None) -> Case:
    journal_number = check_journal_number(journal_number)
    query = select(Case).where(Case.journal_number == journal_number)
    if municipality is not None:
        query = query.where(Case.municipality == municipality)
    cases = session.exec(query).all()
    if not cases:
        raise NotFound(
            f"Der er ingen sag med journalnummer {journal_number}{f' i {municipality}' if municipality else ''}.",
            "case",
            journal_number,
            "journal_number",
        )
    if len(cases) > 1:
        names = sorted(c.municipality for c in cases)
        raise Ambiguous(
            f"Journalnummeret {journal_number} findes i flere kommuner ({', '.join(names)}).",
            "case",
            journal_number,
            names,
        )
    return cases[0]


# --- writing -------------------------------------------------------------------------------


def set_case_content(session: Session, case: Case, text: CaseText) -> CaseContent:
    """Give the case these texts, replacing what it had (points and attachments included)."""
    check_slot(text.slot_minutes)
    if any(not point.strip() for point in text.points):
        raise Invalid(
            'Et indstillingspunkt er tomt. Skriv fx "at Chefforum tager orienteringen til efterretning".', "points"
        )
    if any(not attachment.title.strip() for attachment in text.attachments):
        raise Invalid("Et bilag mangler sin titel.", "attachments")
    if case.id is None:
        session.add(case)
        session.flush()
    case_id = saved_id(case)
    content = session.exec(select(CaseContent).where(CaseContent.case_id == case_id)).first()
    if content is None:
        content = CaseContent(case_id=case_id)
        session.add(content)
    content.kind = ItemKind(text.kind)
    content.slot_minutes = text.slot_minutes
    content.occasion, content.presentation = text.occasion.strip(), text.presentation.strip()
    content.recommender = text.recommender.strip()
    content.economy, content.legal_basis = text.economy.strip(), text.legal_basis.strip()
    # Core DELETEs run now; the ORM would order them after the INSERTs below (unique numbers).
    session.exec(sa.delete(RecommendationPoint).where(col(RecommendationPoint.case_id) == case_id))
    session.exec(sa.delete(Attachment).where(col(Attachment.case_id) == case_id))
    session.add_all(
        RecommendationPoint(case_id=case_id, number=number, text=point.strip())
        for number, point in enumerate(text.points, start=1)
    )
    session.add_all(
        Attachment(case_id=case_id, number=number, title=a.title.strip(), file=a.file.strip())
        for number, a in enumerate(text.attachments, start=1)
    )
    session.flush()
    return content


def put_on_agenda(
    session: Session, profile: Profile, case: Case, body_key: str, day: dt.date, stage: int | None = None
) -> Consultation:
    """Put the case on the body's meeting on `day` directly (the planner's save_plan does it
    for a whole route). `stage` defaults to the first stage of the case's route with the body."""
    if body_key not in profile.bodies:
        raise NotFound(f"Organet '{body_key}' findes ikke i {profile.name}.", "body", body_key, "body")
    meeting = find_meeting(session, body_key, day, profile.key)
    if meeting.cancelled:
        raise Invalid(f"{profile.bodies[body_key].name}s møde {long_date(day)} er aflyst.", "day")
    if stage is None:
        route = profile.routes.get(case.route_key)
        stages = [n for n, members in enumerate(route.stages, start=1) if body_key in members] if route else []
        stage = stages[0] if stages else 1
    if case.id is None:
        session.add(case)
        session.flush()
    rounds = session.exec(
        select(sa.func.max(Consultation.round)).where(
            Consultation.case_id == case.id, Consultation.stage == stage, Consultation.body_id == meeting.body_id
        )
    ).one()
    body = profile.bodies[body_key]
    calendar = profile.calendar
    deadline = calendar.day_at(body.deadline.position(calendar, day))
    agenda_due = None
    if body.agenda:
        agenda_due = agenda_calendar(profile, body.agenda).add_working_days(day, -body.agenda.working_days_before)
    row = Consultation(
        case_id=saved_id(case),
        stage=stage,
        body_id=meeting.body_id,
        round=(rounds or 0) + 1,
        meeting_id=saved_id(meeting),
        deadline=deadline,
        latest_meeting_id=saved_id(meeting),
        latest_deadline=deadline,
        slack_working_days=0,
        agenda_due=agenda_due,
    )
    session.add(row)
    session.flush()
    return row


def record_decision(
    session: Session,
    consultation: Consultation,
    outcome: Outcome | str,
    text: str = "",
    decided_at: dt.datetime | None = None,
) -> Decision:
    """The body's decision on the case at the consultation's meeting (by default at its start)."""
    try:
        outcome = Outcome(outcome)
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise Invalid(f"'{outcome}' er ikke et udfald. Brug et af: {choices}.", "outcome") from None
    meeting = session.get_one(Meeting, consultation.meeting_id)
    if session.exec(select(Decision.id).where(Decision.consultation_id == consultation.id)).first() is not None:
        case = session.get_one(Case, consultation.case_id)
        raise Invalid(
            f"Sagen {case.journal_number} har allerede en beslutning fra mødet {long_date(meeting.day)}.", "outcome"
        )
    row = Decision(
        consultation_id=saved_id(consultation),
        outcome=outcome,
        text=text.strip(),
        decided_at=decided_at or meeting.starts_at,
    )
    session.add(row)
    session.flush()
    return row


def set_meeting_notes(
    session: Session,
    meeting: Meeting,
    *,
    journal_number: str | None = None,
    approval_decision: str | None = None,
    other_business_decision: str | None = None,
) -> MeetingNotes:
    """Record the standing items' journal number and decisions; None leaves a value as it is."""
    notes = session.exec(select(MeetingNotes).where(MeetingNotes.meeting_id == meeting.id)).first()
    if notes is None:
        notes = MeetingNotes(meeting_id=saved_id(meeting))
        session.add(notes)
    if journal_number is not None:
        notes.journal_number = journal_number.strip()
    if approval_decision is not None:
        notes.approval_decision = approval_decision.strip()
    if other_business_decision is not None:
        notes.other_business_decision = other_business_decision.strip()
    session.flush()
    return notes


# --- reading -------------------------------------------------------------------------------


def load_agenda(session: Session, meeting: Meeting) -> StoredMeeting:
    """The meeting and every case planned on it, with texts, history and decisions."""
    body = session.get_one(Body, meeting.body_id)
    previous_day = session.exec(
        select(sa.func.max(Meeting.day)).where(
            Meeting.body_id == meeting.body_id, Meeting.day < meeting.day, Meeting.status != MeetingStatus.CANCELLED
        )
    ).one()
    notes = session.exec(select(MeetingNotes).where(MeetingNotes.meeting_id == meeting.id)).first()
    rows = session.exec(
        select(Consultation, Case)
        .join(Case, col(Consultation.case_id) == col(Case.id))
        .where(Consultation.meeting_id == meeting.id)
        .order_by(col(Consultation.id))
    ).all()
    case_ids = [saved_id(case) for _, case in rows]
    texts = _texts(session, case_ids)
    treatments = _treatments(session, case_ids)
    late = {
        row.case_id: LateNote(row.decided_by, row.reason)
        for row in session.exec(
            select(LateAddition).where(LateAddition.meeting_id == meeting.id, col(LateAddition.case_id).in_(case_ids))
        )
    }
    items = []
    for consultation, case in rows:
        earlier = tuple(
            t
            for consultation_id, starts_at, t in treatments.get(saved_id(case), [])
            if starts_at < meeting.starts_at and consultation_id != consultation.id
        )
        decision = next(
            (t for consultation_id, _, t in treatments.get(saved_id(case), []) if consultation_id == consultation.id),
            None,
        )
        items.append(
            StoredItem(
                case.journal_number,
                case.title,
                case.closed_item,
                texts.get(saved_id(case)),
                earlier,
                decision,
                late.get(saved_id(case)),
            )
        )
    return StoredMeeting(
        municipality=meeting.municipality,
        key=meeting.key,
        body_key=body.key,
        body_name=body.name,
        body_kind=body.kind,
        day=meeting.day,
        time=meeting.local_time,
        place=meeting.place,
        status=meeting.status,
        previous_day=previous_day,
        journal_number=notes.journal_number if notes else "",
        approval_decision=notes.approval_decision if notes else "",
        other_business_decision=notes.other_business_decision if notes else "",
        items=tuple(items),
    )


def case_text(session: Session, case: Case) -> CaseText | None:
    """The texts written for the case (None while none were)."""
    return _texts(session, [saved_id(case)]).get(saved_id(case))


def _texts(session: Session, case_ids: list[int]) -> dict[int, CaseText]:
    contents = session.exec(select(CaseContent).where(col(CaseContent.case_id).in_(case_ids))).all()
    points: dict[int, list[str]] = {}
    for point in session.exec(
        select(RecommendationPoint)
        .where(col(RecommendationPoint.case_id).in_(case_ids))
        .order_by(col(RecommendationPoint.number))
    ):
        points.setdefault(point.case_id, []).append(point.text)
    attachments: dict[int, list[AttachmentText]] = {}
    for attachment in session.exec(
        select(Attachment).where(col(Attachment.case_id).in_(case_ids)).order_by(col(Attachment.number))
    ):
        attachments.setdefault(attachment.case_id, []).append(AttachmentText(attachment.title, attachment.file))
    return {
        c.case_id: CaseText(
            c.kind,
            c.slot_minutes,
            c.occasion,
            c.presentation,
            c.recommender,
            tuple(points.get(c.case_id, ())),
            c.economy,
            c.legal_basis,
            tuple(attachments.get(c.case_id, ())),
        )
        for c in contents
    }


def _treatments(session: Session, case_ids: list[int]) -> dict[int, list[tuple[int, dt.datetime, Treatment]]]:
    """Every decision on the cases: (consultation id, meeting start, treatment), oldest first."""
    rows = session.execute(
        sa.select(  # sqlmodel's select() and exec() are typed for up to four columns
            col(Consultation.case_id),
            col(Consultation.id),
            col(Meeting.starts_at),
            col(Meeting.day),
            col(Body.name),
            col(Decision.outcome),
            col(Decision.text),
        )
        .join(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .join(Meeting, col(Meeting.id) == col(Consultation.meeting_id))
        .join(Body, col(Body.id) == col(Consultation.body_id))
        .where(col(Consultation.case_id).in_(case_ids))
        .order_by(col(Meeting.starts_at), col(Consultation.id))
    ).all()
    result: dict[int, list[tuple[int, dt.datetime, Treatment]]] = {}
    for case_id, consultation_id, starts_at, day, body_name, outcome, text in rows:
        result.setdefault(case_id, []).append(
            (consultation_id, starts_at, Treatment(body_name, day, Outcome(outcome), text))
        )
    return result


def describe_meeting(meeting: StoredMeeting) -> str:
    """'Chefforum onsdag 10. april 2024' for messages."""
    return f"{meeting.body_name} {long_date(meeting.day)}"
