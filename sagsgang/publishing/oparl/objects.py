"""Sagsgang's rows as OParl 1.1 objects (plain dicts, ready for JSON).

Mapping (docs/oparl.md): a municipality is a Body, each of its bodies (organer) an Organization,
a case a Paper whose Consultations follow its route, a case on a meeting an AgendaItem, a public
attachment with an address a File. Ids are URLs built from keys that survive re-planning: a
Consultation is (case, stage, body, round), an AgendaItem that plus the meeting.

A closed item ("lukket punkt", Case.closed_item) is named "Lukket punkt" and carries no journal
number, text, decision text, people or files, wherever it appears.

Submission deadlines have no OParl field; they go out as the vendor extension
`sagsgang:submissionDeadline` on each Consultation (OParl 1.1 § "Herstellerspezifische
Erweiterungen").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from calendars.danish import long_date
from calendars.meetings import MeetingStatus
from calendars.profiles import Profile
from models.agenda_items import Treatment as AgendaTreatment
from models.tables import Body, Outcome
from models.types import COPENHAGEN
from sagsgang.cases.attachments import describe, public_url, stored_name
from sagsgang.publishing.agenda import CLOSED_TITLE, decision_text
from sagsgang.publishing.oparl.reads import AttachmentRow, CaseRow, Item, MeetingRow, PaperRow, Step, Treatment, Verdict

SCHEMA = "https://schema.oparl.org/1.1/"
VENDOR = "sagsgang"  # prefix of our extension fields
DECIDING_ROLE = "Beslutning"
PREPARING_ROLE = "Forbehandling"


def schema_type(name: str) -> str:
    return f"{SCHEMA}{name}"


def consultation_key(consultation: Step) -> str:
    return f"{consultation.case_id}-{consultation.stage}-{consultation.body_id}-{consultation.round}"


@dataclass(frozen=True)
class Urls:
    """Every object's URL under `root` ("...../oparl/v1.1"); ids are those of stored rows.
    `home`: SAGSGANG_HOME, where uploaded bilag are stored (a File's size and checksum); their
    public address is on the same site as `root`."""

    root: str
    home: Path | None = None

    def public_file(self, file: str) -> str:
        """An uploaded bilag's public address (sagsgang.cases.attachments.public_url), absolute."""
        site = self.root.rsplit("/oparl/", 1)[0]
        return f"{site}{public_url(file)}" if stored_name(file) else file

    def system(self) -> str:
        return f"{self.root}/"

    def bodies(self) -> str:
        return f"{self.root}/body"

    def body(self, municipality: str) -> str:
        return f"{self.root}/body/{municipality}"

    def body_list(self, municipality: str, kind: str) -> str:
        return f"{self.root}/body/{municipality}/{kind}"

    def organization(self, body_id: int | None) -> str:
        return f"{self.root}/organization/{body_id}"

    def organization_meetings(self, body_id: int | None) -> str:
        return f"{self.root}/organization/{body_id}/meeting"

    def meeting(self, meeting_id: int | None) -> str:
        return f"{self.root}/meeting/{meeting_id}"

    def location(self, meeting_id: int | None) -> str:
        return f"{self.root}/location/{meeting_id}"

    def agenda_item(self, meeting_id: int | None, consultation: Step) -> str:
        return f"{self.root}/agendaitem/{meeting_id}-{consultation_key(consultation)}"

    def paper(self, case_id: int | None) -> str:
        return f"{self.root}/paper/{case_id}"

    def consultation(self, consultation: Step) -> str:
        return f"{self.root}/consultation/{consultation_key(consultation)}"

    def file(self, case_id: int | None, number: int) -> str:
        return f"{self.root}/file/{case_id}-{number}"


def stamp(value: dt.datetime) -> str:
    """An OParl date-time: ISO 8601 with the offset, in Danish time."""
    return value.astimezone(COPENHAGEN).isoformat(timespec="seconds")


def on_agenda(treatment: Treatment, today: dt.date) -> bool:
    """The case is on the meeting's published agenda: the agenda is due out (or, for a body with
    no agenda rule, the submission deadline has passed), or the body has decided. Before that the
    Consultation names the planned meeting and there is no AgendaItem yet."""
    consultation = treatment.consultation
    return treatment.decision is not None or today >= (consultation.agenda_due or consultation.deadline)


def deleted(urls_id: str, name: str, created: dt.datetime, modified: dt.datetime) -> dict:
    """What a deleted object answers (OParl 1.1 § "Gelöschte Objekte"): id, type, created, modified."""
    return {
        "id": urls_id,
        "type": schema_type(name),
        "created": stamp(created),
        "modified": stamp(max(created, modified)),
        "deleted": True,
    }


def system(urls: Urls, created: dt.datetime, modified: dt.datetime) -> dict:
    return {
        "id": urls.system(),
        "type": schema_type("System"),
        "oparlVersion": SCHEMA,
        "name": "Sagsgang",
        "body": urls.bodies(),
        "created": stamp(created),
        "modified": stamp(modified),
    }


def body(urls: Urls, municipality: str, profile: Profile | None, created: dt.datetime, modified: dt.datetime) -> dict:
    return {
        "id": urls.body(municipality),
        "type": schema_type("Body"),
        "system": urls.system(),
        "shortName": municipality,
        "name": profile.name if profile else municipality,
        "classification": "Kommune",
        "organization": urls.body_list(municipality, "organization"),
        "person": urls.body_list(municipality, "person"),
        "meeting": urls.body_list(municipality, "meeting"),
        "paper": urls.body_list(municipality, "paper"),
        "file": urls.body_list(municipality, "file"),
        "legislativeTerm": [],
        "created": stamp(created),
        "modified": stamp(modified),
    }


def organization(urls: Urls, row: Body, created: dt.datetime, modified: dt.datetime) -> dict:
    return {
        "id": urls.organization(row.id),
        "type": schema_type("Organization"),
        "body": urls.body(row.municipality),
        "name": row.name,
        "shortName": row.key,
        "organizationType": "Gremium",
        "classification": str(row.kind),
        "meeting": urls.organization_meetings(row.id),
        "created": stamp(created),
        "modified": stamp(modified),
    }


def meeting_state(row: MeetingRow, today: dt.date, agenda_due: dt.date | None) -> str:
    """Danish words for OParl's recommended states (terminiert, eingeladen, durchgeführt)."""
    m = row.meeting
    if m.status == MeetingStatus.CANCELLED:
        return str(m.status)
    if m.day < today:
        return "afholdt"
    if agenda_due is not None and today >= agenda_due:
        return "indkaldt"
    return str(m.status)  # planlagt, foreløbig


def meeting(
    urls: Urls, row: MeetingRow, today: dt.date, agenda_due: dt.date | None, omit_internal: bool = False
) -> dict:
    m = row.meeting
    result: dict = {
        "id": urls.meeting(m.id),
        "type": schema_type("Meeting"),
        "name": f"{row.body.name} {long_date(m.day)}",
        "meetingState": meeting_state(row, today, agenda_due),
        "cancelled": m.status == MeetingStatus.CANCELLED,
        "start": stamp(m.starts_at),
        "end": stamp(m.starts_at + dt.timedelta(minutes=m.duration_minutes)),
        "organization": [urls.organization(m.body_id)],
        "created": stamp(row.created),
        "modified": stamp(row.modified),
    }
    if m.moved_from is not None:
        result[f"{VENDOR}:movedFrom"] = m.moved_from.isoformat()
    if m.place:
        result["location"] = location(urls, row)
    if not omit_internal:
        result["agendaItem"] = [agenda_item(urls, item, row) for item in row.items if on_agenda(item.treatment, today)]
    return result


def location(urls: Urls, row: MeetingRow) -> dict:
    return {
        "id": urls.location(row.meeting.id),
        "type": schema_type("Location"),
        "description": row.meeting.place,
        "meeting": [urls.meeting(row.meeting.id)],
        "created": stamp(row.created),
        "modified": stamp(max(row.created, row.meeting.updated_at)),
    }


def agenda_item(urls: Urls, item: Item, row: MeetingRow) -> dict:
    consultation, decision, case = item.treatment.consultation, item.treatment.decision, item.case
    result = {
        "id": urls.agenda_item(row.meeting.id, consultation),
        "type": schema_type("AgendaItem"),
        "meeting": urls.meeting(row.meeting.id),
        "number": str(item.order),
        "order": item.order,
        "name": CLOSED_TITLE if case.closed_item else case.title,
        "public": not case.closed_item,
        "consultation": urls.consultation(consultation),
        "created": stamp(consultation.created_at),
        "modified": stamp(_latest(consultation, decision, case)),
    }
    if decision is not None and not case.closed_item:
        result["result"] = str(decision.outcome)
        treatment = AgendaTreatment(row.body.name, row.meeting.day, Outcome(decision.outcome), decision.text)
        result["resolutionText"] = decision_text(treatment)
    return result


def paper(urls: Urls, row: PaperRow, deciding_stage: int, today: dt.date, omit_internal: bool = False) -> dict:
    case = row.case
    closed = case.closed_item
    result: dict = {
        "id": urls.paper(case.id),
        "type": schema_type("Paper"),
        "body": urls.body(case.municipality),
        "name": CLOSED_TITLE if closed else case.title,
        "date": case.ready_date.isoformat(),
        "consultation": [
            consultation(urls, t, case, deciding_stage, today, row.case.municipality) for t in row.treatments
        ],
        "created": stamp(case.created_at),
        "modified": stamp(row.modified),
    }
    if not closed:
        result["reference"] = case.journal_number
        if row.kind:
            result["paperType"] = str(row.kind)
        if not omit_internal:
            files = [file(urls, case, a, row.modified) for a in row.attachments if published_file(a, row, today)]
            if files:
                result["auxiliaryFile"] = files
    return result


def consultation(
    urls: Urls, treatment: Treatment, case: CaseRow, deciding_stage: int, today: dt.date, municipality: str
) -> dict:
    c = treatment.consultation
    authoritative = c.stage == deciding_stage
    result = {
        "id": urls.consultation(c),
        "type": schema_type("Consultation"),
        "paper": urls.paper(case.id),
        "meeting": urls.meeting(c.meeting_id),
        "organization": [urls.organization(c.body_id)],
        "authoritative": authoritative,
        "role": DECIDING_ROLE if authoritative else PREPARING_ROLE,
        f"{VENDOR}:submissionDeadline": c.deadline.isoformat(),
        "created": stamp(c.created_at),
        "modified": stamp(_latest(c, treatment.decision, None)),
    }
    if on_agenda(treatment, today):
        result["agendaItem"] = urls.agenda_item(c.meeting_id, c)
    return result


def published_file(attachment: AttachmentRow, row: PaperRow, today: dt.date) -> bool:
    """Only an attachment with an address can be a File (OParl needs an accessUrl): a web address,
    or an uploaded bilag once the case is on a published agenda (its public address answers from
    then: sagsgang.cases.public_attachments). The caller leaves out closed items."""
    if attachment.file.startswith(("https://", "http://")):
        return True
    return stored_name(attachment.file) is not None and any(on_agenda(t, today) for t in row.treatments)


def file(urls: Urls, case: CaseRow, attachment: AttachmentRow, modified: dt.datetime) -> dict:
    address = urls.public_file(attachment.file)
    result: dict[str, object] = {
        "id": urls.file(case.id, attachment.number),
        "type": schema_type("File"),
        "name": attachment.title,
        "fileName": address.rstrip("/").rsplit("/", 1)[-1],
        "accessUrl": address,
        "paper": [urls.paper(case.id)],
        "created": stamp(case.created_at),
        "modified": stamp(modified),
    }
    name = stored_name(attachment.file)
    described = describe(urls.home, name) if name and urls.home is not None else None
    if described is not None:
        result |= {
            "downloadUrl": address,
            "mimeType": described.media_type,
            "size": described.size,
            "sha512Checksum": described.sha512,
        }
    return result


def _latest(consultation: Step, decision: Verdict | None, case: CaseRow | None) -> dt.datetime:
    stamps = [consultation.created_at]
    if decision is not None:
        stamps.append(decision.created_at)
    if case is not None:
        stamps.append(case.updated_at)
    return max(stamps)
