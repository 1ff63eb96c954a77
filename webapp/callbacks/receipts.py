"""The callback form's ticket and the survivor's receipt code.

The form carries a signed ticket, made when the form was shown: its random part is the
request's idempotency key, so a double tap, a retry or a replayed form makes one request, and a
ticket this server did not sign (or older than TICKET_HOURS) makes none. The receipt code is
derived from the ticket with a server key, so the same submission shows the same code again
(the first answer may never have arrived), while only a keyed hash of it is stored.
"""

from __future__ import annotations

import hashlib
import hmac

from webapp.callbacks.errors import BadTicket
from webapp.crypto import derive_key
from webapp.tickets import Tickets

TICKET_HOURS = 6
# Letters and digits nobody confuses when reading them back (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECEIPT_LENGTH = 12  # about 59 bits


TICKETS = Tickets("haven callback ticket", TICKET_HOURS)


def new_ticket(secret_key: str) -> str:
    return TICKETS.new(secret_key)


def ticket_key(secret_key: str, ticket: str) -> str:
    """The idempotency key a genuine, recent ticket carries; BadTicket otherwise."""
    key = TICKETS.key(secret_key, ticket)
    if key is None:
        raise BadTicket()
    return key


def receipt_for(secret_key: str, key: str) -> str:
    """The receipt code of the request made with this key, like `k7pq-3mzx-h2ab`."""
    digest = hmac.new(derive_key(secret_key, "haven callback receipt"), key.encode(), "sha256")
    number = int.from_bytes(digest.digest(), "big")
    letters = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    code = "".join(letters)
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_hash(secret_key: str, receipt: str) -> str:
    """What is stored of a receipt code (typed in any case, with or without dashes)."""
    normalised = "".join(receipt.lower().split()).replace("-", "")
    key = derive_key(secret_key, "haven callback receipt hash")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
