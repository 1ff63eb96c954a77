"""Enqueue messages in the caller's transaction; deliver due ones with bounded retries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from webapp.messaging.errors import (
    EmptyMessage,
    PermanentSendError,
    TransientSendError,
    UncertainSendError,
    UnsupportedKind,
)
from webapp.messaging.models import OutboxMessage, OutboxStatus
from webapp.messaging.sms import SmsSender

KINDS = ("sms",)
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 8
# A claimed message whose worker died is claimed again after this; a send takes seconds.
CLAIM_LEASE = timedelta(minutes=5)

log = logging.getLogger(__name__)


@dataclass
class DeliveryCounts:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed

    def record(self, status: str) -> None:
        if status == OutboxStatus.SENT:
            self.sent += 1
        elif status == OutboxStatus.FAILED:
            self.failed += 1
        else:
            self.retrying += 1


def enqueue(
    session: Session, *, to: str, body: str, kind: str = "sms", now: datetime
) -> OutboxMessage:
    """Add a message; it exists exactly when the caller's transaction commits."""
    _require_aware(now)
    if kind not in KINDS:
        raise UnsupportedKind(f"no backend sends {kind!r} messages")
    if not to or not body:
        raise EmptyMessage("a message needs a recipient and a body")
    message = OutboxMessage(
        kind=kind,
        recipient=to,
        body=body,
        status=OutboxStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def deliver_due(
    session: Session, sender: SmsSender, *, now: datetime, batch: int = 50
) -> DeliveryCounts:
    """Send up to `batch` due messages, committing each claim and each outcome.

    Unlike domain operations this owns its transactions: a message is committed as `sending`
    before the provider is called, so no lock is held during a network call and a crashed
    worker repeats at most that one message, once CLAIM_LEASE has passed.
    """
    _require_aware(now)
    counts = DeliveryCounts()
    for _ in range(batch):
        message = _claim_next_due(session, now)
        if message is None:
            break
        _deliver(session, sender, message, now)
        session.commit()
        counts.record(message.status)
    return counts


# Twilio's message statuses in order; a final one (delivered, undelivered, failed) stays.
DELIVERY_ORDER = {"accepted": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4}
DELIVERY_FINAL = frozenset({"delivered", "read", "undelivered", "failed"})


def record_delivery(session: Session, provider_id: str, status: str) -> bool:
    """Apply a provider's status callback to the message it names; a repeated, late or unknown
    one changes nothing. Returns whether it changed the message."""
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.provider_id == provider_id))
    if message is None or status not in DELIVERY_ORDER.keys() | DELIVERY_FINAL:
        return False
    current = message.delivery_status
    if current in DELIVERY_FINAL:
        return False
    if status not in DELIVERY_FINAL and DELIVERY_ORDER[status] <= DELIVERY_ORDER.get(current, -1):
        return False
    message.delivery_status = status
    if status in ("undelivered", "failed"):
        message.last_error = f"not delivered ({status})"
    session.flush()
    return True


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed tries: 30 s, doubling, at most an hour."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def status_counts(session: Session) -> dict[str, int]:
    """How many messages are in each status, zeros included."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status.value: 0 for status in OutboxStatus} | {status: n for status, n in rows}


def recent_errors(session: Session, limit: int = 10) -> Sequence[Row]:
    """The newest messages with an error, without recipient or body."""
    return session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.next_attempt_at,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()


def _claim_next_due(session: Session, now: datetime) -> OutboxMessage | None:
    """The oldest due message, committed as `sending`; PostgreSQL skips rows others claim."""
    message = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status.in_([OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value]),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if message is not None:
        if message.status == OutboxStatus.SENDING:
            message.uncertain = True  # its worker died while the provider may have had it
        if not message.uncertain:
            message.tried_at = now  # an uncertain one is looked for since its first try
        message.status = OutboxStatus.SENDING.value
        message.attempts += 1
        message.next_attempt_at = now + CLAIM_LEASE
    session.commit()
    return message


def _deliver(session: Session, sender: SmsSender, message: OutboxMessage, now: datetime) -> None:
    """Send one claimed message and record the outcome on it; one the provider may have
    already is looked for there first, and not sent again when it is found."""
    if message.attempts > MAX_ATTEMPTS:
        _fail(message, "interrupted during the last attempt")
        return
    try:
        provider_id = _already_sent(session, sender, message) or sender.send(
            message.recipient, message.body
        )
    except PermanentSendError as exc:
        _fail(message, exc.summary)
    except UncertainSendError as exc:
        message.uncertain = True
        _retry_or_fail(message, exc.summary, now)
    except TransientSendError as exc:
        _retry_or_fail(message, exc.summary, now)
    except Exception as exc:
        # Only the type: an exception's text may quote the number or the body.
        log.error(
            "outbox message %s: unexpected %s from the sender", message.id, type(exc).__name__
        )
        _retry_or_fail(message, f"unexpected {type(exc).__name__}", now)
    else:
        message.status = OutboxStatus.SENT.value
        message.sent_at = now
        message.provider_id = provider_id
        message.last_error = None


def _already_sent(session: Session, sender: SmsSender, message: OutboxMessage) -> str | None:
    """The provider's id of this message when an earlier try of it reached the provider: the
    oldest look-alike since its first try that no other message of ours claims (the oldest, so
    that a later look-alike is left to the message whose try made it)."""
    if not message.uncertain or message.tried_at is None:
        return None
    found = sender.sent_since(message.recipient, message.body, message.tried_at)
    if not found:
        return None
    claimed = set(
        session.scalars(
            select(OutboxMessage.provider_id).where(OutboxMessage.provider_id.in_(found))
        )
    )
    return next((sid for sid in reversed(found) if sid not in claimed), None)


def _retry_or_fail(message: OutboxMessage, error: str, now: datetime) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _fail(message, f"gave up after {message.attempts} attempts: {error}")
        return
    message.status = OutboxStatus.QUEUED.value
    message.next_attempt_at = now + retry_delay(message.attempts)
    message.last_error = error[:200]


def _fail(message: OutboxMessage, error: str) -> None:
    message.status = OutboxStatus.FAILED.value
    message.last_error = error[:200]


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("`now` must be a timezone-aware datetime")
