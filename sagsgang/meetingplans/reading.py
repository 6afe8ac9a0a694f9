"""Read a meeting plan from a file: .xlsx (openpyxl), .csv (semicolon or comma, UTF-8 with or
without BOM, as Danish Excel writes it) or .ics (icalendar), into rows of body, date, time and place.

Pure: bytes and a profile in, values out. Every bad row is collected with its number (the row
number Excel shows, or the event's number in the calendar file), so the user can fix them all at
once; PlanFileError carries them and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pendulum.locales.locale import Locale

from calendars.danish import TIMEZONE, DateFormatError, parse_date, parse_time
from calendars.profiles import Profile
from calendars.workdays import CalendarRangeError, within_range

SUFFIXES = (".xlsx", ".csv", ".ics")
MAX_ROWS = 5_000  # a weekly body's plan over a whole council term is ~200 rows
# Danish column headers, as secretariats write them (lower-cased, without punctuation).
_HEADERS = {
    "dato": "day",
    "mødedato": "day",
    "tid": "time",
    "kl": "time",
    "klokkeslæt": "time",
    "tidspunkt": "time",
    "starttid": "time",
    "sted": "place",
    "mødested": "place",
    "lokale": "place",
    "organ": "body",
    "udvalg": "body",
    "møde": "body",
}
_MONTHS = {name: number for number, name in Locale.load("da").get("translations.months.wide").items()}
_LONG_DATE = re.compile(r"^(?:[a-zæøå]+\s+)?(?:den\s+)?(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})$")


@dataclass(frozen=True)
class PlanRow:
    """One meeting of the adopted plan, as the file gives it."""

    row: int  # the row number in the sheet (header = 1), or the event's number in an .ics file
    body: str  # the body's key in the profile
    day: dt.date
    time: dt.time
    place: str


@dataclass(frozen=True)
class RowProblem:
    row: int  # 0: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Række {self.row}: {self.message}" if self.row else self.message


class _BadRow(ValueError):
    """One row's problem, in Danish."""


class PlanFileError(ValueError):
    """The file cannot be imported; `problems` says where and why (Danish)."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


def read_plan(filename: str, data: bytes, profile: Profile, body: str | None = None) -> list[PlanRow]:
    """The meetings in the file, sorted by day; only `body`'s when given. PlanFileError otherwise."""
    if body is not None and body not in profile.bodies:
        raise PlanFileError(
            [RowProblem(0, f"Organet '{body}' findes ikke i {profile.name}. Vælg et af: {', '.join(profile.bodies)}.")]
        )
    suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
    if suffix == ".ics":
        records = _ics_records(data)
    elif suffix == ".xlsx":
        records = _table_records(_xlsx_cells(data))
    elif suffix == ".csv":
        records = _table_records(_csv_cells(data))
    else:
        raise PlanFileError(
            [RowProblem(0, f"'{filename}' er hverken .xlsx, .csv eller .ics. Gem mødeplanen i et af de formater.")]
        )
    if len(records) > MAX_ROWS:
        raise PlanFileError(
            [RowProblem(0, f"Filen har {len(records)} møder; højst {MAX_ROWS} kan indlæses ad gangen. Del den op.")]
        )
    rows, problems = _rows(records, profile, body)
    if problems:
        raise PlanFileError(problems)
    if not rows:
        raise PlanFileError([RowProblem(0, "Filen indeholder ingen møder.")])
    return sorted(rows, key=lambda r: (r.day, r.body))


# A record: (row number, {field: cell value}) before checking; cells are str, date, time or None.
Record = tuple[int, dict[str, object]]


def _rows(records: Iterable[Record], profile: Profile, only: str | None) -> tuple[list[PlanRow], list[RowProblem]]:
    rows: list[PlanRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for number, cells in records:
        try:
            body = _body(cells.get("body") or _known_body(cells.get("hint"), profile), profile, only)
            if body is None:  # another body's row, and only one body is imported
                continue
            day = within_range(_day(cells.get("day")))
            time = _time(cells.get("time")) or profile.bodies[body].time
        except (DateFormatError, CalendarRangeError, _BadRow) as error:
            problems.append(RowProblem(number, str(error)))
            continue
        place = str(cells.get("place") or "").strip() or profile.bodies[body].place
        if (body, day) in seen:
            problems.append(
                RowProblem(
                    number, f"{profile.bodies[body].name} har allerede et møde den dag (række {seen[body, day]})."
                )
            )
            continue
        seen[body, day] = number
        rows.append(PlanRow(number, body, day, time, place))
    return rows, problems


def _body(value: object, profile: Profile, only: str | None) -> str | None:
    text = str(value or "").strip()
    if not text:
        if only is None:
            raise _BadRow("Organet mangler. Tilføj kolonnen Organ, eller vælg organet (--organ) for hele filen.")
        return only
    wanted = text.casefold()
    for key, body in profile.bodies.items():
        if wanted in (key.casefold(), body.name.casefold()):
            return key if only in (None, key) else None
    raise _BadRow(f"Organet '{text}' findes ikke i {profile.name}. Brug et af: {', '.join(profile.bodies)}.")


def _known_body(value: object, profile: Profile) -> str:
    """An .ics event's summary when it names a body ("Byrådet"), else nothing."""
    wanted = str(value or "").strip().casefold()
    return next((k for k, b in profile.bodies.items() if wanted in (k.casefold(), b.name.casefold())), "")


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise DateFormatError("Datoen mangler.")
    if match := _LONG_DATE.match(text.casefold()):
        day, month, year = match.groups()
        if month in _MONTHS:
            try:
                return dt.date(int(year), _MONTHS[month], int(day))
            except ValueError:
                raise DateFormatError(f"'{text}' findes ikke i kalenderen.") from None
    if re.fullmatch(r"[\d./-]+", text):  # a numeric form: parse_date says what is wrong with it
        return parse_date(text)
    raise DateFormatError(
        f"'{text}' er ikke en dato, vi kan læse. Skriv den som dd-mm-åååå (24-06-2027), "
        "d.m.åååå (24.6.2027), '24. juni 2027' eller åååå-mm-dd."
    )


def _time(value: object) -> dt.time | None:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip()
    if not text:
        return None
    start = re.split(r"\s*[-–]\s*", text)[0]  # "16.00-18.00": the meeting starts at 16
    if re.fullmatch(r"(?:kl\.?\s*)?\d{1,2}", start):
        start += ":00"
    return parse_time(start)


# --- tables: .xlsx and .csv --------------------------------------------------------------------


def _header(text: object) -> str:
    cleaned = unicodedata.normalize("NFC", str(text or "")).strip().casefold().rstrip(".:")
    return _HEADERS.get(cleaned, "")


def _table_records(lines: Iterable[Sequence[object]]) -> list[Record]:
    records: list[Record] = []
    columns: list[str] | None = None
    for number, cells in enumerate(lines, start=1):
        if not any(str(c or "").strip() for c in cells):
            continue
        if columns is None:
            columns = [_header(c) for c in cells]
            if "day" not in columns:
                raise PlanFileError(
                    [
                        RowProblem(
                            number,
                            "Kolonnen Dato mangler. Første række skal være overskrifter: Dato, Tid, Sted (og Organ).",
                        )
                    ]
                )
            continue
        records.append((number, {name: cell for name, cell in zip(columns, cells, strict=False) if name}))
    if columns is None:
        raise PlanFileError([RowProblem(0, "Filen er tom.")])
    return records


def _csv_cells(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError(
            [RowProblem(0, "Filen er ikke UTF-8. Gem den i Excel som 'CSV UTF-8 (kommasepareret)'.")]
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_cells(data: bytes) -> list[tuple[object, ...]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise PlanFileError([RowProblem(0, "Filen kan ikke åbnes som et Excel-ark (.xlsx).")]) from None
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- calendars: .ics -------------------------------------------------------------------------


def _ics_records(data: bytes) -> list[Record]:
    import icalendar
    from icalendar.enums import STATUS

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        raise PlanFileError([RowProblem(0, "Filen kan ikke læses som en kalender (.ics).")]) from None
    records: list[Record] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        if str(event.get("STATUS", "")).upper() == STATUS.CANCELLED:
            continue  # not in the plan: the comparison shows it as cancelled
        start = event.decoded("DTSTART") if "DTSTART" in event else None
        time: object = None
        if isinstance(start, dt.datetime):
            if start.tzinfo is not None:
                start = start.astimezone(ZoneInfo(TIMEZONE))
            time = start.time()
        categories = event.get("CATEGORIES")
        names = [str(c) for c in categories.cats] if categories is not None and hasattr(categories, "cats") else []
        cells = {"day": start, "time": time, "place": str(event.get("LOCATION", "")), "hint": event.get("SUMMARY")}
        records.append((number, {**cells, "body": names[0] if names else ""}))
    return records
