"""The import as the CLI and the web app run it: read the file, preview in a transaction that is
rolled back, or store in one transaction. Re-planning the cases is the caller's next step, after
the commit, through the orchestration port (meeting_changed for each returned key)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from calendars.profiles import Profile
from models.db import session_scope
from sagsgang.meetingplans.applying import apply_plan
from sagsgang.meetingplans.comparison import Preview, preview_plan
from sagsgang.meetingplans.reading import PlanRow


class NeedsConfirmation(Exception):
    """Rows on holidays, closing days, weekends or in recesses: the user must confirm them."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("\n".join(str(flag) for flag in preview.flags))
        self.preview = preview


def preview_rows(engine: Engine, profile: Profile, rows: Sequence[PlanRow]) -> Preview:
    """What storing `rows` would change; writes nothing."""
    with Session(engine) as session:
        try:
            return preview_plan(session, profile, rows)
        finally:
            session.rollback()


def store_rows(engine: Engine, profile: Profile, rows: Sequence[PlanRow], confirmed: bool) -> tuple[Preview, list[str]]:
    """Store the plan in one transaction: the preview of what was done, and the keys of the meetings
    whose cases must be re-planned. NeedsConfirmation (nothing written) for flagged days unless
    `confirmed`; PlanFileError (nothing written) for rows that cannot be stored."""
    with session_scope(engine) as session:
        preview = preview_plan(session, profile, rows)
        if preview.flags and not confirmed:
            raise NeedsConfirmation(preview)
        return preview, apply_plan(session, profile, preview)
