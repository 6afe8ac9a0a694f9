"""The `sagsgang` command. Thin: parse, call the core, print. Everything a user sees is Danish.

Each group of commands lives in sagsgang/cli/ and registers its sub-commands here. The settings
(sagsgang.settings) are read here, once per command, and handed to it as `args.settings`. Command
modules import only light modules at the top: the planning commands must answer fast, so Prefect
and the database layer are imported inside the commands that need them. While the service runs,
the lifecycle's actions go to it before any of this is imported (sagsgang.cli.service_client).
"""

from __future__ import annotations

import importlib
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sagsgang import quick_exit
from sagsgang.cli.argparse_da import DanishArgumentParser
from sagsgang.errors import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, SagsgangError, from_model

if TYPE_CHECKING:
    from models.errors import ModelError
    from sagsgang.settings import Settings

CHOOSE_MUNICIPALITY = "Angiv kommunen med --kommune."
# Exit codes (README, `sagsgang --help`): 0 done, 1 unexpected error, 2 bad input (nothing written),
# 3 something Sagsgang depends on is unavailable (database, disk, mail server, Prefect), 130 Ctrl-C.
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    "Afslutningskoder: 0 udført; 1 uventet fejl (detaljer i logfilen under SAGSGANG_HOME/logs); "
    "2 fejl i det indtastede (intet er gemt); 3 noget Sagsgang afhænger af svarer ikke (database, disk, "
    "mailserver, Prefect); 130 afbrudt med Ctrl-C."
)
# Each module and the commands (with their aliases) it registers: a command builds the parser of
# its own module only, which spares every command importing and declaring all the others.
# tests/cli/test_cli.py checks that each module registers exactly these.
COMMAND_MODULES = {
    "sagsgang.cli.planning_commands": ("plan", "kommuner", "møder", "demo"),
    "sagsgang.cli.case_commands": ("sag", "mødeplan", "daglig"),
    "sagsgang.cli.agenda_commands": ("dagsorden", "sagstekst", "faste-punkter"),
    "sagsgang.cli.feed_commands": ("kalender", "feeds", "abonnement"),
    "sagsgang.cli.service_commands": ("tjeneste", "serve", "arbejder", "worker", "log"),
    "sagsgang.cli.user_commands": ("bruger",),
    "sagsgang.cli.db_commands": ("db",),
    "sagsgang.cli.export_commands": ("sager",),
}


def worded(error: Exception) -> SagsgangError:
    """A models/ error (or a plain LookupError/ValueError) as the command line says it."""
    if _is_model_error(error):
        return from_model(cast("ModelError", error), CHOOSE_MUNICIPALITY)
    return SagsgangError(str(error))


def _is_model_error(error: BaseException) -> bool:
    # Only a command that imported models/ can raise one; the planning path imports nothing of it.
    errors = sys.modules.get("models.errors")
    return errors is not None and isinstance(error, errors.ModelError)


def build_parser(argv: Sequence[str] | None = None) -> DanishArgumentParser:
    """The parser of every command; or, when `argv` starts with a command's name, of that command's
    module only (`sagsgang --help` and a mistyped command get them all)."""
    first = next(iter(argv or ()), None)
    own = [name for name, commands in COMMAND_MODULES.items() if first in commands]
    parser = DanishArgumentParser(
        prog="sagsgang",
        description="Sagsgang planlægger politiske sagers vej gennem kommunens organer: "
        "sagsfrister og møder, tidligst og senest, i arbejdsdage.",
        epilog=EXIT_CODES,
    )
    commands = parser.add_subparsers(
        title="kommandoer", metavar="<kommando>", required=True, parser_class=DanishArgumentParser
    )
    for name in own or COMMAND_MODULES:
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


def read_settings() -> Settings:
    """The SAGSGANG_* settings of this command; a Danish message naming the variable that is wrong."""
    from pydantic import ValidationError

    from calendars.danish import DateFormatError
    from sagsgang.settings import Settings

    try:
        settings = Settings()
        settings.clock()  # SAGSGANG_TODAY is read now, so a wrong date is told before anything runs
    except ValidationError as error:
        problems = "; ".join(
            f"SAGSGANG_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        raise SagsgangError(f"En indstilling kan ikke læses ({problems}).") from None
    except DateFormatError as error:
        raise SagsgangError(f"SAGSGANG_TODAY: {error}") from None
    return settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command; `settings` (default: read from the environment) is for demos and tests."""
    if argv is None:  # run as a command (not called by tests or other code in their process)
        # Piped into `head`: stop quietly like other command-line tools.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        quick_exit.skip_final_collections()
    given = sys.argv[1:] if argv is None else argv
    if settings is None and (code := _thin(given)) is not None:
        return code
    from calendars.workdays import CalendarRangeError
    from sagsgang.cli.database import Unavailable

    args = build_parser(given).parse_args(argv)
    handler: Callable[..., int] = args.handler
    try:
        args.settings = settings or read_settings()
        return handler(args)
    except (LookupError, ValueError) as error:
        if not _is_model_error(error) and not isinstance(error, CalendarRangeError):
            return last_line(error, getattr(args, "settings", None))
        print(f"Fejl: {worded(error)}", file=sys.stderr)  # a fact in the database refuses it
        return EXIT_BAD_INPUT
    except SagsgangError as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Unavailable as error:
        print(f"Fejl: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        print("\nAfbrudt.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        return last_line(error, getattr(args, "settings", None))


def _thin(argv: Sequence[str]) -> int | None:
    """The action sent to the running service (sagsgang.cli.service_client), or None."""
    from sagsgang.cli import service_client

    try:
        return service_client.run(argv)
    except KeyboardInterrupt:
        print("\nAfbrudt.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        return last_line(error, None)


def last_line(error: Exception, settings: Settings | None) -> int:
    """No traceback reaches a user: a fault in what we depend on is told in Danish (exit 3), anything
    else is "Uventet fejl" (exit 1); either way the traceback goes to the log file for IT."""
    from sagsgang.faults import fault_message, log_traceback

    path = log_traceback(error, settings)
    if message := fault_message(error, settings):
        print(f"Fejl: {message} (Detaljer er skrevet i {path}.)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"Uventet fejl — detaljer er skrevet i {path}", file=sys.stderr)
    return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
