"""Directory text that may hold a few HTML tags (portal descriptions), shown safely.

The portal stores rich text already cleaned to RICH_TAGS (no attributes, no links); it is
cleaned again whenever shown, so a value written by any other path (an import, an old row)
cannot carry markup of its own onto a page. Plain text keeps its line breaks.
"""

from __future__ import annotations

import html
import re

import nh3
from flask import Flask
from markupsafe import Markup, escape

RICH_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li"})
HAS_TAGS = re.compile(r"<\s*/?\s*(?:p|br|strong|em|ul|ol|li)\b", re.IGNORECASE)


def clean(value: str) -> str:
    """HTML with only RICH_TAGS left: no attributes, comments, scripts or styles."""
    return nh3.clean(value, tags=set(RICH_TAGS), attributes={}, strip_comments=True).strip()


def to_html(value: object) -> Markup:
    """Markup to put in a page: cleaned rich text, or plain text with its line breaks."""
    text = str(value or "")
    if HAS_TAGS.search(text):
        return Markup(clean(text))  # noqa: S704 (cleaned to RICH_TAGS just now)
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


def to_plain(value: object) -> str:
    """The words only (for a short extract, a search document)."""
    text = str(value or "")
    if not HAS_TAGS.search(text):
        return text
    spaced = re.sub(r"<\s*(?:br|/p|/li)\b[^>]*>", " ", text, flags=re.IGNORECASE)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def register(app: Flask) -> None:
    app.jinja_env.filters.update(rich=to_html, plain=to_plain)
