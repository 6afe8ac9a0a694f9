"""Who is asking, and may they: sessions, CSRF tokens, roles, slowed-down failed logins.

* Session: a signed cookie (HMAC-SHA256 with the installation's secret) holding the user's id,
  a random nonce and when it was issued; HttpOnly, SameSite=Lax, Secure when served over HTTPS
  (or always, with SAGSGANG_SECURE_COOKIES=1). It expires after SESSION_HOURS.
* CSRF: every form and every writing API call carries a token that is an HMAC of a random
  per-browser nonce (its own HttpOnly cookie) and the username: a page on another site can
  neither read the cookie nor compute the token (OWASP's signed double-submit cookie).
* Single sign-on: with SAGSGANG_TRUST_PROXY_USER_HEADER=X-Remote-User the reverse proxy's header
  names the user (who must have an account here, for the role). Only enable it when the proxy
  sets the header itself on every request and nobody can reach the app around the proxy.
* Failed logins: per account and per IP address, after a few free tries each further try must
  wait twice as long as the last (1 s, 2 s, 4 s … up to 15 min), counted on the injected clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calendars.clock import Clock

if TYPE_CHECKING:
    from sagsgang.settings import Settings

SESSION_COOKIE = "sagsgang_session"
CSRF_COOKIE = "sagsgang_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 10  # a working day; then log in again


@dataclass(frozen=True)
class SecuritySettings:
    secret: bytes
    proxy_user_header: str | None = None  # e.g. "X-Remote-User"; None: not trusted
    secure_cookies: bool = False  # True: always Secure; False: Secure when the request is HTTPS

    @classmethod
    def from_settings(cls, settings: Settings) -> SecuritySettings:
        return cls(
            secret=load_secret(settings),
            proxy_user_header=settings.trust_proxy_user_header or None,
            secure_cookies=settings.secure_cookies,
        )


def load_secret(settings: Settings) -> bytes:
    """SAGSGANG_SECRET_KEY, else a random key kept in SAGSGANG_HOME/web-secret (made once, mode 0600).
    Several server processes must share it: set the variable, or share the home folder."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path: Path = settings.home_folder / "web-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode("utf-8")


def _sign(secret: bytes, purpose: str, data: str) -> str:
    return hmac.new(secret, f"{purpose}\n{data}".encode(), hashlib.sha256).hexdigest()


# --- sessions -------------------------------------------------------------------------------------


def make_session(settings: SecuritySettings, user_id: int, now: float) -> str:
    payload = (
        base64.urlsafe_b64encode(json.dumps({"u": user_id, "n": secrets.token_urlsafe(16), "t": int(now)}).encode())
        .decode()
        .rstrip("=")
    )
    return f"{payload}.{_sign(settings.secret, 'session', payload)}"


def read_session(settings: SecuritySettings, value: str | None, now: float) -> int | None:
    """The user id in a valid, unexpired session cookie, else None."""
    if not value or value.count(".") != 1 or len(value) > 512:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _sign(settings.secret, "session", payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        user_id, issued = int(data["u"]), int(data["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if not 0 <= now - issued <= SESSION_HOURS * 3600:
        return None
    return user_id


# --- CSRF -----------------------------------------------------------------------------------------


def new_csrf_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(settings: SecuritySettings, nonce: str, username: str) -> str:
    return _sign(settings.secret, "csrf", f"{nonce}\n{username}")


def csrf_ok(settings: SecuritySettings, nonce: str | None, username: str, submitted: str | None) -> bool:
    if not nonce or not submitted or len(submitted) > 128:
        return False
    return hmac.compare_digest(submitted, csrf_token(settings, nonce, username))


# --- failed logins --------------------------------------------------------------------------------


class LoginThrottle:
    """Failed logins per account and per IP address; says how long the next try must wait.

    An account gets FREE_PER_ACCOUNT free failures, an address FREE_PER_ADDRESS (a town hall's
    staff may share one address); after that each failure doubles the wait, up to MAX_WAIT.
    Kept in memory: a restart forgives, which is fine for slowing down password guessing.
    """

    FREE_PER_ACCOUNT = 3
    FREE_PER_ADDRESS = 20
    MAX_WAIT = 15 * 60.0
    MAX_KEYS = 10_000

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (count, last time)
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"bruger:{username.strip().lower()[:100]}", self.FREE_PER_ACCOUNT),
            (f"ip:{address}", self.FREE_PER_ADDRESS),
        ]

    def wait(self, username: str, address: str) -> float:
        """Seconds until the next try is allowed (0: now)."""
        now, longest = self._now(), 0.0
        with self._lock:
            for key, free in self._keys(username, address):
                count, last = self._failures.get(key, (0, now))
                if count >= free:
                    longest = max(longest, last + min(2.0 ** (count - free), self.MAX_WAIT) - now)
        return max(0.0, longest)

    def failed(self, username: str, address: str) -> None:
        now = self._now()
        with self._lock:
            for key, _free in self._keys(username, address):
                count, _last = self._failures.pop(key, (0, now))
                self._failures[key] = (count + 1, now)
            while len(self._failures) > self.MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, address)[0][0], None)
