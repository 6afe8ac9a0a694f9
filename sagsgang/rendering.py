"""Templates, once: the one jinja2 Environment over templates/ (package data, so the wheel works as
well as the checkout) and the filters the templates share.

HTML templates (web/*, *.html.j2) are autoescaped; text templates (mails, timetables, Markdown)
are not. Every template fails loudly on an undefined name (StrictUndefined).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from calendars.danish import clock_time, long_date, short_date
from sagsgang import danish_words

_BULLET = re.compile(r"^\s*[-•*]\s+")
_URL = re.compile(r"<(https?://[^\s<>]+)>|(https?://[^\s<>]+)")


def template_text(name: str) -> str:
    """A file shipped beside the templates (e.g. agenda.css)."""
    return resources.files("templates").joinpath(name).read_text(encoding="utf-8")


def _autoescape(name: str | None) -> bool:
    return name is not None and (name.startswith("web/") or name.endswith(".html.j2"))


@cache
def environment() -> jinja2.Environment:
    folder = resources.files("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        long_date=long_date,
        short_date=short_date,
        clock_time=clock_time,
        blocks=blocks,
        linkify=linkify,
        md=markdown_text,
        urlencode=lambda value: quote(str(value), safe=""),
        antal=danish_words.count,  # {{ n|antal("sag") }}: "1 sag", "2 sager"
        ord=danish_words.word,  # {{ n|ord("sag") }}: the word alone
    )
    return env


def render(template: str, **values: object) -> str:
    return environment().get_template(template).render(**values)


# --- filters ------------------------------------------------------------------------------------


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
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def markdown_text(text: str) -> str:
    """Text for Markdown: '<' would start raw HTML in most renderers, an '&x;' an entity."""
    return re.sub(r"<(?!https?://[^\s<>]+>)", "&lt;", re.sub(r"&(?=#?\w+;)", "&amp;", text))
