"""The callback queue: oldest callable first, leases, outcomes, requeues and escalation.

A request is callable while it is waiting (or its lease lapsed) and one of its safe windows is
open now, in the survivor's own zone; outside them it is held. Its place in line is the time
she asked, which a requeue keeps. A claim is a lease: exactly one advocate holds it, by an
UPDATE that only one transaction can win; an abandoned lease lapses and the request is
callable again in its old place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from webapp.callbacks import staffing
from webapp.callbacks.errors import ClaimConflict, NotYours
from webapp.callbacks.models import CallAttempt, CallbackRequest, RequestStatus
from webapp.callbacks.windows import Window, current_span, next_opening

MAX_REQUEUES = 3
OPEN = (RequestStatus.WAITING.value, RequestStatus.CLAIMED.value)
# What the advocate may record, and what each does to the request.
OUTCOMES = {
    "reached": "close",
    "wrong_number": "close",
    "no_answer": "requeue",
    "unsafe_later": "requeue",
    "voicemail_left": "requeue",
}


def windows_of(request: CallbackRequest) -> list[Window]:
    return [Window.from_json(value) for value in request.windows]


def lease_lapsed(request: CallbackRequest, now: datetime) -> bool:
    return request.lease_expires_at is None or request.lease_expires_at <= now


def is_free(request: CallbackRequest, now: datetime) -> bool:
    """Waiting, or claimed by someone whose lease has lapsed."""
    return request.status == RequestStatus.WAITING.value or (
        request.status == RequestStatus.CLAIMED.value and lease_lapsed(request, now)
    )


def is_callable(request: CallbackRequest, now: datetime) -> bool:
    return (
        is_free(request, now)
        and current_span(windows_of(request), request.time_zone, now) is not None
    )


@dataclass(frozen=True)
class Entry:
    """One line of an advocate's queue: nothing about the survivor but her language."""

    request: CallbackRequest
    callable: bool
    opens_at: datetime | None
    escalated: bool


def open_requests(session: Session) -> list[CallbackRequest]:
    return list(
        session.scalars(
            select(CallbackRequest)
            .where(CallbackRequest.status.in_(OPEN))
            .order_by(CallbackRequest.asked_at, CallbackRequest.id)
        )
    )


def queue_for(session: Session, user_id: int, *, supervisor: bool, now: datetime) -> list[Entry]:
    """The free requests this advocate may take (in their languages and skills), callable ones
    first, each part oldest first. A supervisor sees every one."""
    entries = []
    for request in open_requests(session):
        if not is_free(request, now):
            continue
        if not supervisor and user_id not in staffing.who_may_answer(session, request, [user_id]):
            continue
        if request.requeues >= MAX_REQUEUES and not supervisor:
            continue  # requeued too often: it is the supervisors' now
        span = current_span(windows_of(request), request.time_zone, now)
        opens = None if span else next_opening(windows_of(request), request.time_zone, now)
        entries.append(Entry(request, span is not None, opens, request.escalated_at is not None))
    return sorted(entries, key=lambda e: (not e.callable, e.request.asked_at, e.request.id))


def claim(
    session: Session, request_id: int, user_id: int, *, now: datetime, lease_minutes: int
) -> CallbackRequest:
    """Take the request: one UPDATE that only one advocate's transaction can win."""
    won = session.execute(
        update(CallbackRequest)
        .where(
            CallbackRequest.id == request_id,
            or_(
                CallbackRequest.status == RequestStatus.WAITING.value,
                (CallbackRequest.status == RequestStatus.CLAIMED.value)
                & (CallbackRequest.lease_expires_at <= now),
            ),
        )
        .values(
            status=RequestStatus.CLAIMED.value,
            claimed_by=user_id,
            lease_expires_at=now + timedelta(minutes=lease_minutes),
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        raise ClaimConflict(request_id)
    request = session.get_one(CallbackRequest, request_id, populate_existing=True)
    return request


def claim_next(
    session: Session, user_id: int, *, supervisor: bool, now: datetime, lease_minutes: int
) -> CallbackRequest | None:
    """The oldest callable request this advocate may take, claimed; None when there is none
    (or others won every one first)."""
    for entry in queue_for(session, user_id, supervisor=supervisor, now=now):
        if not entry.callable:
            break
        try:
            return claim(session, entry.request.id, user_id, now=now, lease_minutes=lease_minutes)
        except ClaimConflict:
            continue
    return None


def held_by(session: Session, request_id: int, user_id: int, now: datetime) -> CallbackRequest:
    """The request, if this advocate holds its lease now; NotYours otherwise."""
    request = session.get(CallbackRequest, request_id)
    if (
        request is None
        or request.status != RequestStatus.CLAIMED.value
        or request.claimed_by != user_id
        or lease_lapsed(request, now)
    ):
        raise NotYours(request_id)
    return request


def extend(request: CallbackRequest, *, now: datetime, lease_minutes: int) -> None:
    request.lease_expires_at = now + timedelta(minutes=lease_minutes)


def release(request: CallbackRequest) -> None:
    """Give it back: it returns to its place in line."""
    request.status = RequestStatus.WAITING.value
    request.claimed_by = request.lease_expires_at = None


def record(
    session: Session,
    request: CallbackRequest,
    user_id: int,
    *,
    outcome: str,
    notes: str | None,
    now: datetime,
) -> CallAttempt:
    """What happened on the call; it closes the request or puts it back in line."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    attempt = CallAttempt(
        request_id=request.id, advocate_id=user_id, at=now, outcome=outcome, notes=notes or None
    )
    session.add(attempt)
    if OUTCOMES[outcome] == "close":
        close(request, outcome=outcome, now=now)
    else:
        requeue(session, request, now=now)
    session.flush()
    return attempt


def close(request: CallbackRequest, *, outcome: str, now: datetime) -> None:
    request.status = RequestStatus.CLOSED.value
    request.closed_at, request.outcome = now, outcome
    request.claimed_by = request.lease_expires_at = None


def requeue(session: Session, request: CallbackRequest, *, now: datetime) -> None:
    """Back in line at its old place; after MAX_REQUEUES it goes to the supervisors."""
    release(request)
    request.requeues += 1
    request.alerted_for = None
    if request.requeues >= MAX_REQUEUES:
        escalate(session, request, now=now)


def escalate(session: Session, request: CallbackRequest, *, now: datetime) -> None:
    if request.escalated_at is None:
        request.escalated_at = now
        staffing.alert(
            session, staffing.on_shift(session, "supervisor", now), staffing.ESCALATION, now
        )


def alert_if_callable(session: Session, request: CallbackRequest, now: datetime) -> None:
    """Tell whoever may answer that the request can be called now (once per window opening);
    with nobody on shift who speaks her language, the supervisors on shift."""
    span = current_span(windows_of(request), request.time_zone, now)
    if span is None or request.alerted_for == span[0] or not is_free(request, now):
        return
    request.alerted_for = span[0]
    answering = staffing.who_may_answer(
        session, request, staffing.on_shift(session, "advocate", now)
    )
    if not answering:
        answering = staffing.on_shift(session, "supervisor", now)
    staffing.alert(session, answering, staffing.ALERT, now)
    session.flush()


@dataclass
class TickCounts:
    lapsed: int = 0
    alerted: int = 0
    escalated: int = 0


def tick(session: Session, *, now: datetime, escalate_after_minutes: int) -> TickCounts:
    """The worker's round: lapsed leases back in line, alerts as windows open, escalations."""
    counts = TickCounts()
    wait = timedelta(minutes=escalate_after_minutes)
    for request in open_requests(session):
        if request.status == RequestStatus.CLAIMED.value and lease_lapsed(request, now):
            release(request)
            counts.lapsed += 1
        span = current_span(windows_of(request), request.time_zone, now)
        if span is None or request.status != RequestStatus.WAITING.value:
            continue
        if request.alerted_for != span[0]:
            alert_if_callable(session, request, now)
            counts.alerted += 1
        waited_since = max(request.asked_at, span[0])
        if request.escalated_at is None and now - waited_since >= wait:
            escalate(session, request, now=now)
            counts.escalated += 1
    session.flush()
    return counts
