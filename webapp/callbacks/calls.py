"""The bridged call: who may be dialled for whom, and what Twilio tells us of each leg.

The TwiML webhook learns which request to dial from a signed, short-lived token in its URL
(never a number); it dials only while the advocate who started the call still holds the lease.
Status callbacks are a state machine per call: a replayed or late one changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from webapp.callbacks import queue
from webapp.callbacks.errors import NotYours
from webapp.callbacks.models import CallbackRequest, CallLeg
from webapp.crypto import derive_key

TOKEN_SECONDS = 15 * 60
# Twilio's call statuses in the order a call lives them; an end state never changes again.
ORDER = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3, "answered": 3}
ENDED = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
MACHINE = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)


def _tokens(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(derive_key(secret_key, "haven call bridge").hex(), "bridge")


def bridge_token(secret_key: str, request_id: int, advocate_id: int) -> str:
    return _tokens(secret_key).dumps([request_id, advocate_id])


def bridged_request(
    session: Session, secret_key: str, token: str, *, now: datetime
) -> tuple[CallbackRequest, int]:
    """The request a bridge token names, and its advocate, while they still hold it."""
    try:
        request_id, advocate_id = _tokens(secret_key).loads(token, max_age=TOKEN_SECONDS)
    except (BadSignature, ValueError, TypeError):
        raise NotYours(None) from None
    return queue.held_by(session, request_id, advocate_id, now), advocate_id


def started(
    session: Session, sid: str, request_id: int, advocate_id: int, *, leg: str, now: datetime
) -> CallLeg:
    found = session.get(CallLeg, sid)
    if found is None:
        found = CallLeg(
            sid=sid,
            request_id=request_id,
            advocate_id=advocate_id,
            leg=leg,
            status="queued",
            sequence=-1,
            updated_at=now,
        )
        session.add(found)
        session.flush()
    return found


def record_status(
    session: Session,
    sid: str,
    status: str,
    *,
    parent: str | None = None,
    sequence: int | None,
    now: datetime,
) -> bool:
    """Apply one status callback; returns whether it changed anything.

    The survivor's leg is first heard of here: Twilio names its parent, the advocate's leg.
    """
    found = session.get(CallLeg, sid)
    if found is None and parent is not None and (origin := session.get(CallLeg, parent)):
        found = started(
            session, sid, origin.request_id, origin.advocate_id, leg="survivor", now=now
        )
    if found is None or found.status in ENDED:
        return False
    if sequence is not None and sequence <= found.sequence:
        return False
    if status not in ENDED and ORDER.get(status, -1) <= ORDER.get(found.status, -1):
        return False
    found.status = status
    found.sequence = sequence if sequence is not None else found.sequence
    found.updated_at = now
    session.flush()
    return True


def machine_answered(session: Session, sid: str, answered_by: str, *, now: datetime) -> bool:
    """Note who answered the survivor's leg; True when it was not a person."""
    found = session.get(CallLeg, sid)
    if found is not None:
        found.answered_by, found.updated_at = answered_by, now
        session.flush()
    return answered_by in MACHINE or answered_by == "unknown"
