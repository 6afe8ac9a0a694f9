"""The preview in Danish, the same for the CLI and the web page."""

from __future__ import annotations

from calendars.danish import long_date
from sagsgang.danish_words import count
from sagsgang.meetingplans.comparison import Change, ChangeKind, Preview

HEADINGS = {
    ChangeKind.NEW: "Nye møder",
    ChangeKind.MOVED: "Flyttede møder",
    ChangeKind.CHANGED: "Ændrede møder",
    ChangeKind.CANCELLED: "Aflyste møder",
}


def describe(change: Change) -> str:
    """One line: 'Byrådet: torsdag 27. maj 2027 → onsdag 26. maj 2027 kl. 18:00 (række 3), 2 sager'."""
    when = f"{long_date(change.day)} kl. {change.time:%H:%M}"
    if change.kind is ChangeKind.MOVED and change.old_day is not None:
        when = f"{long_date(change.old_day)} → {when}"
    elif change.kind is ChangeKind.CANCELLED:
        when = long_date(change.day)
    elif change.kind is ChangeKind.CHANGED and change.old_time not in (None, change.time):
        when += f" (før kl. {change.old_time:%H:%M})"
    text = f"{change.body_name}: {when}"
    if change.kind is not ChangeKind.CANCELLED and change.place:
        text += f", {change.place}"
    if change.row is not None:
        text += f" (række {change.row})"
    if change.kind in (ChangeKind.MOVED, ChangeKind.CANCELLED) and change.cases:
        text += f" — {count(len(change.cases), 'sag')} planlægges igen"
    return text


def sections(preview: Preview) -> list[tuple[str, list[str]]]:
    """(heading with count, lines) for each kind of change the import makes."""
    result = []
    for kind, heading in HEADINGS.items():
        lines = [describe(change) for change in preview.of_kind(kind)]
        if lines:
            result.append((f"{heading} ({len(lines)})", lines))
    return result


def summary(preview: Preview) -> str:
    """'Møder: 2 nye, 1 flyttede, 0 ændrede, 1 aflyste, 5 uændrede.'"""
    counts = [f"{len(preview.of_kind(kind))} {HEADINGS[kind].split()[0].lower()}" for kind in HEADINGS]
    return f"Møder: {', '.join(counts)}, {preview.unchanged} uændrede."
