"""Accounts for the web app: who may log in, and what they may do.

Two roles: the secretariat (sekretariat) launches cases, records decisions and changes meetings;
managers (leder) read and subscribe. Passwords are stored only as argon2id hashes
(sagsgang.web.passwords); an account that is switched off keeps its row (who had access).

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
"""

import datetime as dt
import enum

from sqlmodel import Field, SQLModel

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
from models.types import AwareDateTime, enum_type, utcnow


class Role(enum.StrEnum):
    SECRETARIAT = "sekretariat"  # may write: launch, decide, move and cancel meetings
    MANAGER = "leder"  # may read and subscribe

    @property
    def may_write(self) -> bool:
        return self is Role.SECRETARIAT


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=100)  # stored lower-case
    name: str = ""
    email: str = ""  # for the personal calendar feed; the cases' owner/manager address
    role: Role = Field(sa_type=enum_type(Role, "user_role"))
    password_hash: str = ""  # argon2id (PHC string); empty: only single sign-on can log in
    active: bool = True
    # The profile key of the one municipality whose bodies and cases the user sees; '' (accounts
    # made before migration 0011): every municipality.
    municipality: str = ""
    admin: bool = False  # a secretariat user who may create, deactivate and reset users
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime())


class LoginFailure(SQLModel, table=True):
    """One failed login, once per key it counts against ("bruger:<name>", "ip:<address>").

    Kept in the database so that every web process sees the same failures (several
    `sagsgang tjeneste --uden-prefect` behind one proxy); sagsgang.web.login_throttle reads them.
    """

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=200)
    failed_at: dt.datetime = Field(index=True, sa_type=AwareDateTime())
