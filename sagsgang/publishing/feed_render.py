"""Building one feed: its events from the database (a body's meetings, a case's route, the
secretariat's deadlines, a person's cases), stamped from the published ledger, as iCalendar bytes.

Building a feed writes to the ledger (sagsgang.publishing.feed_ledger): run it inside a
transaction (models.db.session_scope). A publisher that passes its own ledger saves it itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from calendars import ical
from calendars.milestones import Audience, CaseFacts, StepFacts, body_events, case_events
from models.feed_tables import FeedToken
from models.store import to_value
from models.tables import Body, Case, CaseStatus, Consultation, Decision, LateAddition, Meeting
from models.types import UTC
from sagsgang.publishing.feed_ledger import FEED_ROWS, Ledger
from sagsgang.publishing.feeds import FeedContext, FeedSpec, case_page_url, feed_url

# A body feed shows a year back: enough for "when did we last meet", small enough to sync fast.
HISTORY = dt.timedelta(days=366)
REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Built:
    """One feed's calendar, its events stamped from the ledger: what its bytes are made of."""

    spec: FeedSpec
    feed: ical.Feed

    @property
    def name(self) -> str:
        return self.feed.name


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
    cases: CaseFeeds | None = None,
) -> Rendered:
    """Build one feed: its events, stamped from the ledger, as iCalendar bytes. Without a `ledger`
    of the caller's, the stamps are written into `session`. `cases`: the case feeds read at once,
    for a caller that builds many of them."""
    own = ledger is None
    ledger = ledger or Ledger(session, context.clock)
    rendered = render_built(build_feed(session, spec, context, ledger, subscription, cases), context, ledger)
    if own:
        ledger.save()
    return rendered


def build_feed(
    session: Session,
    spec: FeedSpec,
    context: FeedContext,
    ledger: Ledger,
    subscription: FeedToken | None = None,
    cases: CaseFeeds | None = None,
) -> Built:
    """The feed's events from the database, stamped from the ledger (SEQUENCE, DTSTAMP). A caller
    that builds many case feeds in one transaction passes `cases`, which reads them all at once."""
    name, description, events, audience = _collect(session, spec, context, subscription, cases)
    feed = ical.Feed(
        key=_feed_key(spec),
        name=name,
        description=description,
        url="" if spec.kind == "personlig" else feed_url(context.base_url, spec.path),
        events=ical.sorted_events(ledger.stamp(events, audience)),
        refresh=REFRESH,
    )
    return Built(spec, feed)


def render_built(
    built: Built,
    context: FeedContext,
    ledger: Ledger,
    known: Mapping[str, bytes] | None = None,
    digests: Sequence[str] | None = None,
) -> Rendered:
    """The built feed as iCalendar bytes, with the Last-Modified the ledger gives them; `known`
    (VEVENT bytes by event digest) and `digests` (its events' digests) as `ical.render` takes them."""
    body = ical.render(built.feed, context.namespace, known, digests)
    digest = hashlib.sha256(body).hexdigest()[:32]
    newest = max((event.stamp for event in built.feed.events), default=None)
    last_modified = ledger.feed_changed(FEED_ROWS + built.spec.path, digest, newest)
    return Rendered(built.spec, built.name, body, f'"{digest}"', last_modified.astimezone(UTC))


class CaseFeeds:
    """Every public case feed's case and events in a municipality, read with one query when the
    first of them is built. A publish builds one feed per case, hundreds of them, and a query for
    each was most of its time (bench/feed_publish.py). Use it within one transaction."""

    def __init__(self, session: Session, context: FeedContext) -> None:
        self.session, self.context = session, context
        self._read: dict[str, dict[str, tuple[Case, list[ical.FeedEvent]]]] = {}

    def case(self, municipality: str, journal_number: str) -> tuple[Case, list[ical.FeedEvent]]:
        if municipality not in self._read:
            public = (col(Case.municipality) == municipality, col(Case.closed_item).is_(False))
            found: dict[int | None, tuple[Case, list[ical.FeedEvent]]] = {
                case.id: (case, []) for case in self.session.exec(select(Case).where(*public))
            }
            for case, events in _events_by_step(self.session, public, self.context, Audience.PUBLIC):
                found[case.id][1].extend(events)
            self._read[municipality] = {case.journal_number: (case, events) for case, events in found.values()}
        return self._read[municipality][journal_number]


def _feed_key(spec: FeedSpec) -> str:
    return spec.path.removesuffix(".ics")


def _collect(
    session: Session, spec: FeedSpec, context: FeedContext, subscription: FeedToken | None, cases: CaseFeeds | None
) -> tuple[str, str, list[ical.FeedEvent], Audience]:
    if spec.kind == "organ":
        return _body_feed(session, spec, context)
    if spec.kind == "sag":
        if cases is None:
            case = session.exec(
                select(Case).where(Case.municipality == spec.municipality, Case.journal_number == spec.key)
            ).one()
            events = _case_events(session, [Case.id == case.id], context, Audience.PUBLIC)
        else:
            case, events = cases.case(spec.municipality, spec.key)
        profile = context.profiles.known(spec.municipality)
        return (
            f"Sag {case.journal_number}: {case.title}",
            f"Sagsfrister og møder for sagen {case.title} ({case.journal_number}), {profile.name}.",
            events,
            Audience.PUBLIC,
        )
    if spec.kind == "sekretariat":
        profile = context.profiles.known(spec.municipality)
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
    profile = context.profiles.known(spec.municipality)
    body = profile.bodies[spec.key]
    since = context.clock.today() - HISTORY
    rows = session.exec(
        select(Meeting)
        .join(Body, col(Meeting.body_id) == col(Body.id))
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
    return [
        event for _, events in _events_by_step(session, where, context, audience, with_meetings) for event in events
    ]


def _events_by_step(
    session: Session, where: Sequence, context: FeedContext, audience: Audience, with_meetings: bool = True
) -> Iterator[tuple[Case, list[ical.FeedEvent]]]:
    """Each step of the selected cases' routes, in order, with its case and its events."""
    latest = aliased(Meeting)
    query = (
        sa.select(Case, Consultation, Body, Meeting, latest, Decision, LateAddition)
        .join(Consultation, col(Consultation.case_id) == col(Case.id))
        .join(Body, col(Consultation.body_id) == col(Body.id))
        .join(Meeting, col(Consultation.meeting_id) == col(Meeting.id))
        .join(latest, col(Consultation.latest_meeting_id) == col(latest.id))
        .outerjoin(Decision, col(Decision.consultation_id) == col(Consultation.id))
        .outerjoin(
            LateAddition,
            sa.and_(
                col(LateAddition.case_id) == col(Case.id),
                col(LateAddition.stage) == col(Consultation.stage),
                col(LateAddition.body_id) == col(Consultation.body_id),
                col(LateAddition.meeting_id) == col(Consultation.meeting_id),
            ),
        )
        .where(*where)
        .order_by(col(Case.id), col(Consultation.stage), col(Consultation.body_id), col(Consultation.round))
    )
    facts: dict[int, CaseFacts] = {}
    for case, consultation, body, meeting, latest_meeting, decision, late in session.execute(query):
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
                late.recorded_at if late else None,
            )
            if t is not None
        )
        made = case_events(facts[case.id], step, audience, changed, with_meeting=with_meetings)
        if late is not None and not (case.closed_item and audience is Audience.PUBLIC):
            made = [replace(event, description=_with_late_line(event.description, late)) for event in made]
        yield case, made


def _with_late_line(description: str, late: LateAddition) -> str:
    """The event's description with the late addition said before its deadline line."""
    line = f"Eftersendt punkt: optaget efter sagsfristen, besluttet af {late.decided_by}."
    lines = description.split("\n")
    at = next((i for i, text in enumerate(lines) if text.startswith("Sagsfrist:")), len(lines))
    return "\n".join([*lines[:at], line, *lines[at:]])
