"""What the case page does beyond following the case (sagsgang.web.service.case_view): its texts
as the agenda prints them, material received per stage, correcting the case with a preview of
the re-plan, its change history, and the case as files (Word, PDF, Excel, CSV).

The lifecycle after a change is handed on as every page does (sagsgang.web.service._run with
web.orchestrator.advance), in `_follow_up` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from calendars.danish import short_date
from models.agenda_items import StoredItem, case_text
from models.audit import CaseChange, case_changes
from models.tables import Case
from sagsgang import danish_words
from sagsgang.cases import caseview, history
from sagsgang.cases.decisions import record_submission
from sagsgang.cases.editing import edit_case, facts_of
from sagsgang.cases.follow_up import NextStep
from sagsgang.cases.history import Editor
from sagsgang.cases.state import id_of, load_state
from sagsgang.inputs import UserError
from sagsgang.notifications.case_mails import mail_lines
from sagsgang.publishing.agenda import Item, case_item
from sagsgang.web import service
from sagsgang.web.edit_forms import edit_form_values, read_edit
from sagsgang.web.forms import FormErrors, form_field
from sagsgang.web.service import FlowWarning, Viewer, Web


@dataclass(frozen=True)
class Receivable:
    """A body of the current stage whose material for its next meeting is not in yet."""

    body: str
    body_name: str
    meeting_day: dt.date
    deadline: dt.date


@dataclass(frozen=True)
class ShownChange:
    at: dt.datetime  # Copenhagen time
    by: str
    source: str  # web | api | cli | system
    field: str
    old: str
    new: str

    @property
    def when(self) -> str:
        return f"{short_date(self.at.date())} kl. {self.at:%H:%M}"

    @property
    def event(self) -> bool:
        """Something that happened to the case (material, decision, …), not a corrected field."""
        return self.field in history.EVENTS


@dataclass(frozen=True)
class CasePageExtras:
    item: Item  # the case's texts as its agenda item prints them
    has_text: bool
    receivable: list[Receivable]
    changes: list[ShownChange]
    max_attachment_mb: int
    owner_email: str  # the case officer's: they may record their material as received (Viewer.handles)
    mails: list[str]  # its reminders and escalations, and what became of each (for the secretariat)


def _case(session: Session, municipality: str, journal_number: str) -> Case:
    return service._case(session, municipality, journal_number)


def extras(web: Web, municipality: str, journal_number: str) -> CasePageExtras:
    with web.session() as session:
        case = _case(session, municipality, journal_number)
        text = case_text(session, case)
        item = case_item(StoredItem(case.journal_number, case.title, case.closed_item, text, (), None))
        state = load_state(session, case, web.profile(case.municipality))
        stage = state.current_stage
        receivable = (
            [
                Receivable(t.body, state.body_name(t.body), t.meeting.day, t.consultation.deadline)
                for t in state.of_stage(stage)
                if t.decision is None and not t.submitted
            ]
            if stage is not None and str(case.status) == "åben"
            else []
        )
        changes = _shown(case_changes(session, id_of(case)))
        mails = mail_lines(session, id_of(case), web.clock.now())
        return CasePageExtras(
            item, text is not None, receivable, changes, web.settings.max_attachment_mb, case.owner_email, mails
        )


def _shown(rows: list[CaseChange] | Any) -> list[ShownChange]:
    from calendars.ical import COPENHAGEN

    return [
        ShownChange(r.changed_at.astimezone(COPENHAGEN), r.changed_by, r.source, r.field, r.old, r.new) for r in rows
    ]


def changes(web: Web, municipality: str, journal_number: str) -> list[ShownChange]:
    with web.session() as session:
        return _shown(case_changes(session, id_of(_case(session, municipality, journal_number))))


# --- material received --------------------------------------------------------------------------


def receive(
    web: Web, municipality: str, journal_number: str, data: Mapping[str, Any], viewer: Viewer, source: str = "web"
) -> tuple[str, FlowWarning | None, NextStep | None]:
    """Record that the material for `organ`'s next meeting is in (as `sagsgang sag indsend`), or,
    through the JSON API with no `organ` (None), for every body of the current stage (as `sag
    indsend` without --organ; the page's form must name one); the reminders for that deadline
    stop, and the case is followed up (its next wake-up moves). Returns the bodies' names, maybe a
    warning, and what happens next (service.follow)."""
    body = data.get("organ")
    if (body is None and source == "web") or (body is not None and (not isinstance(body, str) or not body)):
        raise FormErrors({"organ": "Vælg organet, materialet er modtaget til."})
    with web.session() as session:
        if not viewer.sees(municipality):
            raise LookupError(journal_number)
        case = _case(session, municipality, journal_number)
        if not viewer.handles(case.owner_email):
            raise PermissionError(NOT_YOURS)
        try:
            done = record_submission(session, journal_number, web.clock, body, municipality, viewer.editor(source))
        except UserError as error:
            raise FormErrors({form_field(error, "organ"): str(error)}) from None
        state = load_state(session, case, web.profile(municipality))
        name = danish_words.join(state.body_name(treatment.body) for treatment in done)
    warning, next_step = service.follow("Materialet", lambda: web.orchestrator.advance(journal_number, municipality))
    return name, warning, next_step


# --- correcting the case ------------------------------------------------------------------------


def edit_values(web: Web, municipality: str, journal_number: str) -> dict[str, str]:
    """The edit form filled in with what the case has now."""
    with web.session() as session:
        case = _case(session, municipality, journal_number)
        return edit_form_values(facts_of(case), case_text(session, case))


def routes(web: Web, municipality: str) -> list[tuple[str, str]]:
    return [(route.key, route.name) for route in web.profile(municipality).routes.values()]


def preview_edit(web: Web, municipality: str, journal_number: str, data: Mapping[str, Any]) -> list[caseview.Entry]:
    """The timetable the case would have after saving: the edit made in a transaction that is
    rolled back. FormErrors on bad input."""
    facts, text = read_edit(data)
    with Session(web.engine) as session:
        try:
            case = _case(session, municipality, journal_number)
            edit_case(session, case, facts, text, Editor("forhåndsvisning", "web"), web.clock)
            return caseview.entries(session, load_state(session, case), web.clock.today())
        except UserError as error:
            raise FormErrors({form_field(error): str(error)}) from None
        finally:
            session.rollback()


def save_edit(
    web: Web, municipality: str, journal_number: str, data: Mapping[str, Any], viewer: Viewer, source: str = "web"
) -> tuple[int, FlowWarning | None]:
    """Store the corrections and their history; the lifecycle follows the new plan. Returns the
    number of changed fields and maybe a warning."""
    facts, text = read_edit(data)
    with web.session() as session:
        case = _case(session, municipality, journal_number)
        try:
            written = edit_case(session, case, facts, text, viewer.editor(source), web.clock)
        except UserError as error:
            raise FormErrors({form_field(error): str(error)}) from None
        count = len(written)
    return count, _follow_up(web, "Rettelsen", municipality, journal_number) if count else None


def _follow_up(web: Web, what: str, municipality: str, journal_number: str) -> FlowWarning | None:
    return service._run(what, lambda: web.orchestrator.advance(journal_number, municipality))


# --- attachments ------------------------------------------------------------------------------


def attach(
    web: Web, municipality: str, journal_number: str, title: str, filename: str, data: bytes, viewer: Viewer
) -> str:
    """Store the uploaded file (checked by its content) and add it to the case's Bilag; the change
    goes into the history. Returns the attachment's title."""
    import dataclasses

    from models.agenda_items import AttachmentText, CaseText
    from sagsgang.cases import attachments
    from sagsgang.cases.editing import set_texts

    title = " ".join((title or "").split()) or filename.rsplit(".", 1)[0].strip()
    if not title or len(title) > 500:
        raise FormErrors({"titel": "Skriv bilagets titel (højst 500 tegn)."})
    try:
        stored = attachments.store(web.settings.home_folder, data, filename, web.settings.max_attachment_mb)
    except UserError as error:
        raise FormErrors({"fil": str(error)}) from None
    with web.session() as session:
        case = _case(session, municipality, journal_number)
        text = case_text(session, case) or CaseText()
        if any(a.title == title for a in text.attachments):
            raise FormErrors(
                {"titel": f"Sagen har allerede et bilag med titlen '{title}'. Giv det nye en anden titel."}
            )
        text = dataclasses.replace(text, attachments=(*text.attachments, AttachmentText(title, stored.url)))
        set_texts(session, case, text, viewer.editor(), web.clock)
    return title


# --- the case as files --------------------------------------------------------------------------

FILE_FORMATS = {"sag": ("docx", "pdf"), "tidsplan": ("docx", "xlsx", "csv")}


def case_file(web: Web, municipality: str, journal_number: str, name: str, fmt: str) -> bytes:
    """`sag`: the case's texts as its agenda item prints them; `tidsplan`: its timetable as the page
    shows it (the same tables `sagsgang plan -o` writes: sagsgang.publishing.spreadsheets, word)."""
    from sagsgang.publishing import spreadsheets, word
    from sagsgang.publishing.agenda_render import html_to_pdf, render_case_html

    municipality_name = web.profile(municipality).name
    if name == "sag":
        item = extras(web, municipality, journal_number).item
        return (
            word.render_case_docx(item, municipality_name)
            if fmt == "docx"
            else html_to_pdf(render_case_html(item, municipality_name))
        )
    case = service.case_view(web, municipality, journal_number)
    sheet = spreadsheets.case_timetable_sheet(case.entries, f"{case.journal_number} {case.title} ({case.route})")
    if fmt == "xlsx":
        return spreadsheets.to_xlsx(sheet)
    if fmt == "csv":
        return spreadsheets.to_csv(sheet)
    title = f"Tidsplan – {case.title}"
    return word.render_table_docx(title, municipality_name, sheet.headers, spreadsheets.text_rows(sheet))


def notices(web: Web, municipality: str, received: str, edited: str, attached: str = "") -> list[str]:
    """The case page's messages after a redirect from one of its forms (?modtaget=organ, ?rettet=N,
    ?bilag=titel)."""
    result = []
    if received and municipality in web.municipalities:
        bodies = web.profile(municipality).bodies
        result.append(received_notice(bodies[received].name if received in bodies else received))
    if attached:
        result.append(f"Bilaget '{attached}' er vedhæftet sagen.")
    if edited.isdigit():
        result.append(edited_notice(int(edited)))
    return result


NOT_YOURS = "Kun sekretariatet og sagens sagsbehandler kan registrere, at materialet er modtaget."


def received_notice(body_name: str) -> str:
    return f"Materialet til {body_name} er modtaget. Der kommer ikke flere påmindelser om den frist."


def edited_notice(count: int) -> str:
    if count == 0:
        return "Der var ingen ændringer at gemme."
    return f"Sagen er rettet ({danish_words.count(count, 'felt')}). Rettelserne står under Ændringer."
