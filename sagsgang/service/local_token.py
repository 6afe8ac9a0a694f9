"""The service's local token: how `sagsgang` on this machine proves to the service's web app that it
may act as the secretariat (sagsgang.cli.service_client, sagsgang.web.deps.local_cli).

`sagsgang tjeneste` writes a new random token to SAGSGANG_HOME/tjeneste.token when it starts (mode
0600: only the service's user, and root, can read it) and removes it when it stops, so each run of
the service has its own. The token is a secret like a password: whoever can read the file can act
as the secretariat. Only light imports: the CLI's thin path reads it.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

FILE = "tjeneste.token"


def path(home: Path) -> Path:
    return home / FILE


def create(home: Path) -> str:
    """A new token in the file (replacing any earlier one); readers never see half a file."""
    token = secrets.token_urlsafe(32)
    home.mkdir(parents=True, exist_ok=True)
    temporary = path(home).with_suffix(f".{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(token)
    temporary.replace(path(home))
    return token


def read(home: Path) -> str | None:
    """The token, or None when the file is missing or unreadable (the service is off, or another user's)."""
    try:
        token = path(home).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return token or None


def matches(home: Path, given: str) -> bool:
    """`given` is the running service's token (compared in constant time)."""
    token = read(home)
    return token is not None and hmac.compare_digest(token.encode("ascii"), given.encode("ascii", "replace"))


def remove(home: Path, token: str) -> None:
    """Remove the file if it still holds `token` (a newer service may have written its own)."""
    if read(home) == token:
        path(home).unlink(missing_ok=True)


# What the CLI sends with the token, so the web app acts only for a command that has the service's
# own settings (sagsgang.web.deps.local_cli): its user (for the case's history), its pinned day and
# its database. A command with other settings takes its own path.
USER_HEADER = "X-Sagsgang-Bruger"
TODAY_HEADER = "X-Sagsgang-Idag"
DATABASE_HEADER = "X-Sagsgang-Database"


def fingerprint(database_url: str | None) -> str:
    """SAGSGANG_DATABASE_URL as sent (a hash: the URL may hold a password); '' when it is not set."""
    import hashlib

    return hashlib.sha256((database_url or "").encode("utf-8")).hexdigest()
