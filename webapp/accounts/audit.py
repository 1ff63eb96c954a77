"""The audit trail: append-only events that never carry a secret or survivor free text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from webapp.accounts.errors import AuditDetailError
from webapp.accounts.models import AuditEvent

# Only these keys may describe an event; anything else is refused rather than stored.
DETAIL_KEYS = frozenset(
    {
        "role",
        "roles",
        "reason",
        "organization_id",
        "organization_ids",
        "invitation_id",
        "agency_id",
        "count",
        "via",
        "request_id",
        "outcome",
        "change_id",
        "allowed",
        "service_id",
        "report_id",
    }
)


def record(
    session: Session,
    action: str,
    *,
    now: datetime,
    actor_id: int | None = None,
    subject_id: int | None = None,
    **detail,
) -> AuditEvent:
    unknown = set(detail) - DETAIL_KEYS
    if unknown:
        raise AuditDetailError(f"audit detail not allowed: {sorted(unknown)}")
    event = AuditEvent(
        at=now, action=action, actor_id=actor_id, subject_id=subject_id, detail=detail
    )
    session.add(event)
    session.flush()
    return event
