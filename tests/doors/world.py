"""The world the bad-input suite knocks on: a database (SQLite here, PostgreSQL in `make e2e`) with
one case, one user and one personal calendar, and a way to see whether anything changed.

`snapshot()` is what "nothing written" means: the row count of every table and, on SQLite, the
bytes of every file in the database's folder and SAGSGANG_HOME (the log folder aside: a refusal
writes no log line, but the log is no state)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from models import db
from sagsgang.cli.main import main
from sagsgang.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
JOURNAL = "27.00.00-G01-1-27"
SECRETARY = ("meha@slagelse.dk", "sekretariat-kode-2027")
LAUNCH = [
    "sag", "opret", "--kommune", "slagelse", "--titel", "Erhvervsstrategi 2027–2030",
    "--journalnummer", JOURNAL, "--sagsbehandler", "Mette Hansen", "--sagsbehandler-email", "meha@slagelse.dk",
    "--leder", "Lars Berg", "--leder-email", "labe@slagelse.dk", "--rute", "politisk", "--klar", "01-03-2027",
]  # fmt: skip
# What a Danish answer never holds: Python's, argparse's, pydantic's and SQLAlchemy's own English.
ENGLISH = re.compile(
    r"Traceback|File \"|Error\b|error:|usage:|Usage:|required|invalid|expected|Value error|Input should|"
    r"validation error|Field|sqlalchemy|sqlite3|psycopg|IntegrityError|OperationalError|not a valid|unrecognized|"
    r"argument|must be|cannot|object|NoneType|int\(\)|too long|Exception",
)


@dataclass
class Answer:
    code: int
    out: str
    err: str


@dataclass
class World:
    settings: Settings
    folders: list[Path] = field(default_factory=list)
    figures: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("inputs", "exit codes other than 2", "tracebacks", "English", "written"), 0
        )
    )

    def tally(self, other_code: bool, traceback: bool, english: bool, written: bool) -> None:
        self.figures["inputs"] += 1
        for name, happened in (
            ("exit codes other than 2", other_code),
            ("tracebacks", traceback),
            ("English", english),
            ("written", written),
        ):
            self.figures[name] += happened

    @property
    def engine(self) -> sa.Engine:
        return self.settings.engine()

    def run(self, *argv: str, stdin: str = "", terminal: bool = False) -> Answer:
        """`sagsgang argv…` in this process, as a user runs it (stdin a terminal only if `terminal`)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(stdin, terminal):
            try:
                code = main(list(argv), self.settings)
            except SystemExit as exit_:  # argparse's refusals
                code = exit_.code if isinstance(exit_.code, int) else 1
        return Answer(code, out.getvalue(), err.getvalue())

    def snapshot(self) -> tuple:
        with self.engine.connect() as connection:
            tables = sorted(sa.inspect(connection).get_table_names())
            rows = {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
        return rows, {str(p): _digest(p) for folder in self.folders for p in sorted(folder.rglob("*")) if _kept(p)}


def _kept(path: Path) -> bool:
    return path.is_file() and "logs" not in path.parts and not path.name.endswith(("-journal", "-wal", "-shm"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@contextlib.contextmanager
def _stdin(text: str, terminal: bool):
    import sys

    old, sys.stdin = sys.stdin, (_Terminal if terminal else io.StringIO)(text)
    try:
        yield
    finally:
        sys.stdin = old


def make_world(url: str, home: Path, files: bool) -> World:
    """Migrate `url`, then store one case, one user and one personal calendar through the CLI."""
    db.upgrade(url)
    settings = Settings(database_url=url, home=home, today="2027-01-04", orchestration="inline")
    world = World(settings, [home] + ([Path(sa.engine.make_url(url).database or "").parent] if files else []))
    for argv, stdin in (
        (LAUNCH, ""),
        (["bruger", "opret", SECRETARY[0], "--rolle", "sekretariat", "--adgangskode-fra-stdin"], SECRETARY[1] + "\n"),
        (["abonnement", "opret", "labe@slagelse.dk"], ""),
    ):
        answer = world.run(*argv, stdin=stdin)
        assert answer.code == 0, answer.err
    return world


def assert_refused(
    world: World, before: tuple, answer: Answer, argv: list[str], stdin: str = "", codes: tuple[int, ...] = (2,)
) -> None:
    """Exit 2 (or the given codes), a Danish message and nothing else: no English, no traceback,
    nothing written. The input itself is taken out of the message before looking for English."""
    said = answer.err
    for value in sorted([*argv, stdin.strip()], key=len, reverse=True):
        if len(value) > 2:
            said = said.replace(value, "")
    english = ENGLISH.search(said)
    written = world.snapshot() != before
    world.tally(answer.code not in codes, "Traceback" in answer.err, english is not None, written)
    assert answer.code in codes, (answer.code, answer.err)
    assert said.strip(), "refused without saying why"
    assert english is None, f"English in the answer ({english.group(0)!r}): {answer.err}"
    assert not written, f"something was written: {answer.err}"


def record(name: str, world: World) -> None:
    """The suite's figures, for the issue's closing note: test-artifacts/doors.json."""
    import json

    path = ARTIFACTS / "doors.json"
    ARTIFACTS.mkdir(exist_ok=True)
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = world.figures
    path.write_text(json.dumps(known, indent=2, ensure_ascii=False))
    print(f"\n{name}: {world.figures}")
