"""Sagsgang's one domain error: a Danish message for the user and the field it concerns.

Raised for bad input (a date that is no date, a route the profile lacks, a case that exists
already). The edges word and place it: the command line prints "Fejl: <message>" and exits 2;
the web shows the message at the form field named by `field` (sagsgang.web.forms.FORM_FIELDS
maps the domain's field names to the form's). models/ raises its own typed errors
(models.errors); `from_model` turns one into this, with the edge's own hint where one helps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI's planning path imports nothing of models/
    from models.errors import ModelError

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3  # something Sagsgang depends on is unavailable (database, disk, mail server, Prefect)


class SagsgangError(Exception):
    """Bad input or a request the facts refuse: nothing was written.

    `field` is the domain name of what it concerns (a LaunchRequest attribute such as
    "journal_number", "owner_email", "route", "target_date", or "body", "outcome", "new_ready",
    "new_day"), or None when it concerns the request as a whole."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def from_model(error: ModelError, choose_municipality: str = "") -> SagsgangError:
    """The user's wording of a models/ error; `choose_municipality` is how this edge lets the user
    name the municipality when a key is found in several (the CLI: "Angiv kommunen med --kommune.")."""
    from models.errors import Ambiguous

    message = str(error)
    if isinstance(error, Ambiguous) and choose_municipality:
        message = f"{message} {choose_municipality}"
    return SagsgangError(message, error.field)
