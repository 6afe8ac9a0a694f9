"""Møder → Måned: every body's meetings of one month, week by week (Monday first, ISO weeks), so
the secretariat sees at a glance what lies on a day before it moves a meeting there. Days off
(holidays, closing days, recesses) are named from the municipality's calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from sagsgang.cases.meeting_guard import unusual_day
from sagsgang.web import service
from sagsgang.web.deps import PageViewer, render, web

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Day:
    day: dt.date
    in_month: bool
    meetings: list[service.MeetingView]
    note: str  # why it is no ordinary meeting day, if it is not


def read_month(text: str, today: dt.date) -> dt.date | None:
    """The first of the month written 'åååå-mm' (empty: this month); None when it is no month."""
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2099 else None
    except ValueError:
        return None


def weeks(first: dt.date, meetings: list[service.MeetingView], notes) -> list[list[Day]]:
    """The month's weeks, Monday to Sunday, each day with its meetings in time order."""
    start = first - dt.timedelta(days=first.weekday())
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    end = following + dt.timedelta(days=(7 - following.weekday()) % 7)
    by_day: dict[dt.date, list[service.MeetingView]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.day, []).append(meeting)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days)]
    result = [
        Day(day, day.month == first.month, sorted(by_day.get(day, []), key=lambda m: m.time), notes(day))
        for day in days
    ]
    return [result[n : n + 7] for n in range(0, len(result), 7)]


def _month_page(request: Request, viewer, kommune: str, maaned: str) -> Response:
    w = web(request)
    visible = w.visible(viewer)
    key = kommune if kommune in visible else (viewer.municipality or w.default_municipality())
    first = read_month(maaned[:20], w.clock.today())
    if first is None:
        return render(
            request,
            "meeting_month.j2",
            status_code=400,
            viewer=viewer,
            active="moeder",
            errors={"maaned": "Skriv måneden som åååå-mm, fx 2027-03."},
            weeks=[],
            month_name="",
            filters={"kommune": key, "maaned": maaned},
            municipalities=[(m, w.profile(m).name) for m in visible],
            previous="",
            following="",
        )
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = following - dt.timedelta(days=1)
    profile = w.profile(key)
    listed = service.meetings(w, key, "", first - dt.timedelta(days=7), last + dt.timedelta(days=7))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "meeting_month.j2",
        viewer=viewer,
        active="moeder",
        weeks=weeks(first, listed, lambda day: "; ".join(unusual_day(profile, day)) if day.weekday() < 5 else ""),
        month_name=format_date(first, "MMMM y", locale="da"),
        municipality_name=profile.name,
        filters={"kommune": key, "maaned": f"{first:%Y-%m}"},
        municipalities=[(m, w.profile(m).name) for m in visible],
        previous=f"{previous:%Y-%m}",
        following=f"{following:%Y-%m}",
    )


@router.get("/moeder/maaned", response_class=HTMLResponse)
async def month(request: Request, viewer: PageViewer, kommune: str = "", maaned: str = "") -> Response:
    return await run_in_threadpool(_month_page, request, viewer, kommune[:100], maaned)
