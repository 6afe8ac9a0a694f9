"""What each OParl URL answers: one function per object type or list, from a session.

`None` means there is no such object (the web answers 404). An object whose parent still exists
but which itself is gone answers as deleted (OParl 1.1: `deleted: true`, HTTP 200): a consultation
or agenda item that re-planning removed, a file whose attachment is gone or whose case became a
closed item. A closed case's attachments never appear as files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from calendars.profiles import Profile
from models.content import Attachment
from models.tables import Body, Case, Meeting
from sagsgang.publishing import agenda
from sagsgang.publishing.oparl import objects, reads
from sagsgang.publishing.oparl.lists import MEETING_PAGE_SIZE, Window, list_page
from sagsgang.publishing.oparl.objects import Urls

LIST_KINDS = ("organization", "person", "meeting", "paper", "file")


class Profiles(Protocol):
    """Municipality profiles by key (sagsgang.publishing.feeds.Profiles is one)."""

    def get(self, municipality: str) -> Profile | None: ...


@dataclass(frozen=True)
class Answers:
    session: Session
    urls: Urls
    profiles: Profiles
    today: dt.date

    # --- System and Body -----------------------------------------------------------------

    def system(self) -> dict:
        stamps = reads.body_stamps(self.session)
        created, modified = _span(stamps)
        return objects.system(self.urls, created, modified)

    def bodies(self, window: Window) -> dict:
        found = [self._body(m) for m in reads.municipalities(self.session)]
        return self._page(self.urls.bodies(), window, [b for b in found if b is not None])

    def body(self, municipality: str) -> dict | None:
        return self._body(municipality)

    def _body(self, municipality: str) -> dict | None:
        stamps = reads.body_stamps(self.session, municipality)
        if not stamps.first:
            return None
        created, modified = _span(stamps)
        return objects.body(self.urls, municipality, self.profiles.get(municipality), created, modified)

    def body_list(self, municipality: str, kind: str, window: Window) -> dict | None:
        if kind not in LIST_KINDS or not reads.bodies(self.session, municipality):
            return None
        url = self.urls.body_list(municipality, kind)
        if kind == "organization":
            return self._page(url, window, self._organizations(municipality))
        if kind == "person":  # Sagsgang publishes no people
            return list_page(url, window, [], 0)
        if kind == "meeting":
            return self._meetings(url, municipality, window)
        if kind == "paper":
            rows, total = reads.paper_page(self.session, municipality, window)
            return list_page(url, window, [self._paper(row, window.omit_internal) for row in rows], total)
        return self._files(url, municipality, window)

    # --- Organization and Meeting --------------------------------------------------------

    def _organizations(self, municipality: str) -> list[dict]:
        stamps = reads.body_stamps(self.session, municipality)
        return [
            objects.organization(self.urls, b, stamps.first[b.id], stamps.last[b.id])
            for b in reads.bodies(self.session, municipality)
            if b.id in stamps.first
        ]

    def organization(self, body_id: int) -> dict | None:
        row = self.session.get(Body, body_id)
        found = self._organizations(row.municipality) if row else []
        return next((o for o in found if o["id"] == self.urls.organization(body_id)), None)

    def organization_meetings(self, body_id: int, window: Window) -> dict | None:
        row = self.session.get(Body, body_id)
        if row is None:
            return None
        return self._meetings(self.urls.organization_meetings(body_id), row.municipality, window, body_id)

    def _meetings(self, url: str, municipality: str, window: Window, body_id: int | None = None) -> dict:
        if not window.omit_internal:
            window = window.paged_by(MEETING_PAGE_SIZE)
        rows, total = reads.meeting_page(self.session, municipality, window, self.today, body_id)
        return list_page(url, window, [self._meeting(row, window.omit_internal) for row in rows], total)

    def _meeting(self, row: reads.MeetingRow, omit_internal: bool = False) -> dict:
        profile = self.profiles.get(row.meeting.municipality)
        due = agenda.agenda_due(profile, row.body.key, row.meeting.day) if profile else None
        return objects.meeting(self.urls, row, self.today, due, omit_internal)

    def _meeting_row(self, meeting_id: int, shown_only: bool = False) -> reads.MeetingRow | None:
        """The meeting with all its items, or (`shown_only`) those on its published agenda."""
        row = self.session.get(Meeting, meeting_id)
        return reads.meeting_rows(self.session, [row], self.today if shown_only else None)[0] if row else None

    def meeting(self, meeting_id: int) -> dict | None:
        row = self._meeting_row(meeting_id, shown_only=True)
        return self._meeting(row) if row else None

    def location(self, meeting_id: int) -> dict | None:
        row = self._meeting_row(meeting_id)
        return objects.location(self.urls, row) if row and row.meeting.place else None

    def agenda_item(self, meeting_id: int, key: tuple[int, ...]) -> dict | None:
        row = self._meeting_row(meeting_id)
        paper = self._paper_row(key[0])
        if row is None or paper is None:
            return None
        for item in row.items:
            if objects.consultation_key(item.treatment.consultation) == _key_text(key):
                if not objects.on_agenda(item.treatment, self.today):
                    return None  # planned, but the agenda is not out yet
                return objects.agenda_item(self.urls, item, row)
        url = f"{self.urls.root}/agendaitem/{meeting_id}-{_key_text(key)}"
        return objects.deleted(url, "AgendaItem", paper.case.created_at, paper.case.updated_at)

    # --- Paper, Consultation, File -------------------------------------------------------

    def _deciding_stage(self, row: reads.PaperRow) -> int:
        profile = self.profiles.get(row.case.municipality)
        route = profile.routes.get(row.case.route_key) if profile else None
        if route is not None:
            return len(route.stages)
        return max((t.consultation.stage for t in row.treatments), default=1)

    def _paper(self, row: reads.PaperRow, omit_internal: bool = False) -> dict:
        return objects.paper(self.urls, row, self._deciding_stage(row), self.today, omit_internal)

    def _paper_row(self, case_id: int) -> reads.PaperRow | None:
        found = reads.papers(self.session, [case_id])
        return found[0] if found else None

    def paper(self, case_id: int) -> dict | None:
        row = self._paper_row(case_id)
        return self._paper(row) if row else None

    def consultation(self, key: tuple[int, ...]) -> dict | None:
        row = self._paper_row(key[0])
        if row is None:
            return None
        for treatment in row.treatments:
            if objects.consultation_key(treatment.consultation) == _key_text(key):
                return objects.consultation(
                    self.urls, treatment, row.case, self._deciding_stage(row), self.today, row.case.municipality
                )
        url = f"{self.urls.root}/consultation/{_key_text(key)}"
        return objects.deleted(url, "Consultation", row.case.created_at, row.case.updated_at)

    def file(self, case_id: int, number: int) -> dict | None:
        row = self._paper_row(case_id)
        if row is None:
            return None
        attachment = next((a for a in row.attachments if a.number == number), None)
        if attachment is None or row.case.closed_item or not objects.published_file(attachment, row, self.today):
            return objects.deleted(self.urls.file(case_id, number), "File", row.case.created_at, row.modified)
        return objects.file(self.urls, row.case, attachment, row.modified)

    def _files(self, url: str, municipality: str, window: Window) -> dict:
        """The public files of open cases; a municipality has a few thousand, read in one query."""
        with_files = sa.select(col(Case.id)).where(
            col(Case.municipality) == municipality,
            col(Case.closed_item).is_(False),
            col(Case.id).in_(select(col(Attachment.case_id)).distinct()),
        )
        files = [
            objects.file(self.urls, row.case, a, row.modified)
            for row in reads.papers(self.session, list(self.session.execute(with_files).scalars()))
            for a in row.attachments
            if objects.published_file(a, row, self.today) and window.admits(row.case.created_at, row.modified)
        ]
        return self._page(url, window, files)

    def _page(self, url: str, window: Window, found: list[dict]) -> dict:
        """A list filtered and paged in Python (lists of a few hundred objects)."""
        admitted = [
            o
            for o in found
            if window.admits(dt.datetime.fromisoformat(o["created"]), dt.datetime.fromisoformat(o["modified"]))
        ]
        return list_page(url, window, admitted[window.offset : window.offset + window.size], len(admitted))


def _key_text(key: tuple[int, ...]) -> str:
    return "-".join(str(part) for part in key)


def _span(stamps: reads.BodyStamps) -> tuple[dt.datetime, dt.datetime]:
    if not stamps.first:
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return epoch, epoch
    return min(stamps.first.values()), max(stamps.last.values())
