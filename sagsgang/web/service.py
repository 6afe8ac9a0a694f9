"""What the pages and the JSON API do, once: each operation reads input (sagsgang.web.forms),
calls sagsgang.cases / sagsgang.cases.caseview / sagsgang.accounts.subscriptions like the CLI does, and
returns plain values. Path functions in pages.py and api.py only parse and lay out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from calendars.clock import Clock
from calendars.profile_reader import shipped_profiles
from calendars.profiles import Profile
from models.db import session_scope
from models.feed_tables import FeedToken
from models.tables import Body, Case, Meeting
from models.users import Role
from sagsgang.cases import caseview, finding, follow_up
from sagsgang.cases.decisions import record_decision
from sagsgang.cases.history import Editor
from sagsgang.cases.launch import launch as launch_case
from sagsgang.cases.scheduling import change_meeting as change_stored_meeting
from sagsgang.cases.scheduling import ensure_meetings, meetings_missing, undecided
from sagsgang.cases.state import case_query, find_case, id_of, load_state
from sagsgang.inputs import UserError
from sagsgang.orchestration import Orchestrator
from sagsgang.settings import Settings
from sagsgang.web.forms import FormErrors, form_field, read_decision, read_launch, read_meeting_change

if TYPE_CHECKING:
    from sagsgang.publishing.feeds import FeedContext
    from sagsgang.web.login_throttle import LoginThrottle
    from sagsgang.web.security import SecuritySettings

# HTTP's safe methods: a GET or HEAD request only reads, so its transactions take no write lock on
# SQLite (models.db.READ_ONLY), and a page or a feed never waits for a flow run's or an action's
# commit. Set for each request by the app (sagsgang.web.app); a write in such a request still works.
READING: ContextVar[bool] = ContextVar("sagsgang_web_reading", default=False)


@dataclass(frozen=True)
class Viewer:
    """The logged-in user, as the pages need them (not a database row)."""

    id: int
    username: str
    name: str
    email: str
    role: Role
    municipality: str = ""  # the one municipality the user sees; '': every one (models.users.User)
    admin: bool = False
    via: str = ""  # 'cli': the `sagsgang` command on this machine (deps.local_cli); its history says so

    @property
    def may_write(self) -> bool:
        return self.role.may_write

    @property
    def administers(self) -> bool:
        """May create, deactivate and reset users (a secretariat user with the flag)."""
        return self.admin and self.role.may_write

    def sees(self, municipality: str) -> bool:
        return not self.municipality or municipality == self.municipality

    def handles(self, owner_email: str) -> bool:
        """May record the case's material as received: the secretariat, or the case officer
        (sagsbehandler) themself, whatever their role."""
        return self.may_write or (bool(self.email) and self.email.casefold() == owner_email.casefold())

    def editor(self, source: str = "web") -> Editor:
        """Who the case's history names for what this user does through `source` ('web', 'api'),
        or through the command line (`via`)."""
        return Editor(self.name or self.username, self.via or source)


@dataclass
class Web:
    """Everything the web app's operations need, made once in create_app()."""

    settings: Settings
    engine: Engine
    clock: Clock
    orchestrator: Orchestrator
    feed_context: FeedContext
    security: SecuritySettings
    throttle: LoginThrottle
    municipalities: list[str] = field(default_factory=shipped_profiles)

    def session(self) -> AbstractContextManager[Session]:
        """One transaction (models.db.session_scope); a GET or HEAD request's only reads (READING)."""
        return session_scope(self.engine, read_only=READING.get())

    def default_municipality(self) -> str:
        """The first municipality with data here (most installations have one), else the first known."""
        with self.session() as session:
            stored = set(session.exec(select(Body.municipality).distinct()).all())
        return next((m for m in self.municipalities if m in stored), self.municipalities[0])

    def visible(self, viewer: Viewer | None) -> list[str]:
        """The municipalities `viewer` sees (theirs; every one for an account without one)."""
        if viewer is None or not viewer.municipality:
            return list(self.municipalities)
        return [m for m in self.municipalities if m == viewer.municipality]

    def profile(self, key: str) -> Profile:
        profile = self.feed_context.profiles.get(key)
        if profile is None:
            raise LookupError(key)
        return profile


class FlowWarning(str):
    """The change is stored but the lifecycle flow could not run now (the daily check catches up)."""


def _run(what: str, call: Callable[[], object]) -> FlowWarning | None:
    return follow(what, call)[0]


def follow(what: str, call: Callable[[], object]) -> tuple[FlowWarning | None, follow_up.NextStep | None]:
    """Run the follow-up through the orchestration port: (a warning if it failed, the key of what
    happens next, sagsgang.cases.follow_up.next_step: handed to the service, or it was busy)."""
    try:
        result = call()
    except UserError:
        raise
    except Exception as error:
        return FlowWarning(
            f"{what} er gemt, men sagsforløbet kunne ikke køres nu ({type(error).__name__}). "
            "Den daglige kontrol tager det op."
        ), None
    return None, follow_up.next_step(result)


# --- launching --------------------------------------------------------------------------------


def preview(web: Web, data: Mapping[str, Any]) -> list[caseview.Entry]:
    """The timetable 'Start sag' would store, from what is filled in so far: the case launched in a
    transaction that is rolled back. FormErrors on the fields the plan depends on."""
    request, _text = read_launch(data, preview=True)
    with Session(web.engine) as session:
        try:
            case = launch_case(session, request, web.clock)
            return caseview.entries(session, load_state(session, case), web.clock.today())
        except UserError as error:
            raise FormErrors({form_field(error, "klar"): str(error)}) from None
        finally:
            session.rollback()


def launch(
    web: Web, data: Mapping[str, Any], viewer: Viewer | None = None
) -> tuple[str, str, FlowWarning | None, follow_up.NextStep | None]:
    """Validate everything, then run the launch flow (as `sagsgang sag opret`) and store the texts.
    Returns (municipality, journal number, warning, what happens next: `follow`)."""
    if viewer is not None and not viewer.sees(str(data.get("kommune", ""))):
        raise FormErrors({"kommune": "Du kan kun oprette sager i din egen kommune."})
    request, text = read_launch(data)
    try:  # bad input is refused by the launch itself, in its own transaction: nothing is written
        warning, next_step = follow("Sagen", lambda: web.orchestrator.launch(request))
    except UserError as error:
        raise FormErrors({form_field(error, "klar"): str(error)}) from None
    if text is not None:
        from models.agenda_items import set_case_content

        with web.session() as session:
            case = find_case(session, request.journal_number, request.municipality)
            set_case_content(session, case, text)
    return request.municipality, request.journal_number, warning, next_step


# --- following and deciding ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    municipality: str
    municipality_name: str
    journal_number: str
    title: str
    route: str
    status: str
    closed_item: bool
    owner_name: str
    owner_email: str
    manager_name: str
    manager_email: str
    department: str
    ready_date: dt.date
    target_date: dt.date | None
    entries: list[caseview.Entry]
    history: list[str]
    standing: caseview.Standing
    feed_url: str | None  # public case feed (not for closed items)


def case_view(web: Web, municipality: str, journal_number: str) -> CaseView:
    from sagsgang.publishing import feeds

    with web.session() as session:
        case = _case(session, municipality, journal_number)
        state = load_state(session, case, web.profile(case.municipality))
        today = web.clock.today()
        timeline = caseview.entries(session, state, today)
        url = (
            None
            if case.closed_item
            else feeds.webcal_url(
                feeds.feed_url(web.feed_context.base_url, f"{case.municipality}/sag/{case.journal_number}.ics")
            )
        )
        return CaseView(
            case.municipality,
            state.profile.name,
            case.journal_number,
            case.title,
            state.route.name,
            str(case.status),
            case.closed_item,
            case.owner_name,
            case.owner_email,
            case.manager_name,
            case.manager_email,
            case.department,
            case.ready_date,
            case.target_date,
            timeline,
            caseview.history(timeline),
            caseview.standing(state, today),
            url,
        )


def _case(session: Session, municipality: str, journal_number: str) -> Case:
    query = case_query(journal_number, municipality)
    case = session.exec(query).first() if query is not None else None
    if case is None:
        raise LookupError(journal_number)
    return case


def decide(
    web: Web, municipality: str, journal_number: str, data: Mapping[str, Any], editor: Editor
) -> tuple[str, FlowWarning | None, follow_up.NextStep | None]:
    """Record a body's decision (as `sagsgang sag beslut`), then run the case's flow. Returns a
    Danish confirmation, maybe a warning, and what happens next (`follow`; the API says it as `naeste`)."""
    from sagsgang.web import notices

    body, outcome, text, new_ready = read_decision(data)
    with web.session() as session:
        _case(session, municipality, journal_number)
        try:
            recorded = record_decision(
                session, journal_number, body, outcome, text, web.clock, new_ready, municipality, editor
            )
        except UserError as error:
            raise FormErrors({form_field(error): str(error)}) from None
        name = load_state(session, recorded.case).body_name(body)
    message = notices.decision_notice(name, recorded.meeting_day, recorded.outcome)
    warning, next_step = follow("Beslutningen", lambda: web.orchestrator.advance(journal_number, municipality))
    return message, warning, next_step


def municipality_of(web: Web, journal_number: str, viewer: Viewer) -> str:
    """The municipality of the one case with this journal number that `viewer` sees (FormErrors:
    none, or several)."""
    with web.session() as session:
        try:
            case = find_case(session, journal_number, viewer.municipality or None)
        except UserError as error:
            raise FormErrors({"journalnummer": str(error)}) from None
        return case.municipality


def list_cases(
    web: Web, body: str = "", department: str = "", owner: str = "", viewer: Viewer | None = None
) -> list[caseview.Listed]:
    """Open cases, most urgent first, of the municipalities `viewer` sees."""
    visible = set(web.visible(viewer))
    with web.session() as session:
        listed = caseview.open_cases(session, web.clock.today(), body, department, owner)
    return [case for case in listed if case.municipality in visible]


def find_cases(web: Web, viewer: Viewer, search: finding.Search) -> finding.Found:
    """The case list the Sager page shows (sagsgang.cases.finding), among the cases the viewer may see."""
    with web.session() as session:
        return finding.find_cases(session, search, web.clock.today(), web.visible(viewer), viewer.email)


def filter_choices(web: Web, viewer: Viewer | None = None) -> dict[str, list[tuple[str, str]]]:
    """The Sager page's choices of body, department and case officer, in Danish alphabetical order."""
    from sagsgang.danish_words import sorted_danish

    visible = web.visible(viewer)
    with web.session() as session:
        bodies = session.exec(select(Body.key, Body.name).where(col(Body.municipality).in_(visible)).distinct()).all()
        departments = session.exec(select(Case.department).where(col(Case.municipality).in_(visible)).distinct()).all()
        owners = session.exec(
            select(Case.owner_email, Case.owner_name).where(col(Case.municipality).in_(visible)).distinct()
        ).all()
    return {
        "organ": sorted_danish(dict.fromkeys((k, n) for k, n in bodies), key=lambda c: c[1]),
        "afdeling": sorted_danish(((d, d) for d in departments if d), key=lambda c: c[1]),
        "ansvarlig": sorted_danish(dict.fromkeys((e, n) for e, n in owners), key=lambda c: c[1]),
    }


# --- meetings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    municipality: str
    body: str
    body_name: str
    key: str
    day: dt.date
    time: dt.time
    place: str
    status: str
    moved_from: dt.date | None
    cases: int  # undecided cases planned on it (not those whose latest possible meeting it is)
    changeable: bool = False  # still to come: may be moved or cancelled


def meetings(web: Web, municipality: str, body: str, start: dt.date, end: dt.date) -> list[MeetingView]:
    profile = web.profile(municipality)
    if body and body not in profile.bodies:
        raise FormErrors({"organ": f"Organet '{body}' findes ikke i {profile.name}."})
    # The profile's meeting plan for the period is in the database (as when a case is launched). A
    # period not shown before stores them first, in a transaction that may write: a GET's own reads
    # take no write lock, and on SQLite such a transaction cannot wait for one to write.
    with web.session() as session:
        missing = meetings_missing(session, profile, start, end)
    if missing:
        with session_scope(web.engine) as session:
            ensure_meetings(session, profile, start, end)
    with web.session() as session:
        query = (
            select(Meeting, col(Body.key), col(Body.name))
            .join(Body, col(Body.id) == col(Meeting.body_id))
            .where(Meeting.municipality == profile.key, Meeting.day >= start, Meeting.day <= end)
        )
        if body:
            query = query.where(Body.key == body)
        rows = session.exec(query.order_by(col(Meeting.starts_at), col(Body.name))).all()
        now = web.clock.now()
        result = [
            MeetingView(
                profile.key,
                key,
                name,
                m.key,
                m.day,
                m.local_time,
                m.place,
                str(m.status),
                m.moved_from,
                0,
                m.starts_at > now,
            )
            for m, key, name in rows
        ]
    counts = _counts(web, profile.key, [m.key for m in result])
    return [MeetingView(**{**m.__dict__, "cases": counts.get(m.key, 0)}) for m in result]


def _counts(web: Web, municipality: str, keys: list[str]) -> dict[str, int]:
    """Undecided cases planned on each meeting: what its agenda will hold, what a change re-plans."""
    from models.tables import Consultation

    if not keys:
        return {}
    with web.session() as session:
        result: dict[str, set[int]] = {}
        rows = session.exec(
            select(Meeting.key, Consultation.case_id)
            .join(Consultation, col(Consultation.meeting_id) == col(Meeting.id))
            .where(Meeting.municipality == municipality, col(Meeting.key).in_(keys), undecided())
        ).all()
        for key, case_id in rows:
            result.setdefault(key, set()).add(case_id)
    return {key: len(ids) for key, ids in result.items()}


def known_cases(web: Web, municipality: str, numbers: list[str]) -> list[str]:
    """Those of `numbers` that are journal numbers of the municipality's cases, sorted."""
    wanted = [n for n in numbers if n][:200]
    if not wanted:
        return []
    with web.session() as session:
        found = session.exec(
            select(Case.journal_number).where(Case.municipality == municipality, col(Case.journal_number).in_(wanted))
        ).all()
    return sorted(found)


def planned_cases(session: Session, meeting: Meeting) -> list[str]:
    """Journal numbers of the undecided cases planned on the meeting."""
    from models.tables import Consultation

    rows = session.exec(
        select(Case.journal_number)
        .join(Consultation, col(Consultation.case_id) == col(Case.id))
        .where(Consultation.meeting_id == meeting.id, undecided())
        .distinct()
    ).all()
    return sorted(rows)


def meeting_by_key(web: Web, municipality: str, key: str) -> MeetingView | None:
    """The meeting with this key (it never changes when the meeting moves), or None."""
    with web.session() as session:
        row = session.exec(select(Meeting).where(Meeting.municipality == municipality, Meeting.key == key)).first()
        if row is None:
            return None
        body = session.get(Body, row.body_id)
        day = row.day
    found = [m for m in meetings(web, municipality, body.key if body else "", day, day) if m.key == key]
    return found[0] if found else None


def find_meeting(web: Web, municipality: str, body: str, day: dt.date) -> MeetingView:
    found = [m for m in meetings(web, municipality, body, day, day) if m.status != "aflyst"]
    if not found:
        raise LookupError(f"{body}/{day}")
    return found[0]


def change_meeting(
    web: Web, municipality: str, body: str, day: dt.date, data: Mapping[str, Any], moving: bool, editor: Editor
) -> tuple[str, list[str], FlowWarning | None, follow_up.NextStep | None]:
    """Move or cancel the meeting (as `sagsgang mødeplan flyt|aflys`), then re-plan its cases.
    Returns (message, the cases re-planned, warning, what happens next: `follow`)."""
    from calendars.danish import long_date
    from sagsgang.cases.meeting_guard import DayNeedsConfirmation

    new_day, new_time = read_meeting_change(data, moving)
    profile = web.profile(municipality)
    with web.session() as session:
        try:
            meeting = change_stored_meeting(
                session,
                profile,
                body,
                day,
                new_day,
                new_time,
                now=web.clock.now(),
                confirmed=data.get("bekraeft_dag") in ("ja", True),
                editor=editor,
            )
        except DayNeedsConfirmation as error:
            raise FormErrors({"bekraeft_dag": str(error)}) from None
        except UserError as error:
            raise FormErrors({"ny_dato" if moving and error.field == "new_day" else "": str(error)}) from None
        key = meeting.key
        planned = planned_cases(session, meeting)
        what = f"flyttet til {long_date(meeting.day)} kl. {meeting.local_time:%H:%M}" if moving else "aflyst"
    replanned: list[str] = []

    def run() -> object:
        changed = web.orchestrator.meeting_changed(profile.key, key)
        # Named: the cases planned on the meeting (not those whose latest possible meeting it was).
        replanned.extend(sorted(set(changed["sager"]) & set(planned)))
        return changed

    warning, next_step = follow("Mødeændringen", run)
    message = f"Mødet i {profile.bodies[body].name} {long_date(day)} er {what}."
    return message, replanned, warning, next_step


def agenda_html(web: Web, municipality: str, body: str, day: dt.date, minutes: bool, public: bool = False) -> str:
    """The meeting's agenda or minutes (internal version, or with `public` the public one: closed
    items as "Lukket punkt", open items' bilag at their public address), as `sagsgang dagsorden`
    makes them."""
    from models.agenda_items import find_meeting as stored_meeting
    from models.agenda_items import load_agenda
    from sagsgang.publishing.agenda import compose
    from sagsgang.publishing.agenda_render import render_html

    profile = web.profile(municipality)
    with web.session() as session:
        stored = load_agenda(session, stored_meeting(session, body, day, profile.key))
    document = compose(stored, profile, minutes=minutes, public=public, today=web.clock.today())
    return render_html(document)


# --- subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str
    webcal: str


def body_feeds(web: Web) -> list[FeedLink]:
    from sagsgang.publishing import feeds

    context = web.feed_context
    with web.session() as session:
        specs = feeds.public_feeds(session, context)
        names = {(b.municipality, b.key): b.name for b in session.exec(select(Body))}
    links = []
    for spec in specs:
        if spec.kind == "sag":  # a case's own feed is linked from its page
            continue
        profile = context.profiles.get(spec.municipality)
        if profile is None:  # public_feeds lists only municipalities with a profile
            continue
        title = (
            f"{names.get((spec.municipality, spec.key), spec.key)} ({profile.name})"
            if spec.kind == "organ"
            else f"Alle sagsfrister ({profile.name})"
        )
        url = feeds.feed_url(context.base_url, spec.path)
        links.append(FeedLink(title, url, feeds.webcal_url(url)))
    return links


@dataclass(frozen=True)
class PersonalFeed:
    id: int
    department: str
    created: dt.date


def personal_feeds(web: Web, viewer: Viewer) -> list[PersonalFeed]:
    with web.session() as session:
        return personal_feeds_in(session, viewer)


def personal_feeds_in(session: Session, viewer: Viewer) -> list[PersonalFeed]:
    """The viewer's active personal feeds, in the caller's session."""
    from calendars.ical import COPENHAGEN

    if not viewer.email:
        return []
    rows = session.exec(
        select(FeedToken)
        .where(FeedToken.email == viewer.email, col(FeedToken.revoked_at).is_(None))
        .order_by(col(FeedToken.id))
    ).all()
    return [PersonalFeed(r.id, r.department, r.created_at.astimezone(COPENHAGEN).date()) for r in rows if r.id]


def subscribe(web: Web, viewer: Viewer, department: str) -> tuple[int, FeedLink]:
    """A personal feed for the viewer's e-mail address; the link is shown only now."""
    from sagsgang.accounts import subscriptions
    from sagsgang.publishing import feeds

    if not viewer.email:
        raise FormErrors(
            {
                "": "Din konto har ingen e-mailadresse, så der er ingen sager at vise i en personlig "
                "kalender. Bed sekretariatet om at tilføje den (sagsgang bruger opret … --email)."
            }
        )
    try:
        department = subscriptions.check_department(department)
    except ValueError as error:
        raise FormErrors({"afdeling": str(error)}) from None
    with web.session() as session:
        row, token = subscriptions.create_subscription(session, viewer.email, department, clock=web.clock)
        number = id_of(row)
    url = feeds.feed_url(web.feed_context.base_url, f"personlig/{token}.ics")
    return number, FeedLink("Min kalender", url, feeds.webcal_url(url))


def revoke(web: Web, viewer: Viewer, number: int) -> bool:
    from sagsgang.accounts import subscriptions

    with web.session() as session:
        row = session.get(FeedToken, number)
        if row is None or row.email != viewer.email or not viewer.email or not row.active:
            return False
        subscriptions.revoke_subscriptions(session, str(number), web.clock)
    return True
