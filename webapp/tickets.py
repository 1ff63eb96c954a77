"""Signed form tickets: made when a form is shown, carried back with it, and turned into the
idempotency key of what the form makes, so a form sent twice (double tap, retry) makes one thing
and a forged or stale ticket makes nothing."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.crypto import derive_key


class Tickets:
    """The tickets of one kind of form; `purpose` keeps each kind's keys apart."""

    def __init__(self, purpose: str, hours: int = 6):
        self.purpose, self.seconds = purpose, hours * 3600

    def _signer(self, secret_key: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(derive_key(secret_key, self.purpose).hex(), "form")

    def new(self, secret_key: str) -> str:
        return self._signer(secret_key).dumps(secrets.token_hex(16))

    def key(self, secret_key: str, ticket: str) -> str | None:
        """The random key a genuine ticket younger than its hours carries; None otherwise."""
        try:
            key = self._signer(secret_key).loads(ticket, max_age=self.seconds)
        except BadSignature:
            return None
        return key if isinstance(key, str) and len(key) == 32 else None
