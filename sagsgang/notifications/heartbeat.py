"""The heartbeat: has today's daily check run? If not by 09:00 on a working day, the web app shows
the secretariat a banner and each secretariat account gets one mail that day.

Our own check, not a Prefect automation: every daily check that runs to the end records its day
(`record_completed`, a `daily_checks` row), and `warn_if_missing` compares that with the clock. It
works the same whether the check runs under Prefect, inline or from `sagsgang daglig`, and it needs
no Prefect server to notice that the Prefect server is the thing that stopped. The service's wake-up
flow (`vaekning`, every 5 minutes) calls `warn_if_missing`; the web app reads `missing_today` for
its banner. Working days come from the calendars of the municipalities that have cases.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from calendars.danish import TIMEZONE, long_date
from models.db import session_scope
from models.outbox import DailyCheck, MessageKind, OutboxMessage
from models.tables import Case
from sagsgang.inputs import read_profile
from sagsgang.notifications import mail, reminders, sending
from sagsgang.settings import Settings

LOCAL = ZoneInfo(TIMEZONE)
BY = dt.time(9, 0)  # the check runs at 08:00; an hour later it should have finished
BANNER = (
    "Dagens kontrol (påmindelser og eskaleringer) er ikke kørt i dag, {day}. "
    "Kontrollér at tjenesten kører (sagsgang tjeneste), eller kør sagsgang daglig."
)


def record_completed(settings: Settings, now: dt.datetime) -> None:
    """The daily check for `now`'s day has run to the end."""
    with session_scope(settings.engine()) as session:
        session.add(DailyCheck(day=now.astimezone(LOCAL).date(), completed_at=now))


def missing_today(session: Session, now: dt.datetime) -> dt.date | None:
    """Today's date if it is a working day, it is 09:00 or later, and no daily check has finished today."""
    local = now.astimezone(LOCAL)
    today = local.date()
    if local.time() < BY or not _working_day(session, today):
        return None
    done = session.exec(select(DailyCheck.id).where(DailyCheck.day == today)).first()
    return None if done is not None else today


def banner(session: Session, now: dt.datetime) -> str | None:
    """The web app's Danish warning for the secretariat, if today's check is missing."""
    day = missing_today(session, now)
    return BANNER.format(day=long_date(day)) if day is not None else None


def warn_if_missing(settings: Settings, now: dt.datetime) -> int:
    """One mail per secretariat account on a day whose check is missing (outbox key per day and
    address, so calling this every 5 minutes sends it once); sends what is due. Returns how many
    warnings were queued now."""
    sender = mail.MailSettings.from_settings(settings).sender
    queued = 0
    with session_scope(settings.engine(), read_only=True) as session:
        day = missing_today(session, now)
        if day is None:
            return 0
        people = reminders.secretariat(session)
    for email, name in people:
        key = f"heartbeat/{day.isoformat()}/{email}"
        message = mail.compose(
            "mail_heartbeat.txt.j2",
            {"name": name, "day": day},
            key=key,
            to_name=name,
            to_email=email,
            sender=sender,
            now=now,
        )
        row = OutboxMessage(
            key=key,
            kind=MessageKind.HEARTBEAT,
            rule="hjerteslag",
            due_at=now,
            recipient=email,
            subject=str(message["Subject"]),
            message=message.as_string(),
            message_id=str(message["Message-ID"]),
        )
        try:
            with session_scope(settings.engine()) as session:
                session.add(row)
        except IntegrityError:  # warned already today
            continue
        queued += 1
    if queued:
        sending.send_due(settings, now)
    return queued


def _working_day(session: Session, day: dt.date) -> bool:
    municipalities = session.exec(select(Case.municipality).distinct()).all()
    return any(read_profile(municipality).calendar.is_working_day(day) for municipality in municipalities)
