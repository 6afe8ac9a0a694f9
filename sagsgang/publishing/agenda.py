"""An agenda (dagsorden) or minutes (referat) as the municipality publishes them, built from a
meeting's stored items (models.agenda_items.StoredMeeting): standing items first and last, closed items
after the open ones, Historik from earlier decisions, and the public version with closed items
reduced to their number. Pure: no database, no clock (the caller passes today's date).

Templates (templates/agenda.*.j2, see sagsgang.publishing.agenda_render) only lay out what is built here:
a closed item's text never reaches the template of a public document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from calendars.danish import clock_time, long_date, short_date
from calendars.meetings import MeetingStatus
from calendars.profiles import BodyKind, Profile, agenda_calendar
from sagsgang.cases.attachments import public_url

if TYPE_CHECKING:
    from models.agenda_items import AttachmentText, LateNote, StoredItem, StoredMeeting, Treatment

APPROVAL_TITLE = "Godkendelse af dagsorden og referat"
OTHER_BUSINESS_TITLE = "Eventuelt"
CLOSED_TITLE = "Lukket punkt"
STANDING_RECOMMENDER = "Kommunaldirektøren"
NO_DECISION = "Beslutning er ikke registreret."
LATE_LABEL = "Eftersendt punkt"

# What a body did, when the secretariat recorded the outcome without words of its own.
_OUTCOME_SENTENCES = {
    "godkendt": "{body} godkendte indstillingen.",
    "anbefalet": "{body} anbefalede indstillingen.",
    "taget til efterretning": "{body} tog orienteringen til efterretning.",
    "drøftet": "{body} drøftede sagen.",
    "udsat": "{body} udsatte sagen.",
    "tilbagesendt": "{body} sendte sagen tilbage til administrationen.",
    "ikke godkendt": "{body} godkendte ikke indstillingen.",
}


class AgendaError(ValueError):
    """A document that must not be made as asked; the message (Danish) says why and what to do."""


@dataclass(frozen=True)
class Section:
    heading: str  # "Anledning (20 min.)"
    text: str


@dataclass(frozen=True)
class HistoryLine:
    heading: str  # "Direktørforum den 19. marts 2024:"
    text: str


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    redacted: bool = False  # public version of a closed item: the number and "Lukket punkt" only
    closed: bool = False
    standing: bool = False
    journal_number: str = ""
    kind: str = ""  # beslutning | drøftelse | orientering
    slot: str = ""  # "(20 min.)" when there is no Anledning to carry it
    sections: tuple[Section, ...] = ()  # Anledning, Sagsfremstilling, Økonomi, Lovgrundlag
    recommender: str = ""
    points: tuple[str, ...] = ()
    history: tuple[HistoryLine, ...] = ()
    decision: str | None = None  # minutes only
    attachments: tuple[AttachmentText, ...] = ()
    late: str = ""  # why the item came after the deadline; the documents print "Eftersendt punkt"

    @property
    def heading(self) -> str:
        return f"Punkt {self.number}: {self.title}"


@dataclass(frozen=True)
class Document:
    minutes: bool
    public: bool
    municipality: str
    body: str
    day: dt.date
    time: dt.time
    place: str
    items: tuple[Item, ...]
    notices: tuple[str, ...] = ()  # printed under the meeting facts
    undecided: tuple[int, ...] = ()  # minutes: item numbers without a recorded decision

    @property
    def kind(self) -> str:
        return "Referat" if self.minutes else "Dagsorden"

    @property
    def title(self) -> str:
        return f"{self.kind} – {self.body}"

    @property
    def when(self) -> str:
        """'onsdag 10. april 2024 kl. 09:00'."""
        return f"{long_date(self.day)} {clock_time(self.time)}"


# --- rules ---------------------------------------------------------------------------------


def agenda_due(profile: Profile, body_key: str, meeting_day: dt.date) -> dt.date | None:
    """The last day the body's agenda may go out (Kommunestyrelseslovens § 8, stk. 4: 4 hverdage
    before the meeting), counted on the municipality's calendar; None when the body has no rule."""
    rule = profile.bodies[body_key].agenda if body_key in profile.bodies else None
    if rule is None:
        return None
    return agenda_calendar(profile, rule).add_working_days(meeting_day, -rule.working_days_before)


def late_agenda_notice(
    profile: Profile, stored: StoredMeeting, published: dt.date, reason: str, public: bool
) -> str | None:
    """The notice a late agenda carries; a public late agenda without a reason is refused."""
    rule = profile.bodies[stored.body_key].agenda
    due = agenda_due(profile, stored.body_key, stored.day)
    if rule is None or due is None or published <= due:
        return None
    late = (
        f"Dagsordenen udsendes {long_date(published)}, senere end {rule.working_days_before} hverdage "
        f"før mødet (senest {long_date(due)}), jf. Kommunestyrelseslovens § 8, stk. 4."
    )
    if reason.strip():
        return f"{late} Begrundelse: {reason.strip()}"
    if public:
        raise AgendaError(
            f"{late} Den offentlige dagsorden kan ikke udsendes uden en begrundelse for, "
            'at den kommer for sent. Skriv begrundelsen med --begrundelse "…".'
        )
    return f"{late} Der er endnu ikke givet en begrundelse; den skal med på den offentlige dagsorden."


def compose(
    stored: StoredMeeting,
    profile: Profile,
    *,
    minutes: bool,
    public: bool,
    today: dt.date,
    published: dt.date | None = None,
    reason: str = "",
) -> Document:
    """The document for the meeting, after the checks a secretariat would make first."""
    meeting = f"{stored.body_name}s møde {long_date(stored.day)}"
    if stored.status == MeetingStatus.CANCELLED:
        raise AgendaError(f"{meeting} er aflyst; der er hverken dagsorden eller referat.")
    notices = []
    if minutes:
        if today < stored.day:
            raise AgendaError(
                f"{meeting} er ikke holdt endnu. Referatet kan laves fra mødedagen; lav dagsordenen uden --referat."
            )
    else:
        if notice := late_agenda_notice(profile, stored, published or today, reason, public):
            notices.append(notice)
        if not public and stored.body_key in profile.bodies:
            rule = profile.bodies[stored.body_key].deadline
            deadline = profile.calendar.day_at(rule.position(profile.calendar, stored.day))
            if today <= deadline:
                at = f" {clock_time(rule.time)}" if rule.time else ""
                notices.append(f"Sagsfristen er {long_date(deadline)}{at}: der kan stadig komme punkter på.")
        if stored.status == MeetingStatus.PROVISIONAL:
            notices.append("Mødet er foreløbigt: det ligger ikke i en vedtaget mødeplan.")
    body = profile.bodies.get(stored.body_key)
    recommending = {profile.bodies[key].name for key in body.takes_cases_from} if body else set()
    document = layout(stored, profile.name, minutes=minutes, public=public, recommending=recommending)
    return replace(document, notices=tuple(notices))


def layout(
    stored: StoredMeeting, municipality: str, *, minutes: bool, public: bool, recommending: Collection[str] = ()
) -> Document:
    """Number the items: agenda approval first, open cases, closed cases, Eventuelt last.

    `recommending`: the bodies whose cases this body takes in the same cycle (the council after
    økonomiudvalget): their decision is printed as "<body>s indstilling" once they have met."""
    cases = sorted(stored.items, key=lambda item: item.closed)  # stable: keeps the meeting's order
    items = [_approval(stored, minutes)]
    for number, case in enumerate(cases, start=2):
        if public and case.closed:
            items.append(Item(number, CLOSED_TITLE, redacted=True, closed=True))
        elif public:  # an open item's uploaded bilag at its public address (sagsgang.cases.attachments)
            item = _case_item(number, case, minutes, recommending)
            shown = tuple(replace(a, file=public_url(a.file)) for a in item.attachments)
            items.append(replace(item, attachments=shown))
        else:
            items.append(_case_item(number, case, minutes, recommending))
    items.append(_other_business(stored, len(items) + 1, minutes))
    undecided = tuple(item.number for item in items if minutes and item.decision == NO_DECISION)
    return Document(
        minutes,
        public,
        municipality,
        stored.body_name,
        stored.day,
        stored.time,
        stored.place,
        tuple(items),
        undecided=undecided,
    )


def _standing_recommendation(stored: StoredMeeting) -> str:
    # Administrative bodies are chaired by the kommunaldirektør, who puts every item forward.
    return STANDING_RECOMMENDER if stored.body_kind == BodyKind.ADMINISTRATIVE else ""


def _approval(stored: StoredMeeting, minutes: bool) -> Item:
    points = ["at dagsorden til dette møde godkendes"]
    if stored.previous_day:
        points.append(f"at referat fra mødet den {short_date(stored.previous_day)} godkendes")
    recommender = _standing_recommendation(stored)
    return Item(
        1,
        APPROVAL_TITLE,
        standing=True,
        journal_number=stored.journal_number,
        recommender=recommender,
        points=tuple(points) if recommender else (),
        decision=(stored.approval_decision or NO_DECISION) if minutes else None,
    )


def _other_business(stored: StoredMeeting, number: int, minutes: bool) -> Item:
    recommender = _standing_recommendation(stored)
    return Item(
        number,
        OTHER_BUSINESS_TITLE,
        standing=True,
        journal_number=stored.journal_number,
        recommender=recommender,
        points=("at punktet drøftes",) if recommender else (),
        decision=(stored.other_business_decision or NO_DECISION) if minutes else None,
    )


def _case_item(number: int, case: StoredItem, minutes: bool, recommending: Collection[str] = ()) -> Item:
    text = case.text
    decision = None
    if minutes:
        decision = decision_text(case.decision) if case.decision else NO_DECISION
    history = tuple(HistoryLine(f"{t.body} den {short_date(t.day)}:", decision_text(t)) for t in case.history)
    late = late_text(case.late) if case.late else ""
    # Added once the recommending body has met (økonomiudvalget before the council, KL § 18, stk. 2).
    recommendation = tuple(
        Section(f"{t.body}s indstilling", decision_text(t))
        for t in case.history[-1:]
        if t.body in recommending and t.outcome.advances
    )
    if text is None:
        return Item(
            number,
            case.title,
            closed=case.closed,
            journal_number=case.journal_number,
            sections=recommendation,
            history=history,
            decision=decision,
            late=late,
        )
    slot = f"({text.slot_minutes} min.)" if text.slot_minutes else ""
    sections = []
    if text.occasion:
        sections.append(Section(f"Anledning {slot}".strip(), text.occasion))
    sections += [
        Section(heading, body_text)
        for heading, body_text in (
            ("Sagsfremstilling", text.presentation),
            ("Økonomi", text.economy),
            ("Lovgrundlag", text.legal_basis),
        )
        if body_text
    ]
    sections += recommendation
    return Item(
        number,
        case.title,
        closed=case.closed,
        journal_number=case.journal_number,
        kind=str(text.kind),
        slot="" if text.occasion else slot,
        sections=tuple(sections),
        recommender=text.recommender,
        points=text.points,
        history=history,
        decision=decision,
        attachments=text.attachments,
        late=late,
    )


def case_item(case: StoredItem) -> Item:
    """One case's item as an agenda prints it (before its meeting), for the case page and the
    case's own document."""
    return _case_item(1, case, minutes=False)


def late_text(note: LateNote) -> str:
    """'Optaget på dagsordenen efter sagsfristen. Besluttet af: Direktørforum. Begrundelse: …'."""
    text = f"Optaget på dagsordenen efter sagsfristen. Besluttet af: {note.decided_by}."
    return f"{text} Begrundelse: {note.reason}" if note.reason else text


def decision_text(treatment: Treatment) -> str:
    """The decision as recorded, or a sentence saying what the body did."""
    return treatment.text or _OUTCOME_SENTENCES[str(treatment.outcome)].format(body=treatment.body)
