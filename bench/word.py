"""Benchmark: Word minutes of a 15-item meeting (issue 15: under 2 s).

What is measured
    A chefforum meeting with 15 cases (one closed), each with Anledning, a three-paragraph
    Sagsfremstilling with a bullet list, Økonomi, Lovgrundlag, three indstilling points, two
    Historik lines, a decision and three attachments, built as values
    (models.agenda_items.StoredMeeting) and laid out by sagsgang.publishing.agenda.layout, then
    rendered by sagsgang.publishing.word.render_docx: internal and public minutes, best and
    median of REPEATS runs each, beside the HTML rendering of the same Document for scale.

Cross-checks (exit 1 on a mismatch): python-docx opens the file again and finds 17 "Punkt"
headings (15 cases and the two standing items); the public file has no closed item's title.

Run:  .venv/bin/python bench/word.py
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEATS = 7
CLOSED_TITLE = "Personalesag: ansættelse af ny direktør"


def stored_meeting():
    from calendars.meetings import MeetingStatus
    from calendars.profiles import BodyKind
    from models.agenda_items import AttachmentText, CaseText, StoredItem, StoredMeeting, Treatment
    from models.tables import Outcome

    presentation = (
        "Baggrunden for sagen er beskrevet i bilag 1. Administrationen har undersøgt mulighederne "
        "og anbefaler den løsning, der er beskrevet nedenfor.\n\n"
        "- Første del gennemføres i 2027\n- Anden del gennemføres i 2028\n- Evaluering i 2029\n\n"
        "Sagen har været drøftet med de berørte afdelinger, som bakker op om forslaget. " * 2
    )
    items = []
    for n in range(15):
        text = CaseText(
            slot_minutes=20,
            occasion=f"Chefforum skal tage stilling til punkt {n + 1}.",
            presentation=presentation,
            recommender="Kommunaldirektøren",
            points=("at forslaget godkendes", "at administrationen går videre med planen", "at sagen evalueres"),
            economy="Udgifterne afholdes inden for den eksisterende ramme.",
            legal_basis="Kommunestyrelsesloven.",
            attachments=tuple(
                AttachmentText(f"Bilag {k + 1} til punkt {n + 1}", f"bilag/{n}-{k}.pdf") for k in range(3)
            ),
        )
        history = tuple(
            Treatment(body, dt.date(2027, 3, day), Outcome.APPROVED, "")
            for body, day in (("Direktionen", 2), ("Strategisk Chefforum", 9))
        )
        decision = Treatment("Chefforum", dt.date(2027, 4, 14), Outcome.APPROVED, "Chefforum godkendte indstillingen.")
        title = CLOSED_TITLE if n == 14 else f"Helhedsplan for Slagelse Bymidte, delområde {n + 1}"
        items.append(StoredItem(f"27.00.00-G01-{n + 1}-27", title, n == 14, text, history, decision))
    return StoredMeeting(
        "slagelse",
        "chefforum/2027-04-14",
        "chefforum",
        "Chefforum",
        BodyKind.ADMINISTRATIVE,
        dt.date(2027, 4, 14),
        dt.time(9, 0),
        "Mødelokale 1, Rådhuset",
        MeetingStatus.PLANNED,
        dt.date(2027, 3, 17),
        "00.01.00-P35-7-27",
        "Godkendt.",
        "Intet.",
        tuple(items),
    )


def timed(function) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> int:
    import docx

    from sagsgang.publishing.agenda import layout
    from sagsgang.publishing.agenda_render import render_html
    from sagsgang.publishing.word import render_docx

    stored = stored_meeting()
    problems = []
    print(f"{'15-item minutes':24} {'best ms':>8} {'median ms':>10} {'bytes':>8}")
    for public in (False, True):
        document = layout(stored, "Slagelse Kommune", minutes=True, public=public)
        render_docx(document)  # warm: imports and python-docx's template
        for name, render in (("docx", render_docx), ("html", render_html)):
            times, data = timed(lambda render=render, document=document: render(document))
            size = len(data) if isinstance(data, bytes) else len(data.encode())
            label = f"{name} ({'offentlig' if public else 'intern'})"
            print(f"{label:24} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:10.1f} {size:8}")
            if name == "docx":
                assert isinstance(data, bytes)
                read = docx.Document(io.BytesIO(data))
                headings = [p.text for p in read.paragraphs if p.text.startswith("Punkt ")]
                if len(headings) != 17:
                    problems.append(f"{label}: {len(headings)} item headings")
                if public and any(CLOSED_TITLE in p.text for p in read.paragraphs):
                    problems.append(f"{label}: the closed item's title is in the public file")
                if statistics.median(times) >= 2:
                    problems.append(f"{label}: median {statistics.median(times):.2f} s, the target is under 2 s")
    for problem in problems:
        print("MISMATCH:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
