"""Recording a late addition from the web app and the JSON API: the same as `sagsgang sag
eftersend`, then the case's flow re-plans it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagsgang.cases.follow_up import NextStep
from sagsgang.cases.history import Editor
from sagsgang.cases.routing import add_late
from sagsgang.inputs import UserError
from sagsgang.web import notices
from sagsgang.web.forms import FormErrors, read_late
from sagsgang.web.service import FlowWarning, Web, _case, follow


def send_late(
    web: Web, municipality: str, journal_number: str, data: Mapping[str, Any], editor: Editor
) -> tuple[str, FlowWarning | None, NextStep | None]:
    """Put the case on a meeting after its deadline; a Danish confirmation, maybe a warning, and
    what happens next (service.follow).
    LookupError when the case does not exist, FormErrors (nothing written) on bad input."""
    body, day, decided_by, reason = read_late(data)
    with web.session() as session:
        _case(session, municipality, journal_number)
        try:
            fact = add_late(session, journal_number, body, day, decided_by, reason, web.clock, municipality, editor)
        except UserError as error:
            field = "organ" if "Organet" in str(error) or "behandle" in str(error) else "dato"
            raise FormErrors({field: str(error)}) from None
        name = web.profile(municipality).bodies[body].name
    message = notices.late_notice(journal_number, name, fact.meeting.day, decided_by)
    warning, next_step = follow("Eftersendelsen", lambda: web.orchestrator.advance(journal_number, municipality))
    return message, warning, next_step
