"""The daily backstop (Cron 08:00 Europe/Copenhagen under Prefect): reminders, missed deadlines, the
Monday digest, and sending whatever the outbox holds. Safe to run twice, or again after a crash:
every mail has one outbox row under a unique key and is marked sent in the transaction that sends it.

Its steps are plain functions, each its own transaction, taking the run's settings (database, mail,
clock) first; `check` runs them with the orchestration's `run(step, *args)`
(sagsgang.cases.advance.Run). No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sagsgang.cases.advance import Run, Warn
from sagsgang.cases.state import ConflictError
from sagsgang.cases.steps import clock_at, publish_feeds, reading, session_scope
from sagsgang.notifications import heartbeat, mail, reminders, sending
from sagsgang.orchestration import DailySummary
from sagsgang.settings import Settings

log = logging.getLogger(__name__)


def drop_stale_reminders(settings: Settings, now: dt.datetime | None = None) -> int:
    with session_scope(settings) as session:
        return reminders.obsolete_stale(session, now=now)


def find_due(settings: Settings, now: dt.datetime) -> list[reminders.Due]:
    with reading(settings) as session:  # every open case's deadlines: no write lock meanwhile
        return reminders.find_due(session, now)


@dataclass(frozen=True)
class QueueReport:
    counts: dict[str, int]  # påmindelser, eskaleringer, fejl
    problems: list[str] = field(default_factory=list)  # one line per item that failed


def queue_due(settings: Settings, items: list[reminders.Due], now: dt.datetime) -> QueueReport:
    """Each item in its own transaction: one case that cannot be re-planned stops no other."""
    counts, problems = {"påmindelser": 0, "eskaleringer": 0, "fejl": 0}, []
    sender = mail.MailSettings.from_settings(settings).sender
    for item in items:
        escalation = item.kind is reminders.MessageKind.ESCALATION
        try:
            with session_scope(settings) as session:
                done = (reminders.escalate if escalation else reminders.queue)(
                    session, item, now, sender, settings.base_url
                )
        except ConflictError as error:  # changed meanwhile: the next run (or the case's own) sees it again
            problems.append(f"{item.key}: {error}")
            counts["fejl"] += 1
            continue
        if done is not None:
            counts["eskaleringer" if escalation else "påmindelser"] += 1
    return QueueReport(counts, problems)


def queue_digests(settings: Settings, now: dt.datetime) -> int:
    with session_scope(settings) as session:
        return len(reminders.queue_digests(session, now, mail.MailSettings.from_settings(settings).sender))


def send_mails(settings: Settings, now: dt.datetime) -> sending.SendReport:
    return sending.send_due(settings, now)


def check(settings: Settings, now: dt.datetime | None, run: Run, warn: Warn = log.warning) -> DailySummary:
    """Dagens kontrol: påmindelser før sagsfrister, eskalering af overskredne frister, mandagsoversigt."""
    at = clock_at(settings, now).now()
    obsolete = run(drop_stale_reminders, settings, at)
    queued = run(queue_due, settings, run(find_due, settings, at), at)
    for problem in queued.problems:
        warn(problem)
    digests = run(queue_digests, settings, at)
    report = run(send_mails, settings, at)
    if report.failed:
        warn(f"Ikke sendt (prøves igen næste gang): {report.failed}")
    if queued.counts["eskaleringer"]:
        run(publish_feeds, settings)  # escalated cases moved to later meetings
    run(heartbeat.record_completed, settings, at)
    return {
        "påmindelser": queued.counts["påmindelser"],
        "eskaleringer": queued.counts["eskaleringer"],
        "fejl": queued.counts["fejl"],
        "ugeoversigter": digests,
        "forældede": obsolete,
        "sendt": len(report.sent),
        "ikke_sendt": len(report.failed),
        "opgivet": len(report.given_up),
    }
