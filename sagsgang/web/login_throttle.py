"""Failed logins slow down further tries, counted in the database that every web process shares.

Per account and per IP address, after a few free tries each further try must wait twice as long
as the last (1 s, 2 s, 4 s … up to 15 min). One row per failure and key (models.users.LoginFailure):
two processes behind one proxy count the same tries, and an insert cannot lose a concurrent one.

The wait is measured on the real clock (the time of the attempt), never on the pinned "today" of
SAGSGANG_TODAY: a pinned clock stands still, and a locked-out account would never unlock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from calendars.clock import Clock, SystemClock
from models.db import session_scope
from models.users import LoginFailure


class LoginThrottle:
    """How long the next try of (username, address) must wait; record failures and successes.

    An account gets FREE_PER_ACCOUNT free failures, an address FREE_PER_ADDRESS (a town hall's
    staff may share one address); after that each failure doubles the wait, up to MAX_WAIT.
    Failures older than FORGET_AFTER are forgotten (and deleted), which bounds the table.
    """

    FREE_PER_ACCOUNT = 3
    FREE_PER_ADDRESS = 20
    MAX_WAIT = 15 * 60.0
    FORGET_AFTER = dt.timedelta(days=1)

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"bruger:{username.strip().lower()[:100]}", self.FREE_PER_ACCOUNT),
            (f"ip:{address[:100]}", self.FREE_PER_ADDRESS),
        ]

    def wait(self, username: str, address: str) -> float:
        """Seconds until the next try is allowed (0: now)."""
        now = self.clock.now()
        keys = dict(self._keys(username, address))
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(LoginFailure.key, func.count(), func.max(LoginFailure.failed_at))
                .where(col(LoginFailure.key).in_(keys), LoginFailure.failed_at > now - self.FORGET_AFTER)
                .group_by(LoginFailure.key)
            ).all()
        longest = 0.0
        for key, count, last in rows:
            if count >= keys[key]:
                last = _aware(last)
                wait = min(2.0 ** (count - keys[key]), self.MAX_WAIT)
                longest = max(longest, (last - now).total_seconds() + wait)
        return max(0.0, longest)

    def failed(self, username: str, address: str) -> None:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            session.exec(delete(LoginFailure).where(col(LoginFailure.failed_at) < now - self.FORGET_AFTER))
            session.add_all(LoginFailure(key=key, failed_at=now) for key, _free in self._keys(username, address))

    def succeeded(self, username: str, address: str) -> None:
        """The account's failures are forgiven; the address's are not (others may guess from it)."""
        account = self._keys(username, address)[0][0]
        with session_scope(self.engine) as session:
            session.exec(delete(LoginFailure).where(col(LoginFailure.key) == account))


def _aware(value: dt.datetime) -> dt.datetime:
    # func.max() bypasses the column type on SQLite, which stores naive UTC (models.types).
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
