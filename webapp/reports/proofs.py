"""A small proof of work for the report form, against flooding.

When JavaScript runs, the page looks for a nonce such that SHA-256(ticket ":" nonce) starts
with at least `bits` zero bits, bound to the form's signed ticket (random, made by the server),
so one proof serves one form only and nothing she typed enters it. A form that carries a proof
gets the ordinary per-client limit; one without (no JavaScript, or a wrong proof) a stricter one.
A wrong or garbled proof is simply no proof: never an error that could lose her words.

The browser's side is `pwa/src/static/js/write.js`; `solve` here is the same search, for tests
and benchmarks.
"""

from __future__ import annotations

import hashlib
import re

NONCE = re.compile(r"[0-9a-z]{1,16}")  # a counter written in base 36, as the page writes it
LONGEST_TICKET = 200  # a signed ticket is about 80 characters


def leading_zero_bits(digest: bytes) -> int:
    """How many bits at the start of `digest` are zero."""
    return len(digest) * 8 - int.from_bytes(digest, "big").bit_length()


def _digest(ticket: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{ticket}:{nonce}".encode("ascii")).digest()


def verify(ticket: object, nonce: object, bits: int) -> bool:
    """Whether `nonce` is a proof of `bits` for this ticket; False for anything malformed."""
    if not isinstance(ticket, str) or not isinstance(nonce, str):
        return False
    if not ticket or len(ticket) > LONGEST_TICKET or not ticket.isascii():
        return False
    if not NONCE.fullmatch(nonce):
        return False
    return leading_zero_bits(_digest(ticket, nonce)) >= bits


def solve(ticket: str, bits: int) -> str:
    """The first nonce (counting up from 0, in base 36) that proves `bits` for `ticket`."""
    count = 0
    while leading_zero_bits(_digest(ticket, nonce_for(count))) < bits:
        count += 1
    return nonce_for(count)


def nonce_for(number: int) -> str:
    """The nonce the page tries as its `number`-th: the count in base 36."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
