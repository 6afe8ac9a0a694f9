"""What the secretariat must know about the mail: today's daily check has not run by 09:00
(sagsgang.notifications.heartbeat), and mails Sagsgang gave up on (sagsgang.notifications.sending).
Shown as warnings on the case list, to the secretariat only."""

from __future__ import annotations

from calendars.danish import long_date
from models.outbox import OutboxMessage
from sagsgang.notifications import heartbeat, sending
from sagsgang.web.service import Viewer, Web

SHOWN = 10


def warnings_for(web: Web, viewer: Viewer) -> list[str]:
    if not viewer.may_write:
        return []
    with web.session() as session:
        missing = heartbeat.banner(session, web.clock.now())
        given_up = sending.failed(session, limit=SHOWN + 1)
    lines = [missing] if missing else []
    lines += [_failed_line(row) for row in given_up[:SHOWN]]
    if len(given_up) > SHOWN:
        lines.append("Flere mails kunne ikke sendes; se ugeoversigten.")
    return lines


def _failed_line(row: OutboxMessage) -> str:
    what = f"«{row.subject}»" if row.subject else "En mail (kunne ikke dannes)"
    return (
        f"Mailen {what} til {row.recipient} ({long_date(row.due_at.date())}) kunne ikke sendes "
        f"efter {row.attempts} forsøg: {row.last_error}. Giv besked på anden vis."
    )
