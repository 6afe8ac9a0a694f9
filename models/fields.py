"""The rules for one typed value, once for every door: the command line (sagsgang.inputs), the web
forms (sagsgang.web.forms), the JSON API (sagsgang.web.schemas) and the tables' own validators.

Each rule is a plain function that returns the value as it is stored (trimmed, normalised) or
raises models.errors.Invalid (a ValueError) with a Danish message naming the field and the fix;
the tables' validators call the same functions, so a value that slips past an edge is still
refused before it is stored. `danish()` words one of pydantic's errors in Danish (our own rules'
message as written), so none of pydantic's English reaches a user.

Light on purpose: the standard library and email-validator only (no SQLAlchemy).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from calendars.workdays import CalendarRangeError, within_range
from models.errors import Invalid

MAX_LINE = 500  # one line: a title, a name, a department
MAX_NAME = 200
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_LOCAL_PART = 64  # RFC 5321 § 4.5.3.1.1 (email-validator lets longer ones through)
MAX_SERIAL_DIGITS = 6  # KLE løbenummer: up to 999999 cases of one subject in one year
# KLE: emne (hovedgruppe.gruppe.emne) - handlingsfacet - løbenummer - år (2 cifre). ASCII digits
# only: \d would also take Arabic-Indic digits, and `$` would take a trailing newline.
JOURNAL_NUMBER = re.compile(
    rf"[0-9]{{2}}\.[0-9]{{2}}\.[0-9]{{2}}-[A-ZÆØÅ][0-9]{{2}}-[0-9]{{1,{MAX_SERIAL_DIGITS}}}-[0-9]{{2}}"
)
JOURNAL_HINT = "Skriv det som emne-handlingsfacet-løbenummer-år, fx 27.00.00-G01-1-24."
EMAIL_HINT = "Skriv en e-mailadresse som fx meha@slagelse.dk."


def _has_control(text: str) -> bool:
    # Cc (CR, LF, NUL, ESC …), Cf (zero-width and direction marks), Cs/Co/Cn (no character at all),
    # Zl/Zp (U+2028/U+2029: line and paragraph separators, which break a line like LF)
    return any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in text)


def _text(value: Any, field: str, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{label} skal være tekst.", field)
    return value


def single_line(value: Any, field: str, label: str = "Feltet", limit: int = MAX_LINE, required: bool = False) -> str:
    """`value` trimmed; refused if it holds a line break or another control character, is longer
    than `limit` characters, or (when `required`) is empty."""
    text = _text(value, field, label).strip()
    if _has_control(text):
        raise Invalid(f"{label} skal stå på én linje uden styretegn (linjeskift, tabulator o.l.).", field)
    if len(text) > limit:
        raise Invalid(f"{label} er for lang: højst {limit} tegn (fik {len(text)}).", field)
    if required and not text:
        raise Invalid(f"{label} skal udfyldes (kun mellemrum tæller ikke).", field)
    return text


def multi_line(value: Any, field: str, label: str = "Teksten", limit: int = 20_000) -> str:
    """A longer text (a Sagsfremstilling): line breaks and tabs allowed, other control characters not."""
    text = _text(value, field, label).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _has_control(text.replace("\n", "").replace("\t", "")):
        raise Invalid(f"{label} indeholder styretegn, der ikke kan gemmes. Fjern dem.", field)
    if len(text) > limit:
        raise Invalid(f"{label} er for lang: højst {limit} tegn (fik {len(text)}).", field)
    return text


def email_address(value: Any, field: str, label: str = "E-mailadressen", required: bool = False) -> str:
    """An e-mail address as the email-validator library reads it (syntax only, no DNS), normalised."""
    from email_validator import EmailNotValidError, validate_email

    text = single_line(value, field, label, MAX_EMAIL, required)
    if not text:
        return ""
    try:
        address = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        address = None
    if address is None or len(address.local_part) > MAX_LOCAL_PART:
        raise Invalid(f"'{text}' er ikke en gyldig e-mailadresse. {EMAIL_HINT}", field)
    return address.normalized


def journal_number(value: Any, field: str = "journal_number") -> str:
    """A KLE journal number without surrounding whitespace, e.g. '27.00.00-G01-1-24'."""
    text = _text(value, field, "Journalnummeret").strip()
    if not JOURNAL_NUMBER.fullmatch(text):
        shown = (
            text if len(text) <= 40 and not _has_control(text) else text[:40].encode("unicode_escape").decode() + "…"
        )
        raise Invalid(
            f"'{shown}' er ikke et journalnummer i KLE-form (løbenummeret højst {MAX_SERIAL_DIGITS} cifre). "
            + JOURNAL_HINT,
            field,
        )
    return text


def calendar_date(day: dt.date, field: str, label: str = "Datoen") -> dt.date:
    """`day` if Sagsgang's calendar covers it (FIRST_YEAR–LAST_YEAR), else Invalid naming the range."""
    try:
        return within_range(day, label)
    except CalendarRangeError as error:
        raise Invalid(str(error), field) from None


def whole_number(value: Any, field: str, low: int, high: int, label: str = "Tallet") -> int:
    """An int between `low` and `high` (both included), from an int or its decimal digits."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 18:
        text = int(text)
    if not isinstance(text, int) or isinstance(text, bool) or not low <= text <= high:
        raise Invalid(f"{label} skal være et helt tal mellem {low} og {high}.", field)
    return text


# --- pydantic's errors in Danish ---------------------------------------------------------------

_PYDANTIC = (
    ("missing", "Feltet skal udfyldes."),
    ("extra_forbidden", "Feltet kendes ikke."),
    ("string_too_long", "Værdien er for lang."),
    ("too_long", "Der er for mange værdier."),
    ("string_type", "Feltet skal være tekst."),
    ("int", "Skriv et gyldigt helt tal."),
    ("greater", "Tallet er for lille."),
    ("less", "Tallet er for stort."),
    ("enum", "Værdien er ikke et af de tilladte valg."),
    ("literal_error", "Værdien er ikke et af de tilladte valg."),
    ("string_pattern_mismatch", "Værdien er ikke et af de tilladte valg."),
    ("bool", "Skriv true eller false."),
    ("date", "Skriv datoen som dd-mm-åååå eller åååå-mm-dd."),
    ("list", "Feltet skal være en liste."),
    ("json_invalid", "Indholdet skal være et JSON-objekt."),
    ("model_attributes_type", "Indholdet skal være et JSON-objekt."),
    ("dict_type", "Indholdet skal være et JSON-objekt."),
    ("model_type", "Indholdet skal være et JSON-objekt."),
)


def is_ours(problem: Any) -> bool:
    """Whether one of pydantic's error dicts is one of these rules' own (its message names the field)."""
    return isinstance((problem.get("ctx") or {}).get("error"), Invalid)


def danish(problem: Any) -> str:
    """One of pydantic's error dicts (ValidationError.errors()) as a Danish sentence: our own rules'
    message as written, pydantic's own by its error type."""
    error = (problem.get("ctx") or {}).get("error")
    if isinstance(error, Invalid):
        return error.message
    kind = str(problem.get("type", ""))
    return next((text for prefix, text in _PYDANTIC if kind.startswith(prefix)), "Værdien er ikke gyldig.")
