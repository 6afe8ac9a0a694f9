"""argparse speaking Danish: its own messages ("usage:", "error:", …) translated.

argparse looks its texts up through gettext at call time (`argparse._`), so installing a
translation function there is enough; anything not in the table stays as argparse wrote it.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

_DANISH = {
    "usage: ": "Brug: ",
    "options": "tilvalg",
    "positional arguments": "argumenter",
    "show this help message and exit": "vis denne hjælp og afslut",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "the following arguments are required: %s": "følgende skal angives: %s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r er ikke et gyldigt valg (vælg mellem %(choices)s)",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "expected one argument": "mangler en værdi",
    "expected at least one argument": "mangler mindst én værdi",
    "expected at most one argument": "tager højst én værdi",
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
    "one of the arguments %s is required": "angiv én af %s",
    "invalid %(type)s value: %(value)r": "ugyldig værdi: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydigt tilvalg: %(option)s kan betyde %(matches)s",
    "ignored explicit argument %r": "%r blev ignoreret",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "ukendt kommando %(parser_name)r (vælg mellem %(choices)s)",
}


def _translate(message: str) -> str:
    return _DANISH.get(message, message)


def _ntranslate(singular: str, plural: str, count: int) -> str:
    return _translate(singular if count == 1 else plural)


argparse._ = _translate  # type: ignore[attr-defined]
argparse.ngettext = _ntranslate  # type: ignore[attr-defined]


class DanishArgumentParser(argparse.ArgumentParser):
    """Errors exit with code 2 and a Danish hint at --help."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fejl: {message}\nSe '{self.prog} --help' for hjælp.\n")
