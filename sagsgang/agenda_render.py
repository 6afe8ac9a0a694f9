"""Agendas and minutes on paper and screen: HTML with print-friendly CSS, Markdown, and PDF.

The document is built in sagsgang.agenda; templates/agenda.html.j2 and agenda.md.j2 lay it out.
HTML is autoescaped, so a title such as "Vej & park <script>" prints as typed. Case texts are
plain text: blank lines separate paragraphs and lines starting with "- " are bullet points.
PDF goes through WeasyPrint (HTML + CSS to PDF), which needs Pango from the system's packages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from calendars.danish import long_date, short_date
from sagsgang.agenda import Document

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = ("html", "md", "pdf")

_BULLET = re.compile(r"^\s*[-•*]\s+")
_URL = re.compile(r"<(https?://[^\s<>]+)>|(https?://[^\s<>]+)")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing; the message says what to install."""


@dataclass(frozen=True)
class Block:
    bullets: bool  # a bullet list, else a paragraph
    lines: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Paragraphs (separated by blank lines) and bullet lists ("- " lines) of a case text."""
    result: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        paragraph: list[str] = []
        bullets: list[str] = []
        for line in chunk.splitlines():
            if _BULLET.match(line):
                if paragraph:
                    result.append(Block(False, tuple(paragraph)))
                    paragraph = []
                bullets.append(_BULLET.sub("", line).strip())
            elif bullets and line.startswith((" ", "\t")):  # a bullet's text running on
                bullets[-1] += " " + line.strip()
            else:
                if bullets:
                    result.append(Block(True, tuple(bullets)))
                    bullets = []
                if line.strip():
                    paragraph.append(line.strip())
        if paragraph:
            result.append(Block(False, tuple(paragraph)))
        if bullets:
            result.append(Block(True, tuple(bullets)))
    return result


def linkify(text: str) -> Markup:
    """Escaped text with web addresses made into links (Lovgrundlag often is one)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        if match.group(1):  # <https://…>, as in Markdown
            url, end = match.group(1), match.end()
        else:  # a bare address: a full stop or comma after it ends the sentence, not the address
            url = match.group(2).rstrip(".,;:!?)")
            end = match.start() + len(url)
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def markdown_text(text: str) -> str:
    """Text for Markdown: '<' would start raw HTML in most renderers, an '&x;' an entity."""
    return re.sub(r"<(?!https?://[^\s<>]+>)", "&lt;", re.sub(r"&(?=#?\w+;)", "&amp;", text))


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined, autoescape=autoescape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    environment.filters.update(long_date=long_date, short_date=short_date, blocks=blocks, linkify=linkify,
                               md=markdown_text)
    return environment


@cache
def _html() -> jinja2.Environment:
    return _environment(autoescape=True)


@cache
def _markdown() -> jinja2.Environment:
    return _environment(autoescape=False)


def render_html(document: Document) -> str:
    css = (TEMPLATES / "agenda.css").read_text(encoding="utf-8")
    return _html().get_template("agenda.html.j2").render(doc=document, css=Markup(css))


def render_markdown(document: Document) -> str:
    text = _markdown().get_template("agenda.md.j2").render(doc=document)
    return re.sub(r"\n{3,}", "\n\n", text)  # the template's blank lines, at most one in a row


def render_pdf(document: Document) -> bytes:
    try:
        import weasyprint
    except ImportError as error:
        raise PdfUnavailable(
            "PDF kræver pakken WeasyPrint (pip install weasyprint) og systemets Pango-biblioteker "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). Vælg --format html eller md, eller "
            f"installér dem. ({error})") from None
    except OSError as error:  # the Python package is there, the system libraries are not
        raise PdfUnavailable(
            "PDF kræver systemets Pango-biblioteker: apt-get install libpango-1.0-0 libpangoft2-1.0-0. "
            f"Vælg --format html eller md i mellemtiden. ({error})") from None
    return weasyprint.HTML(string=render_html(document)).write_pdf()


def render(document: Document, fmt: str) -> str | bytes:
    if fmt == "html":
        return render_html(document)
    if fmt == "md":
        return render_markdown(document)
    if fmt == "pdf":
        return render_pdf(document)
    raise ValueError(f"Ukendt format '{fmt}'. Vælg et af: {', '.join(FORMATS)}.")
