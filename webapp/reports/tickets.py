"""The report form's ticket: the same form sent twice (double tap, retry) makes one report.

Made when the form is shown and signed, so a forged or stale ticket makes nothing. What is
stored is a keyed hash of its random part, never the ticket the page held.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.crypto import derive_key
from webapp.reports.errors import BadTicket

TICKET_HOURS = 6


def _tickets(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(derive_key(secret_key, "haven report ticket").hex(), "form")


def new_ticket(secret_key: str) -> str:
    return _tickets(secret_key).dumps(secrets.token_hex(16))


def form_key(secret_key: str, ticket: str) -> str:
    """The stored idempotency key of a genuine, recent ticket; BadTicket otherwise."""
    try:
        key = _tickets(secret_key).loads(ticket, max_age=TICKET_HOURS * 3600)
    except BadSignature:
        raise BadTicket() from None
    if not isinstance(key, str) or len(key) != 32:
        raise BadTicket()
    secret = derive_key(secret_key, "haven report form key")
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()
