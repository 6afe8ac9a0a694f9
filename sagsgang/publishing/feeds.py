"""Calendar feeds from the database: which feeds there are, their events, publishing them as
static files, and personal subscriptions.

Feeds (paths below /kalender/, the same for `sagsgang serve` and `sagsgang feeds publish`):

    <kommune>/organ/<organ>.ics      a body's meetings, deadlines and agenda dates   (public)
    <kommune>/sag/<journalnr>.ics    a case's deadlines and meetings along its route  (public,
                                     not for closed items)
    <kommune>/sekretariat.ics        every deadline of every open case                (public)
    personlig/<token>.ics            the cases a person owns or manages               (token)

SEQUENCE and DTSTAMP come from the published ledger (models.feed_ledger.PublishedEntry): each time a
feed is built, every event is compared with what subscribers last saw of it; a change people
notice (time, place, status, title) bumps its SEQUENCE, any change its DTSTAMP. Building a feed
therefore writes to the ledger: run it inside a transaction (models.db.session_scope).

After a plan, meeting or decision changes (and its transaction is committed), call
`regenerate()`: it republishes the static files where SAGSGANG_FEEDS_DIR (settings.feeds_dir) points. `sagsgang serve`
notices changes by itself. Personal subscriptions (tokens) live in sagsgang.accounts.subscriptions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from calendars import ical
from calendars.clock import Clock, SystemClock
from calendars.milestones import Audience, CaseFacts, StepFacts, body_events, case_events
from calendars.profiles import Profile, ProfileError, load_profile
from models.feed_ledger import FeedToken, PublishedEntry
from models.store import to_value
from models.tables import Body, Case, CaseStatus, Consultation, Decision, Meeting
from models.types import UTC
from sagsgang import rendering
from sagsgang.settings import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sagsgang.settings import Settings

PREFIX = "/kalender"
# A body feed shows a year back: enough for "when did we last meet", small enough to sync fast.
HISTORY = dt.timedelta(days=366)
REFRESH = dt.timedelta(hours=1)


def feed_url(base: str, path: str) -> str:
    return f"{base.rstrip('/')}{PREFIX}/{quote(path)}"


def webcal_url(url: str) -> str:
    """The same feed as a webcal:// link: a click opens the calendar program's subscribe dialog."""
    return "webcal://" + url.split("://", 1)[1]


def case_page_url(base: str, municipality: str, journal_number: str) -> str:
    return f"{base.rstrip('/')}/sager/{quote(municipality)}/{quote(journal_number)}"


# --- which feeds --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedSpec:
    kind: str  # 'organ' | 'sag' | 'sekretariat' | 'personlig'
    municipality: str = ""
    key: str = ""  # body key, journal number, or the subscription's id

    @property
    def path(self) -> str:
        """Below /kalender/; a personal feed's real path has the token, which we never store."""
        if self.kind == "sekretariat":
            return f"{self.municipality}/sekretariat.ics"
        if self.kind == "personlig":
            return f"personlig/{self.key}.ics"
        return f"{self.municipality}/{self.kind}/{self.key}.ics"


class Profiles:
    """Municipality profiles by key: the ones given first, else the shipped profile of that name."""

    def __init__(self, given: Iterable[Profile] = ()) -> None:
        self._known: dict[str, Profile | None] = {profile.key: profile for profile in given}

    def get(self, municipality: str) -> Profile | None:
        if municipality not in self._known:
            try:
                self._known[municipality] = load_profile(municipality)
            except ProfileError:
                self._known[municipality] = None
        return self._known[municipality]


@dataclass
class FeedContext:
    """What building feeds needs besides the database."""

    profiles: Profiles = field(default_factory=Profiles)
    base_url: str = DEFAULT_BASE_URL
    clock: Clock = field(default_factory=SystemClock)
    # With the object keys it makes every UID (uuid5). Changing it changes every UID, so
    # subscribers would see every event vanish and come back.
    installation: str = "sagsgang"

    @classmethod
    def from_settings(
        cls, settings: Settings, profiles: Profiles | None = None, base_url: str | None = None
    ) -> FeedContext:
        """The context the settings describe (base URL, clock, installation); `base_url` overrides
        the setting (a command's --base-url)."""
        return cls(
            profiles=profiles or Profiles(),
            base_url=(base_url or settings.base_url).rstrip("/"),
            clock=settings.clock(),
            installation=settings.installation,
        )

    @cached_property
    def namespace(self):
        return ical.namespace_for(self.installation)


def municipalities(session: Session, context: FeedContext) -> list[str]:
    """Municipalities with bodies in the database and a profile we can read."""
    stored = session.exec(select(Body.municipality).distinct()).all()
    return sorted(m for m in stored if context.profiles.get(m) is not None)


def public_feeds(session: Session, context: FeedContext) -> list[FeedSpec]:
    specs = []
    for municipality in municipalities(session, context):
        profile = context.profiles.get(municipality)
        bodies = session.exec(select(Body.key).where(Body.municipality == municipality)).all()
        specs += [FeedSpec("organ", municipality, key) for key in bodies if key in profile.bodies]
        specs.append(FeedSpec("sekretariat", municipality))
        cases = session.exec(
            select(Case.journal_number).where(Case.municipality == municipality, Case.closed_item.is_(False))
        ).all()
        specs += [FeedSpec("sag", municipality, journal) for journal in cases]
    return sorted(specs, key=lambda spec: (spec.municipality, spec.kind, spec.key))


def find_public_feed(
    session: Session, context: FeedContext, municipality: str, kind: str, key: str = ""
) -> FeedSpec | None:
    """The public feed at this address, or None (unknown, or a closed item's case)."""
    profile = context.profiles.get(municipality)
    if profile is None or not session.exec(select(Body.id).where(Body.municipality == municipality)).first():
        return None
    if kind == "sekretariat":
        return FeedSpec(kind, municipality)
    if (
        kind == "organ"
        and key in profile.bodies
        and session.exec(select(Body.id).where(Body.municipality == municipality, Body.key == key)).first()
    ):
        return FeedSpec(kind, municipality, key)
    if (
        kind == "sag"
        and session.exec(
            select(Case.id).where(
                Case.municipality == municipality, Case.journal_number == key, Case.closed_item.is_(False)
            )
        ).first()
    ):
        return FeedSpec(kind, municipality, key)
    return None


# --- building a feed ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    spec: FeedSpec
    name: str
    body: bytes
    etag: str  # a strong validator: the quoted hash of `body`
    last_modified: dt.datetime  # when `body` last changed, UTC


def render_feed(
    session: Session,
    spec: FeedSpec,
    context: FeedContext,
    subscription: FeedToken | None = None,
    ledger: Ledger | None = None,
) -> Rendered:
    """Build one feed: its events, stamped from the ledger, as iCalendar bytes."""
    ledger = ledger or Ledger(session, context.clock)
    name, description, events, audience = _collect(session, spec, context, subscription)
    events = ledger.stamp(events, audience)
    url = "" if spec.kind == "personlig" else feed_url(context.base_url, spec.path)
    feed = ical.Feed(
        key=_feed_key(spec),
        name=name,
        description=description,
        url=url,
        events=ical.sorted_events(events),
        refresh=REFRESH,
    )
    body = ical.render(feed, context.namespace)
    digest = hashlib.sha256(body).hexdigest()[:32]
    newest = max((event.stamp for event in events), default=None)
    last_modified = ledger.feed_changed(f"feed:{spec.path}", digest, newest)
    return Rendered(spec, name, body, f'"{digest}"', last_modified.astimezone(UTC))


def _feed_key(spec: FeedSpec) -> str:
    return spec.path.removesuffix(".ics")


def _collect(
    session: Session, spec: FeedSpec, context: FeedContext, subscription: FeedToken | None
) -> tuple[str, str, list[ical.FeedEvent], Audience]:
    if spec.kind == "organ":
        return _body_feed(session, spec, context)
    if spec.kind == "sag":
        case = session.exec(
            select(Case).where(Case.municipality == spec.municipality, Case.journal_number == spec.key)
        ).one()
        profile = context.profiles.get(spec.municipality)
        events = _case_events(session, [Case.id == case.id], context, Audience.PUBLIC)
        return (
            f"Sag {case.journal_number}: {case.title}",
            f"Sagsfrister og møder for sagen {case.title} ({case.journal_number}), {profile.name}.",
            events,
            Audience.PUBLIC,
        )
    if spec.kind == "sekretariat":
        profile = context.profiles.get(spec.municipality)
        events = _case_events(
            session,
            [Case.municipality == spec.municipality, Case.status == CaseStatus.OPEN],
            context,
            Audience.PUBLIC,
            with_meetings=False,
        )
        return (
            f"{profile.name} – alle sagsfrister",
            f"Sagsfrister for alle åbne sager i {profile.name}. Lukkede punkter vises uden titel.",
            events,
            Audience.PUBLIC,
        )
    if spec.kind == "personlig" and subscription is not None:
        email = subscription.email.lower()
        where = [
            Case.status == CaseStatus.OPEN,
            sa.or_(sa.func.lower(Case.owner_email) == email, sa.func.lower(Case.manager_email) == email),
        ]
        if subscription.department:
            where.append(sa.func.lower(Case.department) == subscription.department.lower())
        events = _case_events(session, where, context, Audience.PERSONAL)
        scope = f", {subscription.department}" if subscription.department else ""
        return (
            f"Mine sager – {subscription.email}{scope}",
            f"Sagsfrister og møder for de sager, {subscription.email} er ansvarlig for eller leder{scope}.",
            events,
            Audience.PERSONAL,
        )
    raise LookupError(f"Kalenderen '{spec.path}' findes ikke.")


def _body_feed(session: Session, spec: FeedSpec, context: FeedContext):
    profile = context.profiles.get(spec.municipality)
    body = profile.bodies[spec.key]
    since = context.clock.today() - HISTORY
    rows = session.exec(
        select(Meeting)
        .join(Body, Meeting.body_id == Body.id)
        .where(Body.municipality == spec.municipality, Body.key == spec.key, Meeting.day >= since)
    ).all()
    events = []
    for row in rows:
        for event in body_events(profile, body, to_value(row, spec.key), row.updated_at):
            # The meeting row's own counter is the floor: a move before the first publication counts.
            events.append(replace(event, sequence=row.sequence))
    description = (
        f"Møder i {body.name} ({profile.name}) med sagsfrist"
        + (" og dagsordenens udsendelse" if body.agenda else "")
        + ". Aflyste møder er markeret AFLYST."
    )
    return f"{body.name} – møder og frister", description, events, Audience.PUBLIC


def _case_events(
    session: Session, where: Sequence, context: FeedContext, audience: Audience, with_meetings: bool = True
) -> list[ical.FeedEvent]:
    latest = aliased(Meeting)
    query = (
        sa.select(Case, Consultation, Body, Meeting, latest, Decision)
        .join(Consultation, Consultation.case_id == Case.id)
        .join(Body, Consultation.body_id == Body.id)
        .join(Meeting, Consultation.meeting_id == Meeting.id)
        .join(latest, Consultation.latest_meeting_id == latest.id)
        .outerjoin(Decision, Decision.consultation_id == Consultation.id)
        .where(*where)
        .order_by(Case.id, Consultation.stage, Consultation.body_id, Consultation.round)
    )
    events = []
    facts: dict[int, CaseFacts] = {}
    for case, consultation, body, meeting, latest_meeting, decision in session.execute(query):
        profile = context.profiles.get(case.municipality)
        if profile is None:
            continue
        if case.id not in facts:
            route = profile.routes.get(case.route_key)
            facts[case.id] = CaseFacts(
                municipality=case.municipality,
                journal_number=case.journal_number,
                title=case.title,
                closed_item=case.closed_item,
                route_name=route.name if route else case.route_key,
                stages=len(route.stages) if route else consultation.stage,
                owner_name=case.owner_name,
                manager_name=case.manager_name,
                department=case.department,
                url=case_page_url(context.base_url, case.municipality, case.journal_number),
            )
        rule = profile.bodies.get(body.key)
        step = StepFacts(
            stage=consultation.stage,
            round=consultation.round,
            body_key=body.key,
            body_name=body.name,
            meeting=to_value(meeting, body.key),
            deadline=consultation.deadline,
            deadline_time=rule.deadline.time if rule else None,
            latest_meeting=to_value(latest_meeting, body.key),
            outcome=str(decision.outcome) if decision else "",
            decision_text=decision.text if decision else "",
        )
        changed = max(
            t
            for t in (
                consultation.created_at,
                meeting.updated_at,
                case.updated_at,
                decision.created_at if decision else None,
            )
            if t is not None
        )
        events += case_events(facts[case.id], step, audience, changed, with_meeting=with_meetings)
    return events


# --- the published ledger -----------------------------------------------------------------------


class Ledger:
    """What subscribers last saw, per event and audience and per feed (models.feed_ledger.PublishedEntry).

    Rows are read and written as plain values in bulk: a person's feed can hold thousands of
    events, and ORM objects for each would cost more than building the feed."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session, self.clock = session, clock
        self._rows: dict[str, tuple[str, int, dt.datetime]] = {}  # key -> (fingerprint, sequence, changed_at)
        self._now: dt.datetime | None = None

    @property
    def now(self) -> dt.datetime:
        if self._now is None:  # one instant per run: everything changed together is stamped alike
            self._now = self.clock.now().astimezone(UTC)
        return self._now

    def _load(self, keys: Iterable[str]) -> None:
        missing = [key for key in dict.fromkeys(keys) if key not in self._rows]
        table = PublishedEntry.__table__
        for start in range(0, len(missing), 900):  # below SQLite's oldest limit of 999 parameters
            chunk = missing[start : start + 900]
            query = sa.select(table.c.key, table.c.fingerprint, table.c.sequence, table.c.changed_at).where(
                table.c.key.in_(chunk)
            )
            for key, fingerprint, sequence, changed_at in self.session.execute(query):
                self._rows[key] = (fingerprint, sequence, changed_at)

    def _save(self, new: list[dict], changed: list[dict]) -> None:
        if new:
            self.session.execute(sa.insert(PublishedEntry), new)
        if changed:
            self.session.execute(sa.update(PublishedEntry), changed)

    def stamp(self, events: Sequence[ical.FeedEvent], audience: Audience) -> list[ical.FeedEvent]:
        """The events with the SEQUENCE and DTSTAMP their subscribers must see. An event's own
        `sequence` is a floor (a meeting's counter); its `stamp` is its source's last change."""
        keys = [f"{audience}:{event.key}" for event in events]
        self._load(keys)
        stamped, new, changed = [], [], []
        for key, event in zip(keys, events):
            noticed, everything = ical.fingerprints(event)
            fingerprint = f"{noticed}:{everything}"
            known = self._rows.get(key)
            if known is None:
                sequence, changed_at = event.sequence, event.stamp
                new.append({"key": key, "fingerprint": fingerprint, "sequence": sequence, "changed_at": changed_at})
            else:
                old_fingerprint, sequence, changed_at = known
                if old_fingerprint != fingerprint or event.sequence > sequence:
                    if old_fingerprint.partition(":")[0] != noticed:
                        sequence += 1
                    if old_fingerprint != fingerprint:
                        changed_at = event.stamp if event.stamp > changed_at else max(self.now, changed_at)
                    sequence = max(sequence, event.sequence)
                    changed.append(
                        {"key": key, "fingerprint": fingerprint, "sequence": sequence, "changed_at": changed_at}
                    )
            self._rows[key] = (fingerprint, sequence, changed_at)
            stamped.append(replace(event, sequence=sequence, stamp=changed_at))
        self._save(new, changed)
        return stamped

    def feed_changed(self, key: str, fingerprint: str, newest: dt.datetime | None) -> dt.datetime:
        """When the feed's content last changed (HTTP Last-Modified): also when an event left it."""
        self._load([key])
        known = self._rows.get(key)
        if known is None:
            changed_at = newest or self.now
            self._save([{"key": key, "fingerprint": fingerprint, "sequence": 0, "changed_at": changed_at}], [])
            self._rows[key] = (fingerprint, 0, changed_at)
        elif known[0] != fingerprint:
            changed_at = max(self.now, known[2], newest or self.now)
            self._save(
                [], [{"key": key, "fingerprint": fingerprint, "sequence": known[1] + 1, "changed_at": changed_at}]
            )
            self._rows[key] = (fingerprint, known[1] + 1, changed_at)
        return self._rows[key][2]


def data_version(session: Session) -> tuple:
    """Changes whenever anything a feed shows may have changed (a cheap query for caches)."""

    def summary(column) -> sa.Select:
        return sa.select(sa.func.count(), sa.func.max(column))

    parts = [
        session.execute(summary(column)).one()
        for column in (Meeting.updated_at, Case.updated_at, Consultation.created_at, Decision.created_at)
    ]
    bodies = session.execute(sa.select(Body.municipality, Body.key, Body.name).order_by(Body.id)).all()
    return tuple(tuple(part) for part in parts) + (hash(tuple(map(tuple, bodies))),)


# --- publishing as static files -----------------------------------------------------------------


@dataclass(frozen=True)
class PublishReport:
    directory: Path
    written: tuple[str, ...] = ()  # new or changed
    unchanged: int = 0
    removed: tuple[str, ...] = ()  # no longer public (e.g. a case that became a closed item)

    @property
    def total(self) -> int:
        return len(self.written) + self.unchanged


def publish(session: Session, directory: Path, context: FeedContext) -> PublishReport:
    """Write every public feed below `directory` (served as /kalender/), plus index.html.

    Each file is replaced atomically (a temporary file in the same folder, then os.replace), so a
    client never reads half a feed; unchanged files are not touched, so their modification time
    stays the Last-Modified a static web server sends. Feed files that are no longer public are
    removed.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} findes og er ikke en mappe.")
    ledger = Ledger(session, context.clock)
    written, unchanged, wanted, listed = [], 0, set(), []
    for spec in public_feeds(session, context):
        rendered = render_feed(session, spec, context, ledger=ledger)
        target = directory / spec.path
        wanted.add(target)
        listed.append(rendered)
        if _write_if_changed(target, rendered.body, rendered.last_modified):
            written.append(spec.path)
        else:
            unchanged += 1
    removed = []
    for municipality in municipalities(session, context):
        for stale in sorted((directory / municipality).rglob("*.ics")):
            if stale not in wanted:
                stale.unlink()
                removed.append(str(stale.relative_to(directory)))
    names = {m: context.profiles.get(m).name for m in municipalities(session, context)}
    _write_if_changed(directory / "index.html", index_page(listed, context.base_url, names).encode("utf-8"), None)
    return PublishReport(directory, tuple(written), unchanged, tuple(removed))


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
    there is nothing to write (`sagsgang serve` builds feeds on request) and it returns None."""
    from models.db import session_scope

    if not directory:
        return None
    with session_scope(engine) as session:
        return publish(session, Path(directory), context)


def index_page(feeds: Sequence[Rendered], base: str, names: Mapping[str, str]) -> str:
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
