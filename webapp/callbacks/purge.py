"""Survivor contact data is kept CALLBACK_RETENTION_DAYS after a request closes, then erased.

What stays is what statistics need: when it was asked, its language, topic and outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.callbacks.models import CallAttempt, CallbackRequest, RequestStatus

ERASED = {
    "number": None,
    "name": None,
    "voicemail_text": None,
    "question": None,
    "answer": None,
    "note": None,
    "windows": [],
}


def purge(session: Session, *, now: datetime, retention_days: int) -> int:
    """Erase the contact data of requests closed or cancelled before the retention period;
    returns how many were erased."""
    before = now - timedelta(days=retention_days)
    ended = (RequestStatus.CLOSED.value, RequestStatus.CANCELLED.value)
    ids = list(
        session.scalars(
            select(CallbackRequest.id).where(
                CallbackRequest.status.in_(ended),
                CallbackRequest.closed_at < before,
                CallbackRequest.purged_at.is_(None),
            )
        )
    )
    if ids:
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id.in_(ids))
            .values(**ERASED, purged_at=now)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(CallAttempt)
            .where(CallAttempt.request_id.in_(ids))
            .values(notes=None)
            .execution_options(synchronize_session=False)
        )
    return len(ids)
