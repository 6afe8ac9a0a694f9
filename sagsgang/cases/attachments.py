"""Attachment files (bilag): PDF, Word and Excel, recognised by their content (never by the name
or the type the browser claims), stored once under SAGSGANG_HOME/bilag by their SHA-256, and
served to logged-in users at `/bilag/<sha256>.<ext>`. The case's text keeps the attachment's
title and that address, so internal agendas link to it. Public agendas and OParl link an open
item's bilag at `/offentlig/bilag/<sha256>.<ext>` instead, which answers anyone only while some
open (not closed) case on a published agenda lists the file
(sagsgang.cases.public_attachments); a closed item's bilag
is never there."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sagsgang.inputs import UserError

URL_PREFIX = "/bilag/"
PUBLIC_PREFIX = "/offentlig/bilag/"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and Excel 97–2003 (Compound File)
NAME = re.compile(r"^([0-9a-f]{64})\.(pdf|docx|xlsx|doc|xls)$")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
ACCEPTED = "PDF, Word (.docx, .doc) eller Excel (.xlsx, .xls)"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    kind: str  # pdf | docx | xlsx | doc | xls

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}{self.sha256}.{self.kind}"


def folder(home: Path) -> Path:
    return home / "bilag"


def kind_of(data: bytes, filename: str) -> str:
    """What the file is by its content; UserError (Danish) for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    if data.startswith(_OLE):
        return "xls" if filename.lower().endswith(".xls") else "doc"
    raise UserError(f"Filen '{filename}' er ikke et bilag, Sagsgang kan gemme. Vælg en fil i {ACCEPTED}.", "fil")


def store(home: Path, data: bytes, filename: str, limit_mb: int) -> StoredFile:
    """Check and store the file (once per content); UserError when it is empty, too big or not
    PDF, Word or Excel."""
    if not data:
        raise UserError("Vælg en fil at vedhæfte.", "fil")
    if len(data) > limit_mb * 1024 * 1024:
        raise UserError(f"Filen er for stor (højst {limit_mb} MB).", "fil")
    stored = StoredFile(hashlib.sha256(data).hexdigest(), kind_of(data, filename))
    path = folder(home) / f"{stored.sha256}.{stored.kind}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(data)
        partial.replace(path)  # whole or not at all
    return stored


def find(home: Path, name: str) -> tuple[Path, str] | None:
    """The stored file for `<sha256>.<ext>` and its media type, or None."""
    match = NAME.match(name)
    if match is None:
        return None
    path = folder(home) / name
    return (path, MEDIA_TYPES[match.group(2)]) if path.is_file() else None


def stored_name(file: str) -> str | None:
    """`<sha256>.<ext>` when `file` is the address of an uploaded bilag, else None."""
    name = file.removeprefix(URL_PREFIX)
    return name if file.startswith(URL_PREFIX) and NAME.match(name) else None


def public_url(file: str) -> str:
    """Where a public agenda links the bilag: an upload's public address; any other address as it is."""
    name = stored_name(file)
    return f"{PUBLIC_PREFIX}{name}" if name else file


@dataclass(frozen=True)
class Described:
    media_type: str
    size: int
    sha512: str


@lru_cache(maxsize=4096)  # a stored file never changes: its name is its content's hash
def describe(home: Path, name: str) -> Described | None:
    """Media type, size and SHA-512 of the stored `<sha256>.<ext>` (OParl's File), or None."""
    found = find(home, name)
    if found is None:
        return None
    path, media_type = found
    data = path.read_bytes()
    return Described(media_type, len(data), hashlib.sha512(data).hexdigest())
