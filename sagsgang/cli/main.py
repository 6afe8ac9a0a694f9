"""The `sagsgang` command. Thin: parse, call the core, print. Everything a user sees is Danish.

Each group of commands lives in sagsgang/cli/ and registers its sub-commands here. Command
modules import only light modules at the top: the planning commands must answer fast, so Prefect
and the database layer are imported inside the commands that need them.
"""

from __future__ import annotations

import importlib
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sagsgang.cli.argparse_da import DanishArgumentParser
from sagsgang.cli.database import EXIT_UNAVAILABLE, Unavailable
from sagsgang.inputs import EXIT_BAD_INPUT, UserError

COMMAND_MODULES = (
    "sagsgang.cli.planning_commands",
    "sagsgang.cli.case_commands",
    "sagsgang.cli.agenda_commands",
    "sagsgang.cli.feed_commands",
    "sagsgang.cli.user_commands",
    "sagsgang.cli.db_commands",
    "sagsgang.cli.export_commands",
)


def build_parser() -> DanishArgumentParser:
    parser = DanishArgumentParser(
        prog="sagsgang",
        description="Sagsgang planlægger politiske sagers vej gennem kommunens organer: "
        "sagsfrister og møder, tidligst og senest, i arbejdsdage.",
    )
    commands = parser.add_subparsers(
        title="kommandoer", metavar="<kommando>", required=True, parser_class=DanishArgumentParser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def command_name() -> str:
    """The command as the reader can type it: `sagsgang` where that is on PATH (an activated
    virtual environment), else the one installed next to this Python, e.g. `.venv/bin/sagsgang`
    after `make demo` in a fresh checkout."""
    installed = Path(sys.executable).parent / "sagsgang"
    found = shutil.which("sagsgang")
    if not installed.exists() or (found and Path(found).resolve() == installed.resolve()):
        return "sagsgang"
    try:
        return str(installed.relative_to(Path.cwd()))
    except ValueError:
        return str(installed)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as a command (not called by tests or other code in their process)
        # Piped into `head`: stop quietly like other command-line tools.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    handler: Callable[..., int] = args.handler
    try:
        return handler(args)
    except UserError as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Unavailable as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE


if __name__ == "__main__":
    sys.exit(main())
