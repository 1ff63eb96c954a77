"""A survivor asks for a call: checked, stored (encrypted) and alerted in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.callbacks import queue
from webapp.callbacks.errors import BadNumber, UnknownReceipt
from webapp.callbacks.models import CallbackRequest, RequestStatus
from webapp.callbacks.windows import Window, next_opening, zone_of

# Twilio cannot call these kinds of number, and a pager is no safe line.
CALLABLE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.UNKNOWN,
    }
)
DROPPED = ("call_again", "wait", "next_window")


@dataclass(frozen=True)
class Wish:
    """What the survivor asked for, as plain values (from the form or a text message)."""

    number: str
    windows: tuple[Window, ...]
    time_zone: str
    language: str
    topic: str | None = None
    name: str | None = None
    voicemail_ok: bool = False
    voicemail_text: str | None = None
    text_ok: bool = False
    question: str | None = None
    answer: str | None = None
    if_dropped: str | None = None
    note: str | None = None
    extra: dict = field(default_factory=dict)


def normalise_number(raw: str, region: str) -> str:
    """The number in E.164 (`+12175550142`), read as in `region` unless it starts with +."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise BadNumber(raw) from None
    if not phonenumbers.is_valid_number(parsed):
        raise BadNumber(raw)
    if phonenumbers.number_type(parsed) not in CALLABLE_TYPES:
        raise BadNumber(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def ask(
    session: Session,
    wish: Wish,
    *,
    key: str,
    receipt_hash: str,
    now: datetime,
    source: str = "web",
) -> tuple[CallbackRequest, bool]:
    """Store the request (once per key) and alert whoever may answer it; returns it, and
    whether it is new (a repeated submission returns the request the first one made)."""
    existing = session.scalar(select(CallbackRequest).where(CallbackRequest.idempotency_key == key))
    if existing is not None:
        return existing, False
    zone_of(wish.time_zone)
    request = CallbackRequest(
        idempotency_key=key,
        receipt_hash=receipt_hash,
        source=source,
        asked_at=now,
        status=RequestStatus.WAITING.value,
        language=wish.language,
        topic=wish.topic,
        time_zone=wish.time_zone,
        windows=[window.as_json() for window in wish.windows],
        number=wish.number,
        name=wish.name or None,
        voicemail_ok=wish.voicemail_ok,
        voicemail_text=(wish.voicemail_text or None) if wish.voicemail_ok else None,
        text_ok=wish.text_ok,
        question=wish.question or None,
        answer=wish.answer or None,
        if_dropped=wish.if_dropped,
        note=wish.note or None,
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError:  # the same form, sent twice at once: the other one was stored
        session.rollback()
        existing = session.scalar(
            select(CallbackRequest).where(CallbackRequest.idempotency_key == key)
        )
        if existing is None:
            raise
        return existing, False
    queue.alert_if_callable(session, request, now)
    return request, True


def find(session: Session, receipt_hash: str) -> CallbackRequest:
    found = session.scalar(
        select(CallbackRequest).where(CallbackRequest.receipt_hash == receipt_hash)
    )
    if found is None:
        raise UnknownReceipt()
    return found


def cancel(session: Session, receipt_hash: str, *, now: datetime) -> CallbackRequest:
    """The survivor takes her request back: nobody will call."""
    request = find(session, receipt_hash)
    if request.status in (RequestStatus.WAITING.value, RequestStatus.CLAIMED.value):
        request.status = RequestStatus.CANCELLED.value
        request.closed_at, request.outcome = now, "cancelled"
        request.claimed_by = request.lease_expires_at = None
        session.flush()
    return request


@dataclass(frozen=True)
class Progress:
    """What the survivor may learn of her request with her receipt code."""

    state: str  # "waiting", "held", "calling", "closed", "cancelled"
    next_window: datetime | None = None


def progress(request: CallbackRequest, now: datetime) -> Progress:
    if request.status == RequestStatus.CANCELLED.value:
        return Progress("cancelled")
    if request.status == RequestStatus.CLOSED.value:
        return Progress("closed")
    if request.status == RequestStatus.CLAIMED.value and not queue.lease_lapsed(request, now):
        return Progress("calling")
    windows = queue.windows_of(request)
    if queue.is_callable(request, now):
        return Progress("waiting")
    return Progress("held", next_opening(windows, request.time_zone, now))
