"""Sign-in throttling per account and per client, in the rate limiter's storage (Redis if set).

A moving window, not a lockout: failures older than the window stop counting, so an attacker
can hold an account back for at most the window after their last burst, never for good.
"""

from __future__ import annotations

import hashlib

from limits import parse

from webapp.extensions import limiter

ACCOUNT_FAILURES = parse("10/15 minutes")
CLIENT_FAILURES = parse("30/15 minutes")


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def sign_in_held(email: str, client: str) -> bool:
    """True while this account or this client has used up its failures."""
    strategy = limiter.limiter
    return not (
        strategy.test(ACCOUNT_FAILURES, "signin-account", _account_key(email))
        and strategy.test(CLIENT_FAILURES, "signin-client", client)
    )


def count_failure(email: str, client: str) -> None:
    strategy = limiter.limiter
    strategy.hit(ACCOUNT_FAILURES, "signin-account", _account_key(email))
    strategy.hit(CLIENT_FAILURES, "signin-client", client)
