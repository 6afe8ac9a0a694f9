"""Finding cases: the lists the secretariat works from (open, ended, closed items, *Mine sager*,
*Frister denne uge*), narrowed by a search over title, journal number and people, sorted
(urgency, or alphabetically in Danish order) and cut into pages.

Text is matched case-insensitively on the whole text (str.casefold), in Python: SQLite's lower()
knows only ASCII, and a municipality's cases are thousands, not millions.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.tables import Case, CaseStatus
from sagsgang.cases.caseview import URGENCY, Listed, listed
from sagsgang.cases.state import load_state
from sagsgang.danish_words import sort_key
from sagsgang.inputs import UserError

PAGE_SIZE = 25


class CaseList(enum.StrEnum):
    OPEN = "aabne"
    ENDED = "afsluttede"
    CLOSED_ITEMS = "lukkede"
    MINE = "mine"
    THIS_WEEK = "frister"


class Order(enum.StrEnum):
    URGENCY = "frist"  # missed first, then at risk, then by next deadline
    TITLE = "titel"
    JOURNAL_NUMBER = "journalnummer"
    OWNER = "sagsbehandler"


@dataclass(frozen=True)
class Search:
    kind: CaseList = CaseList.OPEN
    text: str = ""  # title, journal number, case officer or manager (name or e-mail)
    body: str = ""  # only cases still going to this body
    department: str = ""
    owner: str = ""  # case officer's e-mail or name
    order: Order = Order.URGENCY
    page: int = 1


@dataclass(frozen=True)
class Found:
    cases: list[Listed]  # this page
    total: int
    page: int
    pages: int
    week: tuple[dt.date, dt.date]  # Monday and Sunday of this week (Frister denne uge)


def _matches(case: Case, words: list[str]) -> bool:
    haystack = " ".join(
        (case.title, case.journal_number, case.owner_name, case.owner_email, case.manager_name, case.manager_email)
    ).casefold()
    return all(word in haystack for word in words)


def _candidates(session: Session, search: Search, municipalities: list[str], email: str) -> list[Case]:
    query = select(Case).where(col(Case.municipality).in_(municipalities))
    if search.kind is CaseList.ENDED:
        query = query.where(Case.status == CaseStatus.CLOSED)
    elif search.kind is CaseList.CLOSED_ITEMS:
        query = query.where(Case.closed_item == True)  # noqa: E712  (SQL, not Python)
    else:
        query = query.where(Case.status == CaseStatus.OPEN)
    if search.department:
        query = query.where(Case.department == search.department)
    rows = session.exec(query.order_by(col(Case.id))).all()
    words = search.text.casefold().split()
    mine = email.casefold()
    owner = search.owner.casefold()
    return [
        case
        for case in rows
        if _matches(case, words)
        and (not owner or owner in (case.owner_email.casefold(), case.owner_name.casefold()))
        and (
            search.kind is not CaseList.MINE
            or (mine and mine in (case.owner_email.casefold(), case.manager_email.casefold()))
        )
    ]


def _line(session: Session, case: Case, today: dt.date) -> Listed | None:
    try:
        return listed(load_state(session, case), today)
    except UserError:  # its profile or route is gone: nothing to plan against
        return None


def find_cases(session: Session, search: Search, today: dt.date, municipalities: list[str], email: str = "") -> Found:
    """One page of the cases `search` asks for, among the `municipalities` the viewer may see;
    `email` is the viewer's (Mine sager: cases they own or manage)."""
    monday = today - dt.timedelta(days=today.weekday())
    week = (monday, monday + dt.timedelta(days=6))
    cases = _candidates(session, search, municipalities, email)
    needs_standing = search.order is Order.URGENCY or search.kind is CaseList.THIS_WEEK or search.body
    if needs_standing:
        lines = [line for case in cases if (line := _line(session, case, today)) is not None]
        if search.body:
            lines = [line for line in lines if search.body in line.bodies]
        if search.kind is CaseList.THIS_WEEK:
            lines = [
                line
                for line in lines
                if line.standing.next_deadline is not None and week[0] <= line.standing.next_deadline <= week[1]
            ]
        lines = _sorted(lines, search.order)
        total = len(lines)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(1, search.page), pages)
        return Found(lines[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], total, page, pages, week)
    # Alphabetical orders need no plan: sort the rows, then load only this page's cases.
    cases = sorted(cases, key=lambda case: _text_key(search.order, case.title, case.journal_number, case.owner_name))
    total = len(cases)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, search.page), pages)
    shown = [line for case in cases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if (line := _line(session, case, today))]
    return Found(shown, total, page, pages, week)


def _text_key(order: Order, title: str, journal_number: str, owner: str) -> tuple[bytes, bytes]:
    if order is Order.JOURNAL_NUMBER:
        return sort_key(journal_number), sort_key(title)
    if order is Order.OWNER:
        return sort_key(owner), sort_key(title)
    return sort_key(title), sort_key(journal_number)


def _sorted(lines: list[Listed], order: Order) -> list[Listed]:
    if order is Order.URGENCY:
        return sorted(
            lines,
            key=lambda c: (URGENCY[c.standing.health], c.standing.next_deadline or dt.date.max, sort_key(c.title)),
        )
    return sorted(lines, key=lambda c: _text_key(order, c.title, c.journal_number, c.owner_name))
