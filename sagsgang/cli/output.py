"""Writing a command's result to a file chosen with -o: the format follows the suffix, an unknown
suffix is a Danish error (never a silent other format), and the file is written whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sagsgang.inputs import UserError


def format_for(path: str, formats: Mapping[str, str], hint: str = "") -> str:
    """The format `formats` gives the suffix of `path` ({".docx": "docx", …})."""
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        known = ", ".join(dict.fromkeys(formats))
        raise UserError(
            f"Filendelsen '{suffix or '(ingen)'}' i {path} kendes ikke. Brug en af: {known}.{' ' + hint if hint else ''}"
        )
    return formats[suffix]


def write_file(path: Path, content: str | bytes) -> None:
    """All or nothing: a half-written file is never left behind."""
    if not path.parent.is_dir():
        raise UserError(f"Mappen {path.parent} findes ikke. Opret den eller vælg en anden sti med -o.")
    temporary = path.with_name(f".{path.name}.tmp")
    if isinstance(content, bytes):
        temporary.write_bytes(content)
    else:
        temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)
