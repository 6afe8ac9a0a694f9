"""Agendas and minutes on paper and screen: HTML with print-friendly CSS, Markdown, PDF, and
Word (sagsgang.publishing.word).

The document is built in sagsgang.publishing.agenda; templates/agenda.html.j2 and agenda.md.j2 lay it out.
HTML is autoescaped, so a title such as "Vej & park <script>" prints as typed. Case texts are
plain text: blank lines separate paragraphs and lines starting with "- " are bullet points.
PDF goes through WeasyPrint (HTML + CSS to PDF), which needs Pango from the system's packages.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from sagsgang import rendering
from sagsgang.publishing.agenda import Document, Item

FORMATS = ("html", "md", "pdf", "docx")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing; the message says what to install."""


def render_html(document: Document) -> str:
    return rendering.render("agenda.html.j2", doc=document, css=Markup(rendering.template_text("agenda.css")))


def render_markdown(document: Document) -> str:
    text = rendering.render("agenda.md.j2", doc=document)
    return re.sub(r"\n{3,}", "\n\n", text)  # the template's blank lines, at most one in a row


def render_case_html(item: Item, municipality: str) -> str:
    """One case's texts as its agenda item prints them (sagsgang.publishing.agenda.case_item)."""
    css = Markup(rendering.template_text("agenda.css"))
    return rendering.render("case_text.html.j2", item=item, municipality=municipality, css=css)


def render_pdf(document: Document) -> bytes:
    return html_to_pdf(render_html(document))


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint
    except ImportError as error:
        raise PdfUnavailable(
            "PDF kræver pakken WeasyPrint (pip install weasyprint) og systemets Pango-biblioteker "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). Vælg --format html eller md, eller "
            f"installér dem. ({error})"
        ) from None
    except OSError as error:  # the Python package is there, the system libraries are not
        raise PdfUnavailable(
            "PDF kræver systemets Pango-biblioteker: apt-get install libpango-1.0-0 libpangoft2-1.0-0. "
            f"Vælg --format html eller md i mellemtiden. ({error})"
        ) from None
    return weasyprint.HTML(string=html).write_pdf()


def render(document: Document, fmt: str) -> str | bytes:
    if fmt == "html":
        return render_html(document)
    if fmt == "md":
        return render_markdown(document)
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "docx":
        from sagsgang.publishing.word import render_docx

        return render_docx(document)
    raise ValueError(f"Ukendt format '{fmt}'. Vælg et af: {', '.join(FORMATS)}.")
