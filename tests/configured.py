"""What the code under test gets from its entry point: the settings the test's environment holds
(the `database` and `smtp` fixtures set SAGSGANG_* variables), read fresh on every call."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import db
from sagsgang.notifications import mail
from sagsgang.settings import Settings

URL_VARIABLE = "SAGSGANG_DATABASE_URL"
HOME_VARIABLE = "SAGSGANG_HOME"


def settings() -> Settings:
    return Settings()


def engine() -> Engine:
    return settings().engine()


def session_scope() -> AbstractContextManager[Session]:
    return db.session_scope(engine())


def mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_settings(settings())
