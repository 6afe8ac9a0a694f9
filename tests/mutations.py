"""Bad TOML for the file doors' hypothesis tests (issue 12): a valid file parsed, one value replaced
by a wrong one or one unknown key added, written back as TOML (no TOML writer is installed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ENGLISH = (
    "Input should",
    "validation error",
    "Field required",
    "Extra inputs",
    "Value error",
    "type=",
    "at line",
    "Traceback",
)


def toml_value(value: Any) -> str:
    """A value as inline TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(str(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + " }"


def toml_text(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n" for k, v in data.items())


def places(data: Any, path: tuple = ()) -> list[tuple]:
    """Every key path and list index in the parsed file."""
    found = [path] if path else []
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, child in children:
        found += places(child, (*path, key))
    return found


def replaced(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


def added(data: Any, path: tuple, key: str, value: Any) -> Any:
    """`key = value` added to the table at `path` (or the nearest table above it)."""
    while path and not isinstance(_at(data, path), dict):
        path = path[:-1]
    table = dict(_at(data, path))
    table[key] = value
    return replaced(data, path, table)


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
dates = st.dates(dt.date(1, 1, 1), dt.date(1989, 12, 31)) | st.dates(dt.date(2101, 1, 1), dt.date(9999, 12, 31))
bad_values = st.one_of(
    texts,
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.integers(-(10**6), -1),
    st.floats(allow_nan=True, allow_infinity=True),
    dates,
    dates.map(str),
    dates.map(lambda d: f"{d:%d-%m}-{d.year:04d}"),
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)),
    st.times(),
    st.lists(st.integers(-(10**9), 10**9) | texts, max_size=4),
    st.dictionaries(texts, texts | st.integers(), max_size=3),
    st.just([]),
    st.just({}),
)


def mutations(base: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """`base` with one value replaced or one key added, as UTF-8 TOML."""
    spots = places(base)

    def written(mutation: tuple) -> bytes:
        kind, path, value = mutation
        data = replaced(base, path, value) if kind == "replace" else added(base, path, *value)
        return toml_text(data).encode("utf-8")

    return st.one_of(
        st.tuples(st.just("replace"), st.sampled_from(spots), bad_values),
        st.tuples(st.just("add"), st.sampled_from(spots), st.tuples(texts, bad_values)),
    ).map(written)


def garbage(valid: bytes) -> st.SearchStrategy[bytes]:
    """`valid` with a few random bytes put in somewhere."""
    return st.tuples(st.integers(0, len(valid)), st.binary(min_size=1, max_size=12)).map(
        lambda cut: valid[: cut[0]] + cut[1] + valid[cut[0] :]
    )


def assert_danish(message: str, path: Path) -> None:
    """A door's answer: names the file, says how to fix it, and has none of our libraries' English."""
    assert str(path) in message and "Sådan retter du det:" in message, message
    assert not any(english in message for english in ENGLISH), message
