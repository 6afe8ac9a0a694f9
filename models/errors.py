"""The errors models/ raises: typed, with the field or key they concern.

Their text states the fact in Danish (what is missing or wrong), with no advice tied to one way
of using Sagsgang: the command line and the web word the advice themselves (sagsgang.errors).
They are also LookupError / ValueError, so code that catches those keeps working.
"""

from __future__ import annotations


class ModelError(Exception):
    """Something in the database, or a value for it, refuses the request; nothing was written."""

    field: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(ModelError, LookupError):
    """No `what` with this `key` (e.g. what="body", key="direktion")."""

    def __init__(self, message: str, what: str, key: str, field: str | None = None) -> None:
        super().__init__(message)
        self.what, self.key, self.field = what, key, field


class Ambiguous(NotFound):
    """The `key` names a `what` in several municipalities; the caller must say which."""

    def __init__(self, message: str, what: str, key: str, municipalities: list[str]) -> None:
        super().__init__(message, what, key, field="municipality")
        self.municipalities = municipalities


class Invalid(ModelError, ValueError):
    """A value that cannot be stored: `field` says which, the message why."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
