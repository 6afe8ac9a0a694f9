"""The user guide (docs/brugervejledning.md, shipped beside the templates as templates/brugervejledning.md)
as HTML for the web app's Hjælp page. Every heading gets the id GitHub gives it, so a page's help
block and the guide on GitHub link to the same sections."""

from __future__ import annotations

from functools import cache

import markdown
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

from sagsgang.rendering import template_text

GUIDE = "brugervejledning.md"


@cache
def guide_html() -> Markup:
    """The guide as HTML: our own trusted file, read once per process."""
    converter = markdown.Markdown(
        extensions=["tables", "toc", "sane_lists"],
        extension_configs={"toc": {"slugify": slugify_unicode}},
        output_format="html",
    )
    return Markup(converter.convert(template_text(GUIDE)))
