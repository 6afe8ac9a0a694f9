"""Faults in what Sagsgang depends on (the database, the disk, the mail server, Prefect), told in
Danish; the technical detail goes to the log file for IT (sagsgang.logs), never to the user.

`fault_message(error, settings)` names the fault and what to check, or None when `error` is none of
them (a bug: the edge says "Uventet fejl" and where the details are). The command line exits with
code 3 on a fault (sagsgang.errors.EXIT_UNAVAILABLE), the web answers 503. Classified by the
exception types and the drivers' own error texts (sqlite3's are fixed strings), looked for along the
whole chain of causes, so a fault wrapped by SQLAlchemy or Prefect is still recognised.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagsgang.settings import Settings

log = logging.getLogger("sagsgang")

_SQLITE = (  # sqlite3's error text → what the user reads (the file's name is added)
    (
        ("database is locked", "database table is locked", "database is busy"),
        "Databasen {where} er optaget af en anden, der skriver til den lige nu. Intet er gemt. Prøv igen om lidt.",
    ),
    (
        ("file is not a database", "malformed", "file is encrypted"),
        "Filen {where} er ikke en Sagsgang-database eller er beskadiget. Intet er gemt. Tjek SAGSGANG_DATABASE_URL, "
        "eller læg sikkerhedskopien tilbage.",
    ),
    (
        ("unable to open database file", "readonly database", "attempt to write a readonly database"),
        "Databasen {where} kan ikke åbnes til skrivning: mappen findes ikke eller må ikke skrives i. Intet er gemt. "
        "Tjek SAGSGANG_DATABASE_URL og rettighederne til mappen.",
    ),
    (
        ("database or disk is full", "disk i/o error"),
        "Disken med databasen {where} er fuld eller svarer ikke. Intet er gemt. Frigør plads, og prøv igen.",
    ),
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        found = todo.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        yield found
        todo += [found.__cause__, found.__context__, getattr(found, "orig", None)]


def _database(settings: Settings | None) -> str:
    if settings is None:
        return ""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(settings.database)
    except Exception:  # the URL itself is unreadable: say the setting, not its value
        return "(SAGSGANG_DATABASE_URL)"
    return url.render_as_string(hide_password=True)


def fault_message(error: BaseException, settings: Settings | None = None) -> str | None:
    """The Danish sentence for a fault in something Sagsgang depends on, or None."""
    for found in _chain(error):
        text = str(found).lower()
        name = type(found).__module__ + "." + type(found).__name__
        if name.startswith(("sqlite3.", "sqlalchemy.exc.")) or "sqlite" in name:
            for needles, message in _SQLITE:
                if any(needle in text for needle in needles):
                    return message.format(where=_database(settings))
        if name == "sqlalchemy.exc.NoSuchModuleError" or (
            isinstance(found, ModuleNotFoundError) and found.name in ("psycopg2", "psycopg", "pg8000", "asyncpg")
        ):
            return (
                "SAGSGANG_DATABASE_URL peger på en database, hvis driver ikke er installeret. Skriv adressen "
                "som postgresql+psycopg://bruger@vært/database (den driver følger med Sagsgang)."
            )
        if name.startswith("psycopg.") and "OperationalError" in name:
            return f"Databaseserveren {_database(settings)} svarer ikke. Intet er gemt. Tjek at den kører."
        if isinstance(found, OSError) and found.errno in (errno.ENOSPC, errno.EDQUOT):
            return "Disken er fuld. Intet er gemt. Frigør plads, og prøv igen."
        if name.startswith("smtplib.") or name.endswith("mail.DeliveryError"):
            return "Mailserveren (SAGSGANG_SMTP_HOST) svarer ikke; mails bliver i udbakken og sendes, når den svarer."
        if name.startswith(("httpx.", "httpcore.")) and ("connect" in name.lower() or "timeout" in name.lower()):
            return "Prefect-serveren (PREFECT_API_URL) svarer ikke. Tjek at sagsgang tjeneste kører, og prøv igen."
    return None


def log_traceback(error: BaseException, settings: Settings | None) -> Path:
    """Write `error` with its traceback to the log file for IT (sagsgang.logs under SAGSGANG_HOME, or
    one in the temporary folder when that cannot be written); the file's path."""
    import tempfile
    import traceback

    from sagsgang import logs

    if settings is not None:
        try:
            path = logs.to_file(settings)
            log.error("%s: %s", type(error).__name__, error, exc_info=(type(error), error, error.__traceback__))
            return path
        except OSError:
            pass
    path = Path(tempfile.gettempdir()) / "sagsgang-fejl.log"
    with path.open("a", encoding="utf-8") as file:
        file.write("".join(traceback.format_exception(error)))
    return path
