"""Moderators' side: the queue, approving, rejecting with a reason; editors withdrawing.

Nobody reviews their own change. Approving publishes a pending change; approving a live one
only records the review. Rejecting a pending change leaves the listing as it is; rejecting a
live one puts the previous values back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory.changes import apply
from webapp.directory.changes.models import OPEN, ChangeRequest, OrganizationPolicy, Status
from webapp.directory.errors import AlreadyReviewed, NoSuchChange, OwnChange

REASON_LIMIT = 1000


def queue(session: Session) -> list[ChangeRequest]:
    """Open changes, oldest first: pending ones and live ones awaiting their review."""
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.status.in_(OPEN))
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
    )
    return list(session.scalars(query))


def of_organizations(
    session: Session, organization_ids: Iterable[str], limit: int = 50
) -> list[ChangeRequest]:
    """The latest changes to these organizations' listings, newest first."""
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.organization_id.in_(list(organization_ids) or [""]))
        .order_by(ChangeRequest.created_at.desc(), ChangeRequest.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def of_service(session: Session, service_id: str, *, open_only: bool = False):
    query = select(ChangeRequest).where(ChangeRequest.service_id == service_id)
    if open_only:
        query = query.where(ChangeRequest.status.in_(OPEN))
    return list(session.scalars(query.order_by(ChangeRequest.created_at.desc())))


def get(session: Session, change_id: int) -> ChangeRequest:
    change = session.get(ChangeRequest, change_id)
    if change is None:
        raise NoSuchChange(change_id)
    return change


def approve(session: Session, change_id: int, *, reviewer_id: int, now: datetime) -> ChangeRequest:
    """Publish a pending change (ChangedSince if the listing moved on), or confirm a live one."""
    change = _reviewable(session, change_id, reviewer_id)
    if change.status == Status.PENDING:
        apply.forward(session, change, now=now)
    return _decide(change, Status.APPROVED, reviewer_id, now, None)


def reject(
    session: Session, change_id: int, *, reviewer_id: int, reason: str, now: datetime
) -> ChangeRequest:
    """Refuse a change, with a reason its editor sees; a live change is put back."""
    change = _reviewable(session, change_id, reviewer_id)
    if change.status == Status.LIVE:
        apply.backward(session, change, now=now)
    return _decide(change, Status.REJECTED, reviewer_id, now, reason.strip()[:REASON_LIMIT])


def withdraw(session: Session, change_id: int, *, author_id: int, now: datetime) -> ChangeRequest:
    """The editor takes back their own pending change."""
    change = get(session, change_id)
    if change.author_id != author_id:
        raise NoSuchChange(change_id)
    if change.status != Status.PENDING:
        raise AlreadyReviewed(change_id)
    change.status, change.reviewed_at = Status.WITHDRAWN, now
    session.flush()
    return change


def allow_quick_changes(
    session: Session, organization_id: str, allowed: bool, *, by: int, now: datetime
) -> None:
    policy = session.get(OrganizationPolicy, organization_id)
    if policy is None:
        policy = OrganizationPolicy(organization_id=organization_id)
        session.add(policy)
    policy.quick_changes, policy.set_by, policy.set_at = allowed, by, now
    session.flush()


def _reviewable(session: Session, change_id: int, reviewer_id: int) -> ChangeRequest:
    change = get(session, change_id)
    if change.status not in OPEN:
        raise AlreadyReviewed(change_id)
    if change.author_id == reviewer_id:
        raise OwnChange(change_id)
    return change


def _decide(change, status: Status, reviewer_id: int, now: datetime, reason) -> ChangeRequest:
    change.status, change.reviewer_id, change.reviewed_at = status, reviewer_id, now
    change.reason = reason
    return change
