"""External object lists (OParl 1.1 § "Objektlisten und Paginierung"): the filters a client may
send (created_since/until, modified_since/until, omit_internal, limit, page) and the list page
with `pagination` and `links`, whose URLs keep the client's filters.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

PAGE_SIZE = 100  # the spec recommends paging lists longer than 100
# A Meeting embeds its AgendaItems (an internal list): a page of ten council meetings already holds
# some hundreds of objects. The server chooses the page size (OParl 1.1 § Paginierung); `limit` or
# omit_internal=true (no embedded items) give pages of up to PAGE_SIZE.
MEETING_PAGE_SIZE = 10
_FILTERS = ("created_since", "created_until", "modified_since", "modified_until")


class ListError(ValueError):
    """A list parameter that cannot be read; the message (Danish) says which and how to write it."""


@dataclass(frozen=True)
class Window:
    """Which part of an external list the client asked for."""

    created_since: dt.datetime | None = None
    created_until: dt.datetime | None = None
    modified_since: dt.datetime | None = None
    modified_until: dt.datetime | None = None
    omit_internal: bool = False
    limit: int | None = None  # what the client asked for; None: the list's own page size
    page: int = 1
    page_size: int = PAGE_SIZE  # the list's own page size, the server's choice

    @property
    def size(self) -> int:
        """Objects on this page: the client's limit, else the list's own page size."""
        return self.limit or self.page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def paged_by(self, page_size: int) -> Window:
        """The same window on a list whose own page size is `page_size`."""
        return replace(self, page_size=page_size)

    def admits(self, created: dt.datetime, modified: dt.datetime) -> bool:
        """The object passes the time filters (for lists filtered in Python, not SQL)."""
        return (
            (self.created_since is None or created >= self.created_since)
            and (self.created_until is None or created <= self.created_until)
            and (self.modified_since is None or modified >= self.modified_since)
            and (self.modified_until is None or modified <= self.modified_until)
        )

    def query(self, page: int) -> dict[str, str]:
        """The URL parameters of page `page` of the same list, filters kept."""
        params = {name: value.isoformat() for name in _FILTERS if (value := getattr(self, name)) is not None}
        if self.omit_internal:
            params["omit_internal"] = "true"
        if self.limit is not None:
            params["limit"] = str(self.limit)
        if page != 1:
            params["page"] = str(page)
        return params


def read_window(params: Mapping[str, str]) -> Window:
    """The Window from a request's query parameters; a ListError for one that is not readable."""
    values: dict[str, Any] = {}
    for name in _FILTERS:
        if (raw := params.get(name)) is not None:
            values[name] = _instant(name, raw)
    if (raw := params.get("omit_internal")) is not None:
        if raw.lower() not in ("true", "false"):
            raise ListError(f"omit_internal skal være true eller false, ikke '{raw}'.")
        values["omit_internal"] = raw.lower() == "true"
    # A server need not honour limit (the spec says so); we take 1–100.
    if (raw := params.get("limit")) is not None:
        values["limit"] = min(_positive("limit", raw), PAGE_SIZE)
    values["page"] = _positive("page", params.get("page", "1"))
    return Window(**values)


def _instant(name: str, raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ListError(
            f"{name} skal være et tidspunkt med tidszone (ISO 8601), fx 2027-01-01T00:00:00+01:00, ikke '{raw}'."
        )
    return value


def _positive(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ListError(f"{name} skal være et helt tal større end 0, ikke '{raw}'.")
    return int(raw)


def list_page(url: str, window: Window, data: Sequence[dict], total: int) -> dict:
    """One page of the external list at `url`: `data` is already this page's objects."""
    pages = max(1, math.ceil(total / window.size))
    links = {"first": _link(url, window, 1), "self": _link(url, window, window.page), "last": _link(url, window, pages)}
    if window.page > 1:
        links["prev"] = _link(url, window, min(window.page - 1, pages))
    if window.page < pages:
        links["next"] = _link(url, window, window.page + 1)
    return {
        "data": list(data),
        "pagination": {
            "totalElements": total,
            "elementsPerPage": window.size,
            "currentPage": window.page,
            "totalPages": pages,
        },
        "links": links,
    }


def _link(url: str, window: Window, page: int) -> str:
    query = urlencode(window.query(page))
    return f"{url}?{query}" if query else url
