"""The daily backstop (Cron 08:00 Europe/Copenhagen): reminders, missed deadlines, the Monday
digest, and sending whatever the outbox holds. Safe to run twice, or again after a crash: every
mail has one outbox row under a unique key and is marked sent in the transaction that sends it.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

from flows.lifecycle import clock_at, publish_feeds, step
from flows.settings import mail_transport, read_settings, sender, session_scope
from sagsgang.cases.lifecycle import ConflictError
from sagsgang.notifications import reminders


@step(name="drop forældede påmindelser")
def drop_stale_reminders() -> int:
    with session_scope() as session:
        return reminders.obsolete_stale(session)


@step(name="find det der forfalder")
def find_due(now: dt.datetime) -> list[reminders.Due]:
    with session_scope() as session:
        return reminders.find_due(session, now)


@step(name="læg påmindelser og eskaleringer i udbakken")
def queue_due(items: list[reminders.Due], now: dt.datetime) -> dict[str, int]:
    """Each item in its own transaction: one case that cannot be re-planned stops no other."""
    counts = {"påmindelser": 0, "eskaleringer": 0, "fejl": 0}
    for item in items:
        escalation = item.kind is reminders.MessageKind.ESCALATION
        try:
            with session_scope() as session:
                done = (reminders.escalate if escalation else reminders.queue)(session, item, now, sender())
        except ConflictError as error:  # changed meanwhile: the next run (or the case's own) sees it again
            get_run_logger().warning("%s: %s", item.key, error)
            counts["fejl"] += 1
            continue
        if done is not None:
            counts["eskaleringer" if escalation else "påmindelser"] += 1
    return counts


@step(name="ugeoversigt")
def queue_digests(now: dt.datetime) -> int:
    with session_scope() as session:
        return len(reminders.queue_digests(session, now, sender()))


@step(name="send mails")
def send_mails(now: dt.datetime) -> reminders.SendReport:
    report = reminders.send_pending(read_settings().engine(), mail_transport(), now)
    if report.failed:
        get_run_logger().warning("Ikke sendt (prøves igen næste gang): %s", report.failed)
    return report


@flow(name="daglig-kontrol", log_prints=True)
def daily_check(now: dt.datetime | None = None) -> dict:
    """Dagens kontrol: påmindelser før sagsfrister, eskalering af overskredne frister, mandagsoversigt.

    Args:
        now: Tidspunkt – kun til afprøvning eller en genkørsel; tomt betyder nu
    """
    at = clock_at(now).now()
    obsolete = drop_stale_reminders()
    counts = queue_due(find_due(at), at)
    digests = queue_digests(at)
    report = send_mails(at)
    if counts["eskaleringer"]:
        publish_feeds()  # escalated cases moved to later meetings
    return {
        **counts,
        "ugeoversigter": digests,
        "forældede": obsolete,
        "sendt": len(report.sent),
        "ikke_sendt": len(report.failed),
    }
