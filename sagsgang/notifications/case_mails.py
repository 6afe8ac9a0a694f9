"""The mails about one case, as the secretariat follows them (`sag vis`, the case page): every
reminder and escalation in the outbox with what became of it, and those due but not made yet.

An action taken without the service (the CLI's inline path) builds no mail: it leaves the due
reminders to the service's next wake-up (sagsgang.cases.steps.reminders_left). Until then they are
not in the outbox, so they are found as the wake-up finds them (sagsgang.notifications.due).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from calendars.danish import clock_time, long_date
from models.outbox import MessageKind, MessageStatus, OutboxMessage
from models.tables import Case
from sagsgang.notifications.due import find_due
from sagsgang.notifications.mail import COPENHAGEN

WHAT = {
    MessageKind.REMINDER: "påmindelse om sagsfristen {deadline}",
    MessageKind.ESCALATION: "besked til lederen om den overskredne sagsfrist {deadline}",
}


def mail_lines(session: Session, case_id: int, now: dt.datetime) -> list[str]:
    """One Danish line per reminder and escalation of the case, oldest first; the outdated ones
    (a deadline that moved, material that came in first) are left out."""
    rows = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.case_id == case_id,
            col(OutboxMessage.kind).in_(list(WHAT)),
            OutboxMessage.status != MessageStatus.OBSOLETE,
        )
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
    ).all()
    lines = [f"{_what(row.kind, row.deadline)} til {row.recipient}: {_outcome(row)}" for row in rows]
    queued = {row.key for row in rows}
    # A mail that could not be built is in the outbox and is found due again: shown once.
    unbuilt = [due for due in find_due(session, now, case_id) if due.key not in queued]
    if unbuilt:
        case = session.get_one(Case, case_id)
        lines += [
            f"{_what(due.kind, due.deadline)} til {_recipient(case, due.kind)}: skal sendes nu."
            " Tjenesten sender den inden for få minutter, når den kører."
            for due in unbuilt
        ]
    return lines


def _recipient(case: Case, kind: MessageKind) -> str:
    return case.manager_email if kind is MessageKind.ESCALATION else case.owner_email


def what(kind: MessageKind, deadline: dt.date | None) -> str:
    """'påmindelse om sagsfristen torsdag 4. marts 2027': what a reminder or escalation is about."""
    return WHAT[kind].format(deadline=long_date(deadline) if deadline else "")


def _what(kind: MessageKind, deadline: dt.date | None) -> str:
    said = what(kind, deadline)
    return said[:1].upper() + said[1:]


def _outcome(row: OutboxMessage) -> str:
    if row.status is MessageStatus.SENT and row.sent_at is not None:
        return f"sendt {_moment(row.sent_at)}"
    if row.status is MessageStatus.FAILED:
        return f"kunne ikke sendes efter {row.attempts} forsøg ({row.last_error}). Giv besked på anden vis."
    if row.next_attempt_at is not None:
        return f"ikke sendt endnu ({row.last_error}); forsøges igen {_moment(row.next_attempt_at)}"
    return "venter på at blive sendt"


def _moment(at: dt.datetime) -> str:
    local = at.astimezone(COPENHAGEN)
    return f"{long_date(local.date())} {clock_time(local.time())}"
