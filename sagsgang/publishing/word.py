"""Agendas and minutes as Word documents (.docx, python-docx), laid out from the same
sagsgang.publishing.agenda.Document as the HTML, Markdown and PDF: what is in the Document is
in the Word file, and a public Document has no closed item's text to lay out.

Headings use Word's built-in styles (Title, Heading 1–2), so the navigation pane and a table of
contents work; the footer carries "Side N af M" as Word fields, which Word fills in.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from docx import Document as new_docx
from docx.document import Document as WordDocument
from docx.shared import Pt

from calendars.planner import Plan
from sagsgang.publishing import timeline
from sagsgang.publishing.agenda import LATE_LABEL, Document, Item
from sagsgang.rendering import blocks

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# The styles these documents use; new_word() drops python-docx's other ~150 template styles,
# because every styled paragraph makes python-docx scan all of them (15 items took ~1 s).
_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "Intense Quote", "Table Grid")


def new_word() -> WordDocument:
    word = new_docx()
    keep = set()
    for name in _STYLES:
        style = word.styles[name]
        while style is not None and style.name not in keep:  # and what it is based on
            keep.add(style.name)
            style = style.base_style
    keep |= {f"{name} Char" for name in keep} | {"Default Paragraph Font", "Normal Table", "No List"}
    for style in list(word.styles):
        if style.name not in keep:
            style.delete()
    return word


def render_docx(document: Document) -> bytes:
    word = new_word()
    word.core_properties.title = document.title
    word.core_properties.language = "da-DK"
    word.styles["Normal"].font.size = Pt(11)
    _page_numbers(word)
    word.add_heading(document.title, level=0)
    word.add_paragraph().add_run(document.municipality).bold = True
    if not document.public:
        closed = any(item.closed for item in document.items)
        note = "Intern udgave" + (": indeholder lukkede punkter og må ikke offentliggøres" if closed else "")
        word.add_paragraph().add_run(note).italic = True
    word.add_paragraph(f"Mødedato: {document.when}")
    if document.place:
        word.add_paragraph(f"Mødested: {document.place}")
    for notice in document.notices:
        word.add_paragraph(notice, style="Intense Quote")
    word.add_heading("Indholdsfortegnelse", level=1)
    for item in document.items:
        word.add_paragraph(f"{item.number}. {item.title}")
    for item in document.items:
        _item(word, item)
    out = io.BytesIO()
    word.save(out)
    return _fields(out.getvalue())


def render_timetable_docx(plan: Plan, municipality: str) -> bytes:
    """The kommissorium's timetable: "Dato | Aktivitet" with Senest and Luft, the days off and
    recesses that fell inside the plan below it (sagsgang.publishing.timeline's rows)."""
    word = new_word()
    word.core_properties.title = f"Tidsplan – {plan.route.name}"
    word.core_properties.language = "da-DK"
    _page_numbers(word)
    word.add_heading(f"Tidsplan – {plan.route.name}", level=0)
    word.add_paragraph().add_run(municipality).bold = True
    if plan.note:
        word.add_paragraph(plan.note)
    _table(word, timeline.HEADERS, timeline.text_rows(plan))
    if lines := timeline.constraints(plan):
        word.add_heading("Helligdage, lukkedage og ferier i perioden", level=2)
        for line in lines:
            word.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    word.save(out)
    return _fields(out.getvalue())


def render_case_docx(item: Item, municipality: str) -> bytes:
    """One case's texts as its agenda item prints them (sagsgang.publishing.agenda.case_item)."""
    word = new_word()
    word.core_properties.title = item.title
    word.core_properties.language = "da-DK"
    word.styles["Normal"].font.size = Pt(11)
    _page_numbers(word)
    word.add_heading(item.title, level=0)
    word.add_paragraph().add_run(municipality).bold = True
    _item_body(word, item)
    out = io.BytesIO()
    word.save(out)
    return _fields(out.getvalue())


def render_table_docx(title: str, municipality: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """A titled table, e.g. a case's timetable as its page shows it."""
    word = new_word()
    word.core_properties.title = title
    word.core_properties.language = "da-DK"
    _page_numbers(word)
    word.add_heading(title, level=0)
    word.add_paragraph().add_run(municipality).bold = True
    _table(word, headers, rows)
    out = io.BytesIO()
    word.save(out)
    return _fields(out.getvalue())


def _table(word: WordDocument, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def _item(word: WordDocument, item: Item) -> None:
    word.add_heading(item.heading, level=1)
    if item.redacted:
        return
    _item_body(word, item)


def _item_body(word: WordDocument, item: Item) -> None:
    facts = [item.journal_number, item.kind.capitalize(), "Lukket punkt" if item.closed else ""]
    if any(facts):
        word.add_paragraph(" · ".join(fact for fact in facts if fact))
    if item.late:
        late = word.add_paragraph()
        late.add_run(f"{LATE_LABEL}. ").bold = True
        late.add_run(item.late)
    if item.slot:
        word.add_paragraph(item.slot)
    for section in item.sections:
        word.add_heading(section.heading, level=2)
        _text(word, section.text)
    if item.points:
        word.add_heading("Indstilling", level=2)
        word.add_paragraph(f"{item.recommender or 'Administrationen'} indstiller,")
        for number, point in enumerate(item.points, start=1):
            word.add_paragraph(f"{number}. {point}")
    if item.history:
        word.add_heading("Historik", level=2)
        for line in item.history:
            word.add_paragraph().add_run(line.heading).italic = True
            _text(word, line.text)
    if item.decision is not None:
        word.add_heading("Beslutning", level=2)
        _text(word, item.decision)
    if item.attachments:
        word.add_heading("Bilag", level=2)
        for number, attachment in enumerate(item.attachments, start=1):
            suffix = f" ({attachment.file})" if attachment.file else ""
            word.add_paragraph(f"{number}. {attachment.title}{suffix}")


def _text(word: WordDocument, text: str) -> None:
    """A case text's paragraphs and bullet lists (sagsgang.rendering.blocks, as the templates)."""
    for block in blocks(text):
        if block.bullets:
            for line in block.lines:
                word.add_paragraph(line, style="List Bullet")
        else:
            paragraph = word.add_paragraph()
            for n, line in enumerate(block.lines):
                run = paragraph.add_run(line)
                if n < len(block.lines) - 1:
                    run.add_break()


def _page_numbers(word: WordDocument) -> None:
    """'Side N af M' in every page's footer; _fields turns the markers into Word fields."""
    paragraph = word.sections[0].footer.paragraphs[0]
    for text in ("Side ", _MARK.format("PAGE"), " af ", _MARK.format("NUMPAGES")):
        paragraph.add_run(text)


_MARK = "\u00abfield:{}\u00bb"  # «field:PAGE»
_MARKED_RUN = re.compile(r"<w:r>(?:(?!</w:r>).)*?<w:t[^>]*>\u00abfield:([A-Z]+)\u00bb</w:t></w:r>", re.DOTALL)


def _fields(data: bytes) -> bytes:
    """The saved file with each marker run in the footers replaced by a simple field
    (ECMA-376 § 17.16.19, w:fldSimple): python-docx has no API for fields, and this edits the
    file format rather than the library's objects."""
    source, out = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for entry in zin.infolist():
            content = zin.read(entry.filename)
            if entry.filename.startswith("word/footer"):
                xml = content.decode("utf-8")
                xml = _MARKED_RUN.sub(r'<w:fldSimple w:instr=" \1 "><w:r><w:t>1</w:t></w:r></w:fldSimple>', xml)
                content = xml.encode("utf-8")
            zout.writestr(entry, content)
    return out.getvalue()
