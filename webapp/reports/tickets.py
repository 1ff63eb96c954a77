"""The report form's ticket: the same form sent twice (double tap, retry) makes one report.

Made when the form is shown and signed, so a forged or stale ticket makes nothing. What is
stored is a keyed hash of its random part, never the ticket the page held.
"""

from __future__ import annotations

import hashlib
import hmac

from webapp.crypto import derive_key
from webapp.reports.errors import BadTicket
from webapp.tickets import Tickets

TICKETS = Tickets("haven report ticket", hours=6)


def new_ticket(secret_key: str) -> str:
    return TICKETS.new(secret_key)


def form_key(secret_key: str, ticket: str) -> str:
    """The stored idempotency key of a genuine, recent ticket; BadTicket otherwise."""
    key = TICKETS.key(secret_key, ticket)
    if key is None:
        raise BadTicket()
    secret = derive_key(secret_key, "haven report form key")
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()
