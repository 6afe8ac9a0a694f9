"""Asking the user at the terminal: only when there is one, and Ctrl-C / Ctrl-D end the question
quietly with one Danish line (nothing is written; exit code 2 like other refused input)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from sagsgang.inputs import UserError, read_date

INTERRUPTED = "Afbrudt: intet er gemt."


def _ask(question: str, without_terminal: str, read: Callable[[str], str]) -> str:
    if not sys.stdin.isatty():
        raise UserError(without_terminal)
    try:
        return read(question)
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        raise UserError(INTERRUPTED) from None


def ask_secret(question: str, without_terminal: str) -> str:
    """A password, not echoed."""
    import getpass

    return _ask(question, without_terminal, getpass.getpass)


def ask_date(question: str, without_terminal: str, field: str):
    """A date (sagsgang.inputs.read_date), asked for once."""
    return read_date(_ask(question, without_terminal, input), field)


def ask_new_ready():
    """`sag beslut … tilbagesendt` without --klar: when the case is ready again (not silently today)."""
    return ask_date(
        "Sagen er sendt tilbage. Hvornår er den klar igen (dd-mm-åååå)? ",
        "Ved 'tilbagesendt' skal du sige, hvornår sagen er klar igen: --klar DATO, fx --klar 01-09-2027.",
        "new_ready",
    )
