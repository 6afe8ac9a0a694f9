"""Calendar feed commands (sagsgang feeds …, abonnement …, serve)."""

from __future__ import annotations


def register(commands) -> None:
    """No commands yet."""
