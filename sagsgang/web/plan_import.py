"""The Møder page's 'Indlæs mødeplan': the same import as `sagsgang mødeplan indlæs`
(sagsgang.meetingplans.importing), for the web app's routes (sagsgang.web.routes.plan_import).

The preview page carries the uploaded file back in a hidden field, so confirming reads and checks
the very same file again in the transaction that stores it; nothing is kept on the server between
the two requests.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from sagsgang.meetingplans import importing, wording
from sagsgang.meetingplans.comparison import Preview
from sagsgang.meetingplans.reading import PlanFileError, PlanRow, RowProblem, read_plan
from sagsgang.web.service import FlowWarning, Web, _run

MAX_BYTES = 2_000_000  # a year's plan for every body is a few kB; Excel files stay well below this


@dataclass(frozen=True)
class Upload:
    """The file as the preview page hands it back: name, contents and the chosen body."""

    municipality: str
    body: str  # "" for a file with an Organ column
    filename: str
    data: bytes

    @property
    def encoded(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    @classmethod
    def decoded(cls, municipality: str, body: str, filename: str, encoded: str) -> Upload:
        try:
            return cls(municipality, body, filename, base64.b64decode(encoded.encode("ascii"), validate=True))
        except (binascii.Error, UnicodeEncodeError):
            raise PlanFileError([RowProblem(0, "Filen kom ikke med. Vælg den og indlæs igen.")]) from None


@dataclass(frozen=True)
class PreviewPage:
    upload: Upload
    preview: Preview
    sections: list[tuple[str, list[str]]]
    summary: str
    meetings: int


def _engine(web: Web) -> Engine:
    return web.engine


def _rows(web: Web, upload: Upload) -> list[PlanRow]:
    if not upload.data:
        raise PlanFileError([RowProblem(0, "Vælg en fil med mødeplanen (.xlsx, .csv eller .ics).")])
    if len(upload.data) > MAX_BYTES:
        raise PlanFileError([RowProblem(0, "Filen er for stor til en mødeplan (højst 2 MB).")])
    return read_plan(upload.filename, upload.data, web.profile(upload.municipality), upload.body or None)


def preview(web: Web, upload: Upload) -> PreviewPage:
    """What the import would change; writes nothing. PlanFileError for bad rows."""
    rows = _rows(web, upload)
    found = importing.preview_rows(_engine(web), web.profile(upload.municipality), rows)
    return PreviewPage(upload, found, wording.sections(found), wording.summary(found), len(rows))


def store(web: Web, upload: Upload, confirmed: bool) -> tuple[Preview, list[str], FlowWarning | None]:
    """Store the plan, then re-plan the cases on moved and cancelled meetings (the orchestration
    port). PlanFileError or importing.NeedsConfirmation, nothing written."""
    rows = _rows(web, upload)
    stored, keys = importing.store_rows(_engine(web), web.profile(upload.municipality), rows, confirmed)
    replanned: list[str] = []

    def run() -> None:
        for key in keys:
            replanned.extend(web.orchestrator.meeting_changed(upload.municipality, key)["sager"])

    warning = _run("Mødeplanen", run)
    return stored, sorted(set(replanned)), warning
