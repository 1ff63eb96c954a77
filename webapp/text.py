"""Text as people type it: digits from any keyboard read as the digits they are."""

from __future__ import annotations

import unicodedata


def ascii_digits(value: object) -> object:
    """`٢٤٦٨` and `２４６８` become `2468` (Arabic keyboards type the first); anything that is not
    text is returned as it came, for the validators to refuse."""
    if not isinstance(value, str):
        return value
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in value
    )
