"""Case commands (sagsgang sag …): launch, decide. Filled in by the lifecycle work."""

from __future__ import annotations


def register(commands) -> None:
    """No commands yet."""
