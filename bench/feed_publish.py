"""Benchmark: what one publish of the static feeds costs when little or nothing changed.

Every action without the service starts a background publish (sagsgang.publishing.background), and
every flow run under the service books one (flows/feed_publishing.py). Each such publish writes
every public feed again from the database, however little the action changed; what it costs is
the CPU that the secretary's next command shares the machine with.

What is measured (one temporary SQLite database: Slagelse's meetings 2027 to mid-2028 and CASES
planned cases, seeded as bench/feeds.py seeds them, untimed)
    first      the first publish into an empty folder (every feed built and written, every ledger
               row inserted), in a fresh process: the baseline;
    unchanged  the publish again with nothing changed, in a fresh process, as the background
               publisher runs (an empty icalendar cache);
    one case   the publish after one case's title changed (its case feed and the secretariat feed
               differ; a body feed shows no case titles), in a fresh process.
Each is given as seconds and as a ratio to `first`; each includes the process's start and imports,
as the background publisher pays them. Then where `unchanged` spends its time, from
cProfile in this process (cumulative seconds of sagsgang's own steps; cProfile inflates all of
them alike).

Run:  .venv/bin/python bench/feed_publish.py [--sager N]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feeds as feeds_bench  # noqa: E402  (bench/feeds.py: its seed and clock)

CASES = 500
PUBLISH = """
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import feeds as feeds_bench
from models import db
from pathlib import Path
from sagsgang.publishing import feed_files, feeds
engine = db.make_engine({url!r})
context = feeds.FeedContext(base_url="https://sagsgang.slagelse.dk", clock=feeds_bench.CLOCK)
report = feed_files.publish(engine, Path({folder!r}), context)
print(len(report.written), report.unchanged)
"""
STEPS = {  # (module file, function) in Sagsgang → what it is
    ("feed_render.py", "_collect"): "events from the database (SQL, milestones)",
    ("feed_ledger.py", "load_all"): "published ledger read, all at once (SQL)",
    ("feed_ledger.py", "_load"): "published ledger read, per feed (SQL)",
    ("feed_ledger.py", "stamp"): "ledger stamping (SEQUENCE/DTSTAMP)",
    ("ical.py", "made_of"): "digests of what each feed is made of",
    ("ical.py", "render"): "iCalendar bytes (icalendar), changed feeds only",
    ("feed_files.py", "_write_if_changed"): "compare and write the files",
}
PUBLISH_STEP = ("feed_files.py", "publish")


def publish_in_fresh_process(url: str, folder: Path) -> tuple[float, str]:
    code = PUBLISH.format(root=str(ROOT), bench=str(ROOT / "bench"), url=url, folder=str(folder))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout.strip()


def change_one_title(url: str) -> None:
    from sqlmodel import col, select

    from models import db
    from models.tables import Case

    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        case = session.exec(select(Case).order_by(col(Case.id))).first()
        assert case is not None
        case.title += " (revideret)"
        case.updated_at = feeds_bench.CLOCK.now()
        session.add(case)
    engine.dispose()


def profile_unchanged(url: str, folder: Path) -> dict[tuple[str, str], float]:
    from models import db
    from sagsgang.publishing import feed_files, feeds

    engine = db.make_engine(url)
    context = feeds.FeedContext(base_url="https://sagsgang.slagelse.dk", clock=feeds_bench.CLOCK)
    profiler = cProfile.Profile()
    profiler.runcall(feed_files.publish, engine, folder, context)
    engine.dispose()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # pstats keeps them as a plain dict
    spent: dict[tuple[str, str], float] = {}
    for (filename, _line, name), (_calls, _primitive, _own, cumulative, _callers) in stats.items():
        step = (Path(filename).name, name)
        if step in STEPS or step == PUBLISH_STEP:
            spent[step] = spent.get(step, 0.0) + cumulative
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sager", type=int, default=CASES, help="planned cases in the database")
    args = parser.parse_args()
    feeds_bench.CASES = args.sager
    with tempfile.TemporaryDirectory(prefix="sagsgang-bench-") as temporary:
        url = feeds_bench.seed(Path(temporary) / "sagsgang.db")
        folder = Path(temporary) / "kalender"
        first, counts = publish_in_fresh_process(url, folder)
        unchanged, counts_again = publish_in_fresh_process(url, folder)
        change_one_title(url)
        one_case, counts_changed = publish_in_fresh_process(url, folder)
        spent = profile_unchanged(url, folder)
    print(f"Publish of the static feeds, {args.sager} planned cases (written, unchanged feeds in brackets)")
    for label, seconds, shown in (
        ("first (baseline)", first, counts),
        ("unchanged", unchanged, counts_again),
        ("one case changed", one_case, counts_changed),
    ):
        print(f"  {label:<20} {seconds:7.2f} s  {seconds / first:5.2f}× first   [{shown}]")
    total = spent.pop(PUBLISH_STEP, 0.0) or 1.0
    print(f"Where 'unchanged' goes (cProfile, cumulative, of {total:.2f} s in publish):")
    for step, what in STEPS.items():
        print(f"  {what:<50} {spent.get(step, 0.0):6.2f} s  {spent.get(step, 0.0) / total:5.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
