"""Calendar feeds: which feeds there are, at which addresses, and what building them needs.

Feeds (paths below /kalender/, the same for `sagsgang serve` and `sagsgang feeds publish`):

    <kommune>/organ/<organ>.ics      a body's meetings, deadlines and agenda dates   (public)
    <kommune>/sag/<journalnr>.ics    a case's deadlines and meetings along its route  (public,
                                     not for closed items)
    <kommune>/sekretariat.ics        every deadline of every open case                (public)
    personlig/<token>.ics            the cases a person owns or manages               (token)

A feed is built by sagsgang.publishing.feed_render (its events, stamped by the published ledger in
sagsgang.publishing.feed_ledger) and published as static files by sagsgang.publishing.feed_files
(where settings.feeds_dir points). `sagsgang serve` notices changes by itself (data_version).
Personal subscriptions (tokens) live in sagsgang.accounts.subscriptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import quote

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars import ical
from calendars.clock import Clock, SystemClock
from calendars.profile_reader import load_profile
from calendars.profiles import Profile, ProfileError
from models.fields import JOURNAL_NUMBER
from models.tables import Body, Case, Consultation, Decision, Meeting
from sagsgang.settings import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from sagsgang.settings import Settings

PREFIX = "/kalender"


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

    def known(self, municipality: str) -> Profile:
        """The profile of a municipality already found to have one (by municipalities())."""
        profile = self.get(municipality)
        if profile is None:
            raise LookupError(f"Kommunen '{municipality}' har ingen profil.")
        return profile


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
        profile = context.profiles.known(municipality)
        bodies = session.exec(select(Body.key).where(Body.municipality == municipality)).all()
        specs += [FeedSpec("organ", municipality, key) for key in bodies if key in profile.bodies]
        specs.append(FeedSpec("sekretariat", municipality))
        cases = session.exec(
            select(Case.journal_number).where(Case.municipality == municipality, col(Case.closed_item).is_(False))
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
        and JOURNAL_NUMBER.fullmatch(key)  # nothing else names a case (nor reaches the database)
        and session.exec(
            select(Case.id).where(
                Case.municipality == municipality, Case.journal_number == key, col(Case.closed_item).is_(False)
            )
        ).first()
    ):
        return FeedSpec(kind, municipality, key)
    return None


def data_version(session: Session) -> tuple:
    """Changes whenever anything a feed shows may have changed (a cheap query for caches)."""

    def summary(column) -> sa.Select:
        return sa.select(sa.func.count(), sa.func.max(column))

    parts = [
        session.execute(summary(column)).one()
        for column in (Meeting.updated_at, Case.updated_at, Consultation.created_at, Decision.created_at)
    ]
    bodies = session.execute(
        sa.select(col(Body.municipality), col(Body.key), col(Body.name)).order_by(col(Body.id))
    ).all()
    return tuple(tuple(part) for part in parts) + (hash(tuple(map(tuple, bodies))),)
