"""Sign-in throttling per account and per client, in the rate limiter's storage (Redis if set).

A moving window, not a lockout: failures older than the window stop counting. And a browser
that has signed in to an account before (it holds that account's device cookie) has a bucket of
its own, so an attacker who keeps an account's bucket full cannot keep its owner out.
"""

from __future__ import annotations

import hashlib

from limits import parse

from webapp.extensions import limiter

ACCOUNT_FAILURES = parse("10/15 minutes")
CLIENT_FAILURES = parse("30/15 minutes")
# Invitation links that lead nowhere (unknown, used, withdrawn, expired), per client.
INVITATION_FAILURES = parse("10/15 minutes")


def _buckets(email: str, client: str, device: str | None) -> list[tuple]:
    if device:
        account = ("signin-device", hashlib.sha256(device.encode()).hexdigest()[:24])
    else:
        account = ("signin-account", hashlib.sha256(email.encode()).hexdigest()[:24])
    return [(ACCOUNT_FAILURES, *account), (CLIENT_FAILURES, "signin-client", client)]


def sign_in_held(email: str, client: str, device: str | None = None) -> bool:
    """True while this account (or trusted device) or this client has used up its failures."""
    return not all(
        limiter.limiter.test(item, *keys) for item, *keys in _buckets(email, client, device)
    )


def count_failure(email: str, client: str, device: str | None = None) -> None:
    for item, *keys in _buckets(email, client, device):
        limiter.limiter.hit(item, *keys)


def invitation_held(client: str) -> bool:
    """True while this client has opened too many links that lead nowhere: then every link,
    a good one too, gets the same refusal until the window passes."""
    return not limiter.limiter.test(INVITATION_FAILURES, "invitation-client", client)


def count_invitation_failure(client: str) -> None:
    limiter.limiter.hit(INVITATION_FAILURES, "invitation-client", client)
