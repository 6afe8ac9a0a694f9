"""Who is asking, and may they: sessions, CSRF tokens, roles (failed logins: login_throttle.py).

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
  wait twice as long as the last (1 s, 2 s, 4 s … up to 15 min); counted in the database on the
  real clock, shared by every web process (sagsgang.web.login_throttle).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
