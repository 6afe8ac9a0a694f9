"""What a flow run takes from Sagsgang's settings (sagsgang.settings). A flow run is an entry point:
it reads the settings of the process that runs it (a Prefect worker, or the command that called
the flow) when it needs them, and passes them down as arguments like every other entry point."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import db
from sagsgang.notifications import mail
from sagsgang.settings import Settings


def read_settings() -> Settings:
    return Settings()


def engine() -> Engine:
    return read_settings().engine()


def session_scope() -> AbstractContextManager[Session]:
    """One transaction in the configured database (models.db.session_scope)."""
    return db.session_scope(engine())


def mail_transport() -> mail.Transport:
    return mail.transport(mail.MailSettings.from_settings(read_settings()))


def sender() -> str:
    """The From of every mail (SAGSGANG_SMTP_FROM)."""
    return mail.MailSettings.from_settings(read_settings()).sender


def regenerate_feeds() -> bool:
    """Republish the static calendar feeds where SAGSGANG_FEEDS_DIR points; False without it."""
    from sagsgang.publishing import feeds

    settings = read_settings()
    return (
        feeds.regenerate(settings.feeds_dir, settings.engine(), feeds.FeedContext.from_settings(settings)) is not None
    )
