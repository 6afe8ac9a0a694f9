"""The messages a page shows after a redirect (Post/Redirect/Get): built from what is stored now,
never from free text in the address, so a link cannot make the page say something false."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from calendars.danish import long_date
from models.tables import Body, Consultation, Decision, LateAddition, Meeting
from sagsgang.cases import follow_up
from sagsgang.danish_words import count
from sagsgang.orchestration import hand_off
from sagsgang.web.service import MeetingView, Web, _case

NOT_RUN = " Sagsforløbet kunne ikke køres nu; den daglige kontrol tager det op."


def changed_notice(meeting: MeetingView, action: str, replanned: list[str], warning: bool) -> str:
    """'Mødet i Byrådet er flyttet til onsdag 26. maj 2027 kl. 18:00. 1 sag er planlagt igen:
    27.00.00-G01-1-27.' after /moeder/…/flyt or /aflys."""
    if action == "aflys" or meeting.status == "aflyst":
        text = f"Mødet i {meeting.body_name} {long_date(meeting.day)} er aflyst."
    else:
        text = f"Mødet i {meeting.body_name} er flyttet til {long_date(meeting.day)} kl. {meeting.time:%H:%M}."
    if warning:
        return text + NOT_RUN
    if replanned:
        text += f" {count(len(replanned), 'sag')} er planlagt igen: {', '.join(replanned)}."
    else:
        text += " Der var ingen sager planlagt på mødet."
    return text


def follow_up_notice(web: Web, key: str) -> str | None:
    """What happens next after an action (?opfoelgning=tjeneste|optaget: sagsgang.cases.follow_up),
    believed only while this app hands its follow-ups to the service."""
    if hand_off(web.orchestrator) is None:
        return None
    return follow_up.NEXT_STEPS.get(key)


def decision_notice(body_name: str, day: dt.date, outcome: str) -> str:
    return f"Beslutning registreret: {body_name} {long_date(day)}: {outcome}."


def late_notice(journal_number: str, body_name: str, day: dt.date, decided_by: str) -> str:
    return f"Sagen {journal_number} er eftersendt til {body_name} {long_date(day)} (besluttet af {decided_by})."


def recorded_notices(web: Web, municipality: str, journal_number: str, decided: str, late: str) -> list[str]:
    """After a decision (?besluttet=organ) or an eftersendelse (?eftersendt=organ) on the case
    page: the confirmation, read back from the latest such fact stored for that body."""
    if not (decided or late):
        return []
    result = []
    with web.session() as session:
        try:
            case = _case(session, municipality, journal_number)
        except LookupError:
            return []
        bodies = {body.key: body for body in session.exec(select(Body).where(Body.municipality == municipality))}
        if (body := bodies.get(decided)) is not None:
            found = session.exec(
                select(col(Decision.outcome), col(Meeting.day))
                .join(Consultation, col(Consultation.id) == col(Decision.consultation_id))
                .join(Meeting, col(Meeting.id) == col(Consultation.meeting_id))
                .where(Consultation.case_id == case.id, Consultation.body_id == body.id)
                .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
            ).first()
            if found is not None:
                result.append(decision_notice(body.name, found[1], found[0]))
        if (body := bodies.get(late)) is not None:
            added = session.exec(
                select(col(LateAddition.decided_by), col(Meeting.day))
                .join(Meeting, col(Meeting.id) == col(LateAddition.meeting_id))
                .where(LateAddition.case_id == case.id, LateAddition.body_id == body.id)
                .order_by(col(LateAddition.recorded_at).desc(), col(LateAddition.id).desc())
            ).first()
            if added is not None:
                result.append(late_notice(case.journal_number, body.name, added[1], added[0]))
    return result
