"""Personal calendar subscriptions: a feed of the cases a person owns or manages, behind a token.

The token (256 random bits, URL-safe) is shown once, when the subscription is made, and stored
only as its SHA-256 hash: the database never holds it, so a copy of the database opens nothing.
A token is looked up by its hash and compared in constant time; a revoked one opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.clock import Clock
from calendars.danish import long_date
from calendars.ical import COPENHAGEN
from models import fields
from models.feed_tables import FeedToken
from models.tables import Case, CaseStatus
from models.types import UTC

TOKEN_BYTES = 32  # 256 bits (secrets.token_urlsafe): at least 128 are needed to be unguessable
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,128}$")
MAX_ID = 2**31 - 1  # the largest row id every database stores (PostgreSQL: integer)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_email(email: str) -> str:
    """The address (models.fields); Invalid, a ValueError, with a Danish message otherwise."""
    return fields.email_address(email, "email", required=True)


def check_department(text: str | None) -> str:
    """The department a personal feed is limited to: one line (models.fields); Invalid otherwise."""
    return fields.single_line(text, "afdeling", "Afdelingen", fields.MAX_NAME)


def create_subscription(session: Session, email: str, department: str = "", *, clock: Clock) -> tuple[FeedToken, str]:
    """A new personal feed for `email`; returns the row and the token, which is shown once and
    stored only as its hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = FeedToken(
        token_hash=token_hash(token),
        email=check_email(email),
        department=check_department(department),
        created_at=clock.now().astimezone(UTC),
    )
    session.add(row)
    session.flush()
    return row, token


def find_subscription(session: Session, token: str) -> FeedToken | None:
    """The active subscription with this token, or None. Looked up by hash (the database never
    sees the token) and compared in constant time."""
    if not _TOKEN.fullmatch(token):
        return None
    wanted = token_hash(token)
    row = session.exec(select(FeedToken).where(FeedToken.token_hash == wanted)).first()
    if row is None or not row.active or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row


def revoke_subscriptions(session: Session, who: str, clock: Clock) -> list[FeedToken]:
    """Revoke the subscription with id `who`, or every active one of the e-mail address `who`."""
    who = who.strip()
    if who.isascii() and who.isdigit():
        number = int(who) if len(who) <= 10 else MAX_ID + 1
        found = session.get(FeedToken, number) if number <= MAX_ID else None
        rows = [found] if found is not None and found.active else []
    elif not who.isprintable():  # no stored address holds a control character (nor may PostgreSQL see NUL)
        rows = []
    else:
        rows = list(
            session.exec(
                select(FeedToken).where(
                    sa.func.lower(FeedToken.email) == who.lower(), col(FeedToken.revoked_at).is_(None)
                )
            )
        )
    now = clock.now().astimezone(UTC)
    for row in rows:
        row.revoked_at = now
    session.flush()
    return rows


def active(session: Session) -> Sequence[FeedToken]:
    return session.exec(select(FeedToken).where(col(FeedToken.revoked_at).is_(None)).order_by(col(FeedToken.id))).all()


def cases_followed(session: Session, subscription: FeedToken) -> int:
    """How many open cases the subscription shows (to warn about an empty calendar)."""
    email = subscription.email.lower()
    query = (
        select(sa.func.count())
        .select_from(Case)
        .where(
            Case.status == CaseStatus.OPEN,
            sa.or_(sa.func.lower(Case.owner_email) == email, sa.func.lower(Case.manager_email) == email),
        )
    )
    if subscription.department:
        query = query.where(sa.func.lower(Case.department) == subscription.department.lower())
    return session.exec(query).one()


def describe_subscription(row: FeedToken) -> str:
    scope = f", afdeling {row.department}" if row.department else ""
    return f"nr. {row.id}: {row.email}{scope}, oprettet {long_date(row.created_at.astimezone(COPENHAGEN).date())}"
