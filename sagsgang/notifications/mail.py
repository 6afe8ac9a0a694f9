"""Mails to people: Danish texts from templates/mail_*.j2, deadlines as an .ics attachment, and
delivery by SMTP or, with no SMTP configured, as .eml files in $SAGSGANG_HOME/mail.

Settings (sagsgang.settings): SAGSGANG_SMTP_HOST, SAGSGANG_SMTP_PORT (default 25, or 465 = TLS from
the start), SAGSGANG_SMTP_USER, SAGSGANG_SMTP_PASSWORD, SAGSGANG_SMTP_FROM, and SAGSGANG_SMTP_TLS
(starttls | ssl | nej; default: ssl on port 465, starttls when a user is set, otherwise nej).

A message is rendered once, when its outbox row is made, with a Message-ID derived from the
row's key: a retry after a crash sends the very same mail.

Headers are built so that building never fails: a value's line breaks and control characters
(a title typed with CR/LF) become single spaces. The Subject is folded by email.header.Header,
whose RFC 2047 encoded words keep the space at each fold; Python 3.11's EmailPolicy folder drops a
space that falls between two encoded words ("2027 –«Erhvervsstrategi»"). It is handed to the
policy as a header object (an object with `name` and `fold(policy=)`, which EmailPolicy.fold
documents it uses as it is).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from calendars.danish import TIMEZONE

if TYPE_CHECKING:
    from sagsgang.settings import Settings

COPENHAGEN = ZoneInfo(TIMEZONE)
# Stable UIDs and Message-IDs: uuid5 of this namespace and the object's key.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "sagsgang.dk")
PRODID = "-//Sagsgang//Sagsgang sagsfrister//DA"


class DeliveryError(Exception):
    """The mail could not be delivered now; the outbox keeps it for the next run."""


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int
    user: str | None
    password: str | None
    sender: str
    tls: str  # 'starttls', 'ssl' or 'nej'
    folder: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> MailSettings:
        port, user = settings.smtp_port, settings.smtp_user or None
        return cls(
            host=settings.smtp_host or None,
            port=port,
            user=user,
            password=settings.smtp_password or None,
            sender=settings.smtp_from or "Sagsgang <sagsgang@localhost>",
            tls=settings.smtp_tls or ("ssl" if port == 465 else "starttls" if user else "nej"),
            folder=settings.home_folder / "mail",
        )


# --- the .ics attachment ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineEvent:
    key: str  # stable identity: the UID is derived from it, so a moved deadline updates the event
    summary: str
    day: dt.date
    time: dt.time | None
    description: str = ""
    location: str = ""
    sequence: int = 0


def ics(events: Sequence[DeadlineEvent], stamp: dt.datetime) -> bytes:
    """A calendar with one VEVENT per deadline: timed (Copenhagen time, with VTIMEZONE) when the
    deadline has a time of day, otherwise all-day with an exclusive DTEND."""
    import icalendar  # only when a mail is built: an action that sends none does not pay for it

    components = []
    for event in events:
        start: dt.date  # a datetime (timed) or a date (all-day)
        if event.time is not None:
            start, end = dt.datetime.combine(event.day, event.time, COPENHAGEN), None
        else:
            start, end = event.day, event.day + dt.timedelta(days=1)
        components.append(
            icalendar.Event.new(
                uid=str(uuid.uuid5(NAMESPACE, event.key)),
                summary=event.summary,
                start=start,
                end=end,
                stamp=stamp.astimezone(dt.UTC),
                sequence=event.sequence,
                description=event.description or None,
                location=event.location or None,
            )
        )
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        subcomponents=components,
        uid=uuid.uuid5(NAMESPACE, "|".join(event.key for event in events)),
    )
    days = [event.day for event in events]
    # Only the years the deadlines fall in: icalendar's default VTIMEZONE spans 1970–2038.
    calendar.add_missing_timezones(
        first_date=dt.date(min(days).year, 1, 1), last_date=dt.date(max(days).year + 1, 1, 1)
    )
    return calendar.to_ical()


# --- composing ----------------------------------------------------------------------------------


def message_id(key: str) -> str:
    return f"<{uuid.uuid5(NAMESPACE, key)}@sagsgang>"


def one_line(text: str) -> str:
    """A header value that cannot break the header: control characters (CR, LF, tab, …) become
    spaces, and runs of white space one space."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())


class FoldedHeader(str):
    """A header value that folds with email.header.Header (see the module's docstring)."""

    name: str

    def __new__(cls, name: str, value: str) -> FoldedHeader:
        header = super().__new__(cls, one_line(value))
        header.name = name
        return header

    def fold(self, *, policy: policy.Policy) -> str:
        charset = "us-ascii" if self.isascii() else "utf-8"
        folded = Header(str(self), charset, header_name=self.name).encode(
            linesep=policy.linesep, maxlinelen=policy.max_line_length or 78
        )
        return f"{self.name}: {folded}{policy.linesep}"


def compose(
    template: str,
    context: dict[str, Any],
    *,
    key: str,
    to_name: str,
    to_email: str,
    sender: str,
    now: dt.datetime,
    events: Sequence[DeadlineEvent] = (),
) -> EmailMessage:
    """A mail from templates/<template>: the template sets `subject` and writes the text."""
    from sagsgang import rendering  # jinja: only when a mail is built

    module = rendering.environment().get_template(template).make_module(context)
    message = EmailMessage(policy=policy.SMTP)
    # A template module's attributes are the template's top-level {% set %} names.
    message["Subject"] = FoldedHeader("Subject", str(module.subject))  # type: ignore[attr-defined]
    message["From"] = one_line(sender)
    message["To"] = formataddr((one_line(to_name), one_line(to_email)))
    message["Date"] = format_datetime(now.astimezone(COPENHAGEN))
    message["Message-ID"] = message_id(key)
    message["X-Sagsgang-Key"] = key
    message.set_content(str(module).strip() + "\n", charset="utf-8")
    if events:
        message.add_attachment(
            ics(events, now),
            maintype="text",
            subtype="calendar",
            filename="sagsfrist.ics",
            params={"method": "PUBLISH"},
        )
    return message


# --- delivery -----------------------------------------------------------------------------------


class Transport(Protocol):
    def send(self, raw: str, recipient: str, key: str) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP session for all the mails of a run (opened at the first, ended by `close`): no
    connect, EHLO and QUIT between the server's 250 for a mail and the sender marking it sent."""

    def __init__(self, settings: MailSettings, timeout: float = 20) -> None:
        assert settings.host, "transport() chooses SMTP only when a host is set"
        self.settings, self.host, self.timeout = settings, settings.host, timeout
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.tls == "ssl":
            client = smtplib.SMTP_SSL(self.host, s.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, s.port, timeout=self.timeout)
        try:
            if s.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.user:
                client.login(s.user, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, raw: str, recipient: str, key: str) -> None:
        s = self.settings
        data, sender = raw.encode("utf-8"), _address(s.sender)
        try:
            if self._client is None:
                self._client = self._connect()
            try:
                self._client.sendmail(sender, [recipient], data)
            except smtplib.SMTPServerDisconnected:  # the server ended an idle session: once more, anew
                self._client = self._connect()
                self._client.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as error:  # the session is still good (smtplib sent RSET)
            raise DeliveryError(f"SMTP {s.host}:{s.port}: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise DeliveryError(f"SMTP {s.host}:{s.port}: {error}") from error

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # it goes either way
                self._client.quit()
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class FolderTransport:
    """No SMTP configured: each mail becomes <folder>/<key>.eml (written whole, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, key: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9_.-]+", "_", key) + ".eml")

    def send(self, raw: str, recipient: str, key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(key)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(raw.encode("utf-8"))
        partial.replace(path)

    def close(self) -> None:
        pass


def transport(settings: MailSettings) -> Transport:
    """SMTP when a host is set, else .eml files in the home folder's mail/."""
    return SmtpTransport(settings) if settings.host else FolderTransport(settings.folder)


def _address(header: str) -> str:
    match = re.search(r"<([^>]+)>", header)
    return match[1] if match else header.strip()
