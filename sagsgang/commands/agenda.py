"""Agenda and minutes commands (sagsgang dagsorden …)."""

from __future__ import annotations


def register(commands) -> None:
    """No commands yet."""
