"""Publishing the public feeds as static files (for nginx or any web server), with an index page.

After a plan, meeting or decision changes (and its transaction is committed), call `regenerate()`:
it republishes the static files where settings.feeds_dir (SAGSGANG_FEEDS_DIR) points.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from calendars import ical
from calendars.milestones import Audience
from sagsgang import rendering
from sagsgang.publishing import publish_turns
from sagsgang.publishing.feed_ledger import Ledger
from sagsgang.publishing.feed_render import Built, CaseFeeds, Rendered, build_feed, render_built
from sagsgang.publishing.feeds import FeedContext, feed_url, municipalities, public_feeds, webcal_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sagsgang.settings import Settings

log = logging.getLogger(__name__)
MAX_FILE_NAME = 120  # characters of a feed's file name (a journal number is ~20): far below NAME_MAX
ATTEMPTS = 3  # a concurrent publisher may stamp the same events first: read its rows and go again
MANIFEST = ".offentliggjort.json"  # in the folder: what each feed file was made of (see `publish`)


@dataclass(frozen=True)
class PublishReport:
    directory: Path
    written: tuple[str, ...] = ()  # new or changed
    unchanged: int = 0
    removed: tuple[str, ...] = ()  # no longer public (e.g. a case that became a closed item)
    failed: tuple[str, ...] = ()  # could not be written (logged); the others were
    handed_over: bool = False  # not published here: a publisher queued behind a running one does it

    @property
    def total(self) -> int:
        return len(self.written) + self.unchanged


def publish(engine: Engine, directory: Path, context: FeedContext) -> PublishReport:
    """Write every public feed below `directory` (served as /kalender/), plus index.html.

    Each file is replaced atomically (a temporary file in the same folder, then os.replace), so a
    client never reads half a feed; unchanged files are not touched, so their modification time
    stays the Last-Modified a static web server sends. Feed files that are no longer public are
    removed. One feed that cannot be written (a file name too long, a full disk for that file) is
    logged and listed in `failed`; the others are still published.

    A feed whose calendar is made of exactly what its file was made of (the folder's MANIFEST
    says, by `ical.made_of`), and whose file is still as written, is not rendered again: most
    publishes follow a change to one case, and rendering every other feed anew was most of their
    time (bench/feed_publish.py). A feed that changed reuses the VEVENT bytes of its unchanged
    events from its file. Publishers of one folder take turns (`regenerate`).

    The feeds are built from one transaction that only reads (what the database says when the
    publish starts; on SQLite it takes no write lock). Each feed's ledger rows (what its events
    last looked like) are then written in a short transaction of their own, after its file: a
    publish of hundreds of cases holds SQLite's write lock only for those moments, and the
    actions of the web app and the CLI are not kept waiting while the feeds are built.
    """
    from models.db import session_scope

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} findes og er ikke en mappe.")
    made_of = _read_manifest(directory)
    with session_scope(engine, read_only=True) as session:
        ledger, cases = Ledger(session, context.clock), CaseFeeds(session, context)
        ledger.load_all(Audience.PUBLIC)
        written, unchanged, wanted, listed, failed, kept = [], 0, set(), [], [], {}
        for spec in public_feeds(session, context):
            target = directory / spec.path
            wanted.add(target)
            if len(target.name) > MAX_FILE_NAME:
                log.error("feed %s not published: file name longer than %d characters", spec.path[:200], MAX_FILE_NAME)
                failed.append(spec.path[:200])
                continue
            try:
                built = build_feed(session, spec, context, ledger, cases=cases)
                made = ical.made_of(built.feed, context.namespace)
                before, now = made_of.get(spec.path, {}), _file(target)
                ours = now is not None and before.get("file") == now  # the file as this folder's last publish left it
                changed = False
                if not ours or before.get("digest") != made.digest:
                    known = _known_events(target, before) if ours else {}
                    rendered = render_built(built, context, ledger, known, made.events)
                    changed = _write_if_changed(target, rendered.body, rendered.last_modified)
                    now = _file(target)
                kept[spec.path] = {"digest": made.digest, "file": now, "events": made.events}
            except PermissionError:  # the folder, not this feed: the caller says so
                raise
            except (OSError, ValueError):  # this feed's file or data (e.g. a date beyond the calendar)
                log.exception("feed %s not published", spec.path)
                failed.append(spec.path)
                continue
            ledger.save_apart(engine)
            listed.append(built)
            if changed:
                written.append(spec.path)
            else:
                unchanged += 1
        removed = []
        for municipality in municipalities(session, context):
            for stale in sorted((directory / municipality).rglob("*.ics")):
                if stale not in wanted:
                    stale.unlink()
                    removed.append(str(stale.relative_to(directory)))
        names = {m: context.profiles.known(m).name for m in municipalities(session, context)}
    _write_if_changed(directory / MANIFEST, json.dumps(kept, sort_keys=True, separators=(",", ":")).encode(), None)
    _write_if_changed(directory / "index.html", index_page(listed, context.base_url, names).encode("utf-8"), None)
    return PublishReport(directory, tuple(written), unchanged, tuple(removed), tuple(failed))


def _file(target: Path) -> list[int] | None:
    """The file's size and modification time, as the manifest keeps them: a file changed or
    restored by other hands no longer matches, and is made again."""
    try:
        found = target.stat()
    except FileNotFoundError:
        return None
    return [found.st_size, found.st_mtime_ns]


def _known_events(target: Path, before: dict) -> dict[str, bytes]:
    """The VEVENT bytes of the feed's file by the digest of the event each was made from (the
    manifest's list, in the file's order): `ical.render` reuses those of unchanged events."""
    blocks = ical.vevents(target.read_bytes())
    events = before.get("events", [])
    return dict(zip(events, blocks, strict=True)) if len(events) == len(blocks) else {}


def _read_manifest(directory: Path) -> dict[str, dict]:
    """Feed path → {"digest", "file": [size, mtime_ns], "events": [event digests]} (ical.made_of)."""
    try:
        found = json.loads((directory / MANIFEST).read_bytes())
    except (FileNotFoundError, ValueError):  # a first publish, or a manifest not ours: make every feed
        return {}
    if not isinstance(found, dict):
        return {}
    return {path: entry for path, entry in found.items() if isinstance(entry, dict)}


def _write_if_changed(target: Path, data: bytes, modified: dt.datetime | None) -> bool:
    try:
        if target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        if modified is not None:  # a static server's Last-Modified then matches ours
            os.utime(temporary, (modified.timestamp(), modified.timestamp()))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def regenerate(directory: Path | str | None, engine: Engine, context: FeedContext) -> PublishReport | None:
    """Republish the static feeds after a plan, meeting or decision changed; call it after the
    change's transaction committed. Publishes to `directory` (settings.feeds_dir); without one
    there is nothing to write (`sagsgang serve` builds feeds on request) and it returns None.
    Changes made at once by many processes share publishes (sagsgang.publishing.publish_turns)."""
    import sqlalchemy as sa

    if not directory:
        return None
    with publish_turns.turn(Path(directory)) as ours:
        if not ours:  # a publisher queued after our commit publishes our change too
            return PublishReport(Path(directory), handed_over=True)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return publish(engine, Path(directory), context)
            except sa.exc.IntegrityError:  # another writer published the same events first: use its rows
                if attempt == ATTEMPTS:
                    raise
                log.info("feeds published concurrently by another process; publishing again (%d)", attempt)
    return None


def regenerate_for(settings: Settings) -> PublishReport | None:
    """regenerate() where and as the settings say (feeds_dir, database, base URL, clock)."""
    return regenerate(settings.feeds_dir, settings.engine(), FeedContext.from_settings(settings))


def index_page(feeds: Sequence[Built | Rendered], base: str, names: Mapping[str, str]) -> str:
    """A small Danish page listing the public feeds with subscribe links (names: municipality
    key → its name)."""

    kinds = {"organ": "Organer", "sekretariat": "Sekretariatet", "sag": "Sager"}
    sections: dict[tuple[str, str], list[dict[str, str]]] = {}
    for rendered in feeds:
        spec = rendered.spec
        url = feed_url(base, spec.path)
        sections.setdefault((spec.municipality, spec.kind), []).append(
            {
                "name": rendered.name,
                "url": url,
                "webcal": webcal_url(url),
                "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url(url), safe=""),
            }
        )
    ordered = sorted(sections.items(), key=lambda item: (item[0][0], list(kinds).index(item[0][1])))
    return rendering.render(
        "kalendere.html.j2",
        sections=[
            {"municipality": names.get(m, m), "title": kinds[kind], "feeds": items} for (m, kind), items in ordered
        ],
    )
