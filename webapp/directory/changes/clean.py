"""Reading what an editor typed into the value stored, or saying what is wrong with it.

Rich text keeps a few tags (`webapp.richtext.RICH_TAGS`) and nothing else (no links: a disguised
app should not carry her to another site from a description; the service's own address is its
`url`). Addresses are checked to be web addresses; numbers with `phonenumbers`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from webapp import richtext
from webapp.directory import phones
from webapp.directory.changes.fields import Editable, Kind
from webapp.directory.errors import DirectoryError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINE_BREAKS = re.compile(r"\r\n?")
MOST_YEARS = 130


class BadValue(DirectoryError, ValueError):
    """A value the field cannot take. `code` says why (the portal words it); `limit` for
    too_long."""

    def __init__(self, code: str, limit: int = 0):
        super().__init__(code)
        self.code, self.limit = code, limit


def value(field: Editable, raw: str) -> str | int | None:
    """The value to store for what was typed; None for an empty optional field."""
    text = LINE_BREAKS.sub("\n", raw or "").strip()
    if field.kind is Kind.LINE:
        text = " ".join(text.split())
    if not text:
        if field.required:
            raise BadValue("required")
        return None
    if field.limit and len(text) > field.limit:
        raise BadValue("too_long", field.limit)
    return READERS.get(field.kind, _as_is)(field, text)


def _as_is(_field: Editable, text: str) -> str:
    return text


def _rich(_field: Editable, text: str) -> str | None:
    cleaned = richtext.clean(text)
    if not cleaned:
        raise BadValue("empty_after_cleaning")
    return cleaned


def _url(_field: Editable, text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise BadValue("not_url")
    return text


def _email(_field: Editable, text: str) -> str:
    if not EMAIL.match(text):
        raise BadValue("not_email")
    return text


def _phone(_field: Editable, text: str) -> str:
    if re.search(r"[A-Za-z]", text.replace("ext", "").replace("x", "")) or phones.problem(text):
        raise BadValue("not_phone")
    return text


def _whole(field: Editable, text: str) -> int:
    digits = text.replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        raise BadValue("not_number")
    number = int(digits)
    if field.kind is Kind.AGE and number > MOST_YEARS:
        raise BadValue("not_age")
    if number > 100_000:
        raise BadValue("too_big")
    return number


def _choice(field: Editable, text: str) -> str:
    if text not in field.choices:
        raise BadValue("not_choice")
    return text


READERS = {
    Kind.RICH: _rich,
    Kind.URL: _url,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.EXTENSION: _whole,
    Kind.COUNT: _whole,
    Kind.AGE: _whole,
    Kind.CHOICE: _choice,
}
