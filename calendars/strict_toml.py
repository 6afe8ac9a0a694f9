"""TOML files that people write, read strictly: bytes to tables, and pydantic's findings in Danish.

Shared by the profile reader (calendars.profile_reader) and the case-text reader
(sagsgang.publishing.case_texts). A file is bounded in size and nesting and must be UTF-8 TOML;
its tables are then checked by a declarative pydantic model built from `Table`: unknown keys are
refused with the nearest known key suggested, types are strict (no "ja" for true), numbers and
dates have bounds. Every finding is a FileProblem (dotted key, problem, fix) in Danish, which
the caller words with its file; nothing of pydantic's or tomllib's English reaches a user.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from calendars.danish import DateFormatError, parse_date, parse_time
from calendars.workdays import CalendarRangeError, within_range

MAX_FILE_BYTES = 1_000_000  # a large municipality's profile is ~10 kB; a case text a few pages
MAX_DEPTH = 8  # values inside tables and lists; a route's parallel stage is 6 deep
MAX_TEXT = 20_000  # characters in one text value (a long sagsfremstilling is ~5,000)


class FileProblem(ValueError):
    """One thing wrong in a file: the dotted key ('' for the file as a whole), the problem, the fix."""

    def __init__(self, key: str, problem: str, fix: str) -> None:
        super().__init__(f"{key}: {problem} {fix}")
        self.key, self.problem, self.fix = key, problem, fix


# --- bytes to tables -----------------------------------------------------------------------------

_TOML_REASONS = {
    "Unterminated string": "en tekst mangler sit afsluttende anførselstegn",
    "Illegal character": "der står et tegn, TOML ikke tillader",
    "Cannot overwrite a value": "en nøgle står to gange",
    "Cannot declare": "en tabel står to gange",
    "Expected '=' after a key": "der mangler '=' efter en nøgle",
    "Invalid value": "en værdi kan ikke læses (tekst skal i anførselstegn)",
    "Invalid initial character for a key part": "en nøgle begynder med et tegn, der ikke må stå der",
    "Invalid date or datetime": "en dato kan ikke læses",
    "Expected newline or end of document": "der står mere på linjen efter værdien",
}


def load_toml(path: Path) -> dict[str, Any]:
    """The file's tables, or FileProblem: unreadable, too large, not UTF-8, not TOML, nested too deep."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise FileProblem("", f"filen kan ikke læses ({error.strerror}).", "tjek stien og at filen må læses.") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(
            "",
            f"filen er større end {MAX_FILE_BYTES:,} bytes.".replace(",", "."),
            "tjek at det er den rigtige fil; en profil eller en sagstekst fylder nogle få kilobytes.",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            "", f"filen er ikke UTF-8 (linje {line} har et tegn, der ikke kan læses).", "gem filen som UTF-8."
        ) from None
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FileProblem(
            "",
            f"filen er ikke gyldig TOML: {_toml_reason(str(error))}.",
            "ret syntaksen på den linje, fejlen peger på.",
        ) from None
    except RecursionError:
        tables = None
    if tables is None or _depth(tables) > MAX_DEPTH:
        raise FileProblem(
            "",
            f"lister og tabeller er indlejret i mere end {MAX_DEPTH} niveauer.",
            "skriv værdierne som i eksemplerne: en liste af tekster, eller en liste af lister.",
        )
    return tables


def _toml_reason(english: str) -> str:
    reason = next((danish for prefix, danish in _TOML_REASONS.items() if english.startswith(prefix)), "syntaksfejl")
    if match := re.search(r"at line (\d+), column (\d+)", english):
        return f"{reason} i linje {match[1]}, kolonne {match[2]}"
    return f"{reason} ved filens slutning" if "end of document" in english else reason


def _depth(value: Any) -> int:
    """How deep lists and tables nest (without recursion: the file may nest thousands deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


# --- the declarative models ----------------------------------------------------------------------


def refuse(problem: str, fix: str) -> PydanticCustomError:
    """A finding of a validator, already in Danish (raise it)."""
    return PydanticCustomError("dansk", "{problem}", {"problem": problem, "fix": fix})


class Table(BaseModel):
    """A TOML table with exactly the keys its fields declare (a field's alias is its TOML key,
    its description the fix shown when it is missing), strict about types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data  # pydantic says it is not a table
        fields = {field.alias or name: field for name, field in cls.model_fields.items()}
        for key in data:
            if key not in fields:
                raise PydanticCustomError("ukendt_noegle", "{key}", {"key": key, "known": tuple(fields)})
        for key, field in fields.items():
            if field.is_required() and key not in data:
                raise PydanticCustomError("mangler", "{key}", {"key": key, "fix": field.description or ""})
        return data


def between(low: int, high: int, fix: str = "") -> Callable[[int], int]:
    """For AfterValidator: an integer from `low` to `high`; outside them, the range is named."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise refuse(
                f"{value} er uden for det tilladte ({low}–{high}).", fix or f"angiv et helt tal fra {low} til {high}."
            )
        return value

    return check


def limited(max_length: int = 200, required: bool = True) -> Callable[[str], str]:
    """For AfterValidator: a text of at most `max_length` characters; one of only spaces is refused
    when `required`."""

    def check(value: str) -> str:
        if len(value) > max_length:
            raise refuse(f"teksten er på {len(value)} tegn; højst {max_length} er tilladt.", "gør teksten kortere.")
        if required and not value.strip():
            raise refuse("teksten er tom.", "skriv teksten, eller fjern nøglen.")
        return value

    return check


def one_of(values: Iterable[Any], what: str) -> Callable[[Any], Any]:
    """For BeforeValidator: one of `values` (an enum's members), written as its text."""
    options = {str(getattr(v, "value", v)): v for v in values}

    def pick(value: Any) -> Any:
        if not isinstance(value, str) or value not in options:
            raise refuse(f"{_shown(value)} er ikke {what}.", f"brug {_either(repr(o) for o in options)}.")
        return options[value]

    return pick


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise refuse(f"{_shown(value)} har et klokkeslæt.", 'skriv kun datoen, fx "2027-03-30".')
    try:
        if isinstance(value, dt.date):
            return within_range(value, iso=True)
        if isinstance(value, str):
            return within_range(parse_date(value), iso=True)
    except (DateFormatError, CalendarRangeError) as error:
        raise refuse(str(error), 'skriv datoen som "åååå-mm-dd", fx "2027-03-30".') from None
    raise refuse(f"{_shown(value)} er ikke en dato.", 'skriv datoen som "åååå-mm-dd", fx "2027-03-30".')


def to_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        if isinstance(value, str):
            return parse_time(value)
    except DateFormatError as error:
        raise refuse(str(error), 'skriv klokkeslættet som "tt:mm", fx "09:00".') from None
    raise refuse(f"{_shown(value)} er ikke et klokkeslæt.", 'skriv klokkeslættet som "tt:mm", fx "09:00".')


CalendarDate = Annotated[dt.date, BeforeValidator(to_date)]
ClockTime = Annotated[dt.time, BeforeValidator(to_time)]


# --- pydantic's findings in Danish ---------------------------------------------------------------

_TYPES: dict[str, tuple[str, str]] = {
    "string_type": ("er ikke en tekst", 'skriv teksten i anførselstegn, fx "…".'),
    "int_type": ("er ikke et helt tal", "skriv et helt tal uden anførselstegn, fx 5."),
    "int_from_float": ("er ikke et helt tal", "skriv et helt tal uden decimaler, fx 5."),
    "bool_type": ("er hverken true eller false", "skriv true eller false uden anførselstegn."),
    "list_type": ("er ikke en liste", "skriv en liste i firkantede parenteser, fx [1, 2]."),
    "dict_type": ("er ikke en tabel", "skriv en tabel, fx [navn] med nøgler under, eller { nøgle = … }."),
    "model_type": ("er ikke en tabel", "skriv en tabel, fx [navn] med nøgler under, eller { nøgle = … }."),
}


def problem_from(error: ValidationError, fixes: Callable[[str], str] | None = None) -> FileProblem:
    """pydantic's first finding as a FileProblem; `fixes` may give a better fix for a dotted key."""
    found = error.errors(include_url=False)[0]
    kind, ctx, value = found["type"], found.get("ctx") or {}, found.get("input")
    key = dotted(found["loc"])
    if kind == "ukendt_noegle":
        key = dotted((*found["loc"], ctx["key"]))
        near = difflib.get_close_matches(ctx["key"], ctx["known"], n=1, cutoff=0.6)
        if near:
            return FileProblem(
                key, f"ukendt nøgle '{ctx['key']}' — mente du '{near[0]}'?", f"ret nøglen til '{near[0]}'."
            )
        return FileProblem(
            key, f"ukendt nøgle '{ctx['key']}'.", f"brug en af de kendte nøgler: {', '.join(ctx['known'])}."
        )
    if kind == "mangler":
        key = dotted((*found["loc"], ctx["key"]))
        return FileProblem(key, "nøglen mangler.", ctx["fix"] or (fixes and fixes(key)) or "tilføj den.")
    if kind == "dansk":
        return FileProblem(key, ctx["problem"], ctx["fix"])
    if kind in _TYPES:
        problem, fix = _TYPES[kind]
        return FileProblem(key, f"værdien {_shown(value)} {problem}.", (fixes and fixes(key)) or fix)
    if kind == "too_short":
        return FileProblem(key, "listen er tom.", "angiv mindst én værdi, eller fjern nøglen.")
    if kind == "too_long":
        return FileProblem(
            key, f"listen er for lang (højst {ctx.get('max_length')}).", "tjek at det er de rigtige værdier."
        )
    return FileProblem(key, f"værdien {_shown(value)} kan ikke bruges her.", "se eksemplerne i de medfølgende filer.")


def dotted(loc: Iterable[int | str]) -> str:
    """('bodies', 'raad', 'meetings', 3) → 'bodies.raad.meetings[3]' (pydantic's '[key]' tags dropped)."""
    key = ""
    for part in loc:
        if part == "[key]":
            continue
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else str(part)
    return key


def _shown(value: Any) -> str:
    shown = value.isoformat() if isinstance(value, dt.date | dt.time) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _either(options: Iterable[str]) -> str:
    listed = list(options)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} eller {listed[-1]}"
