"""Tables for Excel: timetables (sagsgang.publishing.timeline's rows) and case lists as .xlsx
(openpyxl: dates as real dates, Danish headers, the header row frozen) and .csv as Danish Excel
opens it (semicolon-separated, UTF-8 with a byte order mark, dates as dd-mm-åååå).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from calendars.planner import Plan
from sagsgang.publishing import timeline

Cell = str | int | dt.date | None
DATE_FORMAT = "dd-mm-yyyy"  # Excel's number format; Danish Excel shows it as 10-04-2024


@dataclass(frozen=True)
class Sheet:
    title: str  # the worksheet's name (at most 31 characters in Excel)
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()  # lines below the table: holidays, recesses


def timetable_sheet(plan: Plan, municipality: str) -> Sheet:
    """The kommissorium's "Dato | Aktivitet" table with Senest and Luft, days off below it."""
    return Sheet(
        "Tidsplan",
        ("Dato", "Aktivitet", "Senest", "Luft (arbejdsdage)"),
        tuple((row.day, row.activity, row.latest, row.slack) for row in timeline.rows(plan)),
        (f"{municipality}: {plan.route.name}", *timeline.constraints(plan)),
    )


def case_list_sheet(cases: Sequence) -> Sheet:
    """Open cases as the Sager page lists them (sagsgang.cases.caseview.Listed), most urgent
    first. A closed item is listed (the secretariat's own list) and marked as such."""
    return Sheet(
        "Sager",
        ("Journalnummer", "Titel", "Sagsbehandler", "Afdeling", "Status", "Næste frist", "Næste organ", "Lukket punkt"),
        tuple(
            (
                case.journal_number,
                case.title,
                case.owner_name,
                case.department,
                str(case.standing.health),
                case.standing.next_deadline,
                case.standing.next_body,
                "ja" if case.closed_item else "",
            )
            for case in cases
        ),
    )


CASE_TIMETABLE_HEADERS = ("Status", "Organ", "Sagsfrist", "Møde", "Senest", "Luft (arbejdsdage)", "Beslutning")
_PHASES = {"DONE": "Behandlet", "NEXT": "Næste", "LATER": "Senere"}


def case_timetable_sheet(entries: Sequence, title: str) -> Sheet:
    """A case's timetable as its page shows it (sagsgang.cases.caseview.Entry): done, next, later."""
    return Sheet(
        "Tidsplan",
        CASE_TIMETABLE_HEADERS,
        tuple(
            (
                _PHASES[e.phase.name],
                e.body_name + (f" ({e.round}. behandling)" if e.round > 1 else ""),
                e.deadline,
                e.meeting_day,
                None if e.phase.name == "DONE" else e.latest_meeting_day,
                None if e.phase.name == "DONE" else e.slack_working_days,
                f"{e.outcome}: {e.decision_text}" if e.outcome else "",
            )
            for e in entries
        ),
        (title,),
    )


def text_rows(sheet: Sheet) -> list[tuple[str, ...]]:
    """The sheet's rows as the CSV writes them (dates as dd-mm-åååå)."""
    return [tuple(_text(cell) for cell in row) for row in sheet.rows]


def to_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet.title[:31]
    ws.append(list(sheet.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append(list(row))
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    for index, header in enumerate(sheet.headers, start=1):
        values = [header, *(_text(row[index - 1]) for row in sheet.rows)]
        ws.column_dimensions[ws.cell(1, index).column_letter].width = min(60, max(len(v) for v in values) + 2)
    if sheet.notes:
        ws.append([])
        for note in sheet.notes:
            ws.append([note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(sheet.headers)
    writer.writerows(text_rows(sheet))
    if sheet.notes:
        writer.writerow([])
        writer.writerows([note] for note in sheet.notes)
    return out.getvalue().encode("utf-8-sig")


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.strftime("%d-%m-%Y")
    return str(cell)
