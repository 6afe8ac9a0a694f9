"""The Sager page's query string: which list, what to search for, the order and the page, read into
sagsgang.cases.finding.Search (unknown values fall back to the default; nothing here can fail)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from sagsgang.cases.finding import CaseList, Order, Search

LISTS = [
    (CaseList.OPEN.value, "Åbne sager"),
    (CaseList.MINE.value, "Mine sager"),
    (CaseList.THIS_WEEK.value, "Frister denne uge"),
    (CaseList.ENDED.value, "Afsluttede sager"),
    (CaseList.CLOSED_ITEMS.value, "Lukkede punkter"),
]
ORDERS = [
    (Order.URGENCY.value, "Mest presserende først"),
    (Order.TITLE.value, "Titel (A–Å)"),
    (Order.JOURNAL_NUMBER.value, "Journalnummer"),
    (Order.OWNER.value, "Sagsbehandler (A–Å)"),
]
FIELDS = ("liste", "soeg", "organ", "afdeling", "ansvarlig", "sortering")


def _choice(kind, value: str, default):
    try:
        return kind(value)
    except ValueError:
        return default


def read(query: Mapping[str, str]) -> tuple[Search, dict[str, str]]:
    """(the search, the filters as the form shows them)."""
    given = {name: query.get(name, "")[:200].strip() for name in FIELDS}
    kind = _choice(CaseList, given["liste"], CaseList.OPEN)
    order = _choice(Order, given["sortering"], Order.URGENCY)
    page_text = query.get("side", "1")
    page = int(page_text) if page_text.isdigit() and len(page_text) < 6 else 1
    search = Search(
        kind=kind,
        text=given["soeg"],
        body=given["organ"][:100],
        department=given["afdeling"],
        owner=given["ansvarlig"],
        order=order,
        page=page,
    )
    return search, {**given, "liste": kind.value, "sortering": order.value}


def link(filters: Mapping[str, str], page: int) -> str:
    """The address of another page of the same list."""
    kept = {name: value for name, value in filters.items() if value}
    return "/sager?" + urlencode({**kept, "side": str(page)})


def title(kind: str) -> str:
    return dict(LISTS).get(kind, LISTS[0][1])
