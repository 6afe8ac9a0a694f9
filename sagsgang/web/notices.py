"""The messages a page shows after a redirect (Post/Redirect/Get): built from what is stored now,
never from free text in the address, so a link cannot make the page say something false."""

from __future__ import annotations

from calendars.danish import long_date
from sagsgang.cases import follow_up
from sagsgang.danish_words import count
from sagsgang.orchestration import hand_off
from sagsgang.web.service import MeetingView, Web

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
