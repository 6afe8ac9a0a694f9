"""Values typed by a user, read with Danish messages that say what is wrong and how to fix it."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from calendars.danish import DateFormatError, parse_date
from calendars.profile_reader import load_profile, resolve_profile_path
from calendars.profiles import Profile, ProfileError, Route
from calendars.workdays import CalendarRangeError, within_range

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from calendars.planner import Target

from sagsgang.errors import SagsgangError

# Bad input: printed as it is (Danish), exit code 2, nothing written; the web shows it at its field.
UserError = SagsgangError


def read_date(text: str, field: str | None = None, label: str = "Datoen") -> dt.date:
    """A date typed as dd-mm-åååå or åååå-mm-dd, inside the calendar's years."""
    try:
        return within_range(parse_date(text), label)
    except (DateFormatError, CalendarRangeError) as error:
        raise UserError(str(error), field) from None


def read_line(text: str | None, field: str, label: str, limit: int | None = None, required: bool = False) -> str:
    """One line of text (a name, a title), trimmed, without control characters (models.fields).
    models/ is imported here, not at the top: the planning commands import nothing of it."""
    from models import fields
    from models.errors import Invalid

    try:
        return fields.single_line(text, field, label, limit or fields.MAX_LINE, required)
    except Invalid as error:
        raise UserError(error.message, field) from None


def read_number(text: str | int, field: str, low: int, high: int, label: str) -> int:
    from models import fields
    from models.errors import Invalid

    try:
        return fields.whole_number(text, field, low, high, label)
    except Invalid as error:
        raise UserError(error.message, field) from None


def model_error(model: type[BaseModel], error: ValidationError) -> UserError:
    """pydantic's refusal of `model`'s values as one Danish message: each field's title and what is
    wrong with it (models.fields.danish); the error's field is the first one's."""
    from models import fields

    titles = {name: info.title or name for name, info in model.model_fields.items()}
    found = error.errors()
    said = "; ".join(
        fields.danish(p)
        if fields.is_ours(p) or not p.get("loc")
        else f"{titles.get(str(p['loc'][0]), str(p['loc'][0]))}: {fields.danish(p)}"
        for p in found
    )
    first = found[0].get("loc") if found else None
    return UserError(said, str(first[0]) if first else None)


def read_profile(name: str) -> Profile:
    """The profile by name or path, read once per process while its file is unchanged: one action
    asks for it several times, and each reading builds the holiday calendar anew."""
    try:
        path = resolve_profile_path(name)
        found = path.stat()
        return _profile(path, found.st_mtime_ns, found.st_size)
    except ProfileError as error:
        raise UserError(str(error), "municipality") from None


@lru_cache(maxsize=32)
def _profile(path: Path, _modified: int, _size: int) -> Profile:
    return load_profile(path)


def read_route(profile: Profile, key: str) -> Route:
    if key not in profile.routes:
        choices = "\n".join(f"  {k}: {r.name}" for k, r in profile.routes.items())
        raise UserError(f"Ruten '{key}' findes ikke i {profile.name}. Vælg en af:\n{choices}", "route")
    return profile.routes[key]


def read_target(profile: Profile, text: str) -> Target:
    from calendars.planner import Target

    return Target(*_body_and_day(profile, text, "--senest", "byraadet:24-06-2027", "target_date"))


def read_late(profile: Profile, text: str, decided_by: str = ""):
    """'chefforum:20-03-2024' → a LateAddition (the case goes on that meeting after its deadline)."""
    from calendars.planner import LateAddition

    body, day = _body_and_day(profile, text, "--eftersendt", "chefforum:20-03-2024", "late")
    return LateAddition(body, day, decided_by.strip())


def _body_and_day(profile: Profile, text: str, option: str, example: str, field: str) -> tuple[str, dt.date]:
    body, sep, day = text.partition(":")
    if not sep:
        raise UserError(f"{option} skal skrives <organ>:<dato>, fx {example} (fik '{text}').", field)
    if body not in profile.bodies:
        raise UserError(
            f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.", field
        )
    return body, read_date(day, field)
