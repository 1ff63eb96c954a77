"""Whether a listing is still confirmed: "nothing changed", staleness, and unpublishing.

An editor's "nothing changed" stamps the service's HSDS `assured_date` with today. A service
whose `assured_date` is STALE_AFTER_DAYS old or more (or was never set) is stale: flagged in the
portal, ranked below confirmed ones in the survivor's search, and shown with "call before you
go". The worker's round (`tick`) records when a published service went stale, tells each of
its editors once, and, only when UNPUBLISH_AFTER_DAYS is set, unpublishes it that many days
after moderators could first see the date. A confirm ends all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.db import new_id
from webapp.directory import listing
from webapp.directory.errors import UnknownService
from webapp.directory.models import (
    Organization,
    OrganizationMembership,
    ServiceStaleness,
    StaleNotice,
)
from webapp.directory.tables import TABLES

CONFIRMED = "confirm"  # the HSDS metadata row's last_action_type for a "nothing changed"


def cutoff(today: date, stale_after_days: int) -> date:
    """A service assured on this day or before (or never) is stale `today`."""
    return today - timedelta(days=stale_after_days)


def is_stale(assured: date | None, today: date, stale_after_days: int) -> bool:
    return assured is None or assured <= cutoff(today, stale_after_days)


def stale_condition(since: date) -> ColumnElement[bool]:
    """SQL: the service was last assured on `since` (a `cutoff`) or before, or never."""
    assured = TABLES["service"].c.assured_date
    return or_(assured.is_(None), assured <= since)


def stale_order(since: date) -> ColumnElement[int]:
    """SQL: 1 for a stale service, 0 for a confirmed one (confirmed ones sort first)."""
    return case((stale_condition(since), 1), else_=0)


def months_since(assured: date, today: date) -> int:
    """Whole months from `assured` to `today`, one at least (a stale listing is never "0")."""
    months = (today.year - assured.year) * 12 + today.month - assured.month
    if today.day < assured.day:
        months -= 1
    return max(months, 1)


def confirm(session: Session, service_id: str, *, today: date, now: datetime) -> bool:
    """ "Nothing changed": the service is assured today, on the record of its history.

    Returns whether this brought it back to the public (the round had unpublished it).
    """
    services = TABLES["service"]
    row = session.execute(
        select(services.c.assured_date, services.c.organization_id).where(
            services.c.id == service_id
        )
    ).first()
    if row is None:
        raise UnknownService(service_id)
    session.execute(
        update(services)
        .where(services.c.id == service_id)
        .values(assured_date=today, last_modified=now)
    )
    organization = session.get(Organization, row.organization_id)
    session.execute(
        insert(TABLES["metadata"]).values(
            id=new_id(),
            resource_id=service_id,
            resource_type="service",
            last_action_date=today,
            last_action_type=CONFIRMED,
            field_name="assured_date",
            previous_value=row.assured_date.isoformat() if row.assured_date else "",
            replacement_value=today.isoformat(),
            updated_by=organization.name if organization else "organization",
        )
    )
    staleness = session.get(ServiceStaleness, service_id)
    back = staleness is not None and staleness.unpublished_at is not None
    _forget(session, [service_id])
    return back


@dataclass(frozen=True)
class StaleListing:
    """A stale service as the portal lists it."""

    service_id: str
    name: str
    organization: str
    assured_date: date | None
    unpublish_on: date | None  # when unpublishing is on and it has not gone yet
    unpublished_at: datetime | None


def stale_listings(
    session: Session,
    *,
    today: date,
    stale_after_days: int,
    unpublish_after_days: int,
    organization_ids: list[str] | None = None,
) -> list[StaleListing]:
    """The published (or unpublished for staleness) stale services, longest unconfirmed first;
    only these organizations' when given. The date each would go is the one `tick` uses."""
    services, organizations = TABLES["service"], TABLES["organization"]
    query = (
        select(
            services.c.id,
            services.c.name,
            organizations.c.name.label("organization"),
            services.c.assured_date,
            ServiceStaleness.counting_from,
            ServiceStaleness.unpublished_at,
        )
        .join(organizations, organizations.c.id == services.c.organization_id)
        .outerjoin(ServiceStaleness, ServiceStaleness.service_id == services.c.id)
        .where(*_watched(), stale_condition(cutoff(today, stale_after_days)))
        .order_by(services.c.assured_date.is_not(None), services.c.assured_date, services.c.name)
    )
    if organization_ids is not None:
        query = query.where(services.c.organization_id.in_(organization_ids or [""]))
    return [
        StaleListing(
            row.id,
            row.name,
            row.organization,
            row.assured_date,
            _unpublish_on(row.counting_from, today, unpublish_after_days)
            if row.unpublished_at is None
            else None,
            row.unpublished_at,
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class State:
    """How confirmed one service is, for its portal page."""

    assured_date: date | None
    stale: bool
    unpublish_on: date | None
    unpublished_at: datetime | None


def state_of(
    session: Session,
    service_id: str,
    *,
    today: date,
    stale_after_days: int,
    unpublish_after_days: int,
) -> State:
    services = TABLES["service"]
    assured = session.scalar(select(services.c.assured_date).where(services.c.id == service_id))
    staleness = session.get(ServiceStaleness, service_id)
    stale = is_stale(assured, today, stale_after_days)
    gone = staleness.unpublished_at if staleness else None
    counting = staleness.counting_from if staleness else None
    going = _unpublish_on(counting, today, unpublish_after_days) if stale and not gone else None
    return State(assured, stale, going, gone)


@dataclass(frozen=True)
class Notice:
    """Tell this editor that this listing needs confirming (names no survivor, no person)."""

    user_id: int
    service_id: str
    service_name: str
    organization_name: str


@dataclass
class Round:
    notices: list[Notice]
    unpublished: list[str]
    restored: list[str]


def tick(
    session: Session,
    *,
    today: date,
    now: datetime,
    stale_after_days: int,
    unpublish_after_days: int,
) -> Round:
    """The worker's round: flag what went stale, forget what was confirmed, notice each editor
    once per listing going stale, and unpublish what is due (only when configured).

    Repeating it changes nothing and notices nobody twice.
    """
    services = TABLES["service"]
    stale = set(
        session.scalars(
            select(services.c.id).where(
                *_watched(), stale_condition(cutoff(today, stale_after_days))
            )
        )
    )
    flagged = set(session.scalars(select(ServiceStaleness.service_id)))
    restored = sorted(
        service_id
        for service_id, gone in session.execute(
            select(ServiceStaleness.service_id, ServiceStaleness.unpublished_at).where(
                ServiceStaleness.service_id.in_(flagged - stale)
            )
        )
        if gone is not None
    )
    _forget(session, flagged - stale)
    session.add_all(
        ServiceStaleness(service_id=service_id, flagged_on=today) for service_id in stale - flagged
    )
    session.flush()
    gone = _unpublish_due(session, today, now, unpublish_after_days)
    return Round(_notices(session, now), gone, restored)


def _watched() -> list:
    """Services the public would see but for going stale: active, not drafts."""
    services = TABLES["service"]
    return [services.c.status == listing.ACTIVE, services.c.id.not_in(listing.drafts("service"))]


def _unpublish_on(counting_from: date | None, today: date, unpublish_after_days: int):
    """The day a stale listing goes: `unpublish_after_days` after moderators could first see
    it (today, for one the round has not yet counted); None when unpublishing is off."""
    if not unpublish_after_days:
        return None
    return (counting_from or today) + timedelta(days=unpublish_after_days)


def _unpublish_due(
    session: Session, today: date, now: datetime, unpublish_after_days: int
) -> list[str]:
    if not unpublish_after_days:
        # Off (or switched off): nothing counts and nothing stays hidden for staleness.
        session.execute(
            update(ServiceStaleness)
            .where(
                or_(
                    ServiceStaleness.counting_from.is_not(None),
                    ServiceStaleness.unpublished_at.is_not(None),
                )
            )
            .values(counting_from=None, unpublished_at=None)
        )
        return []
    session.execute(
        update(ServiceStaleness)
        .where(ServiceStaleness.counting_from.is_(None), ServiceStaleness.unpublished_at.is_(None))
        .values(counting_from=today)
    )
    due = today - timedelta(days=unpublish_after_days)
    going = list(
        session.scalars(
            select(ServiceStaleness.service_id)
            .where(ServiceStaleness.unpublished_at.is_(None), ServiceStaleness.counting_from <= due)
            .order_by(ServiceStaleness.service_id)
        )
    )
    if going:
        session.execute(
            update(ServiceStaleness)
            .where(ServiceStaleness.service_id.in_(going))
            .values(unpublished_at=now)
        )
    return going


def _notices(session: Session, now: datetime) -> list[Notice]:
    """Each active editor of a flagged listing's organization not yet told about it, now
    recorded as told (the caller queues the messages in the same transaction)."""
    services, organizations = TABLES["service"], TABLES["organization"]
    told = {
        tuple(row) for row in session.execute(select(StaleNotice.service_id, StaleNotice.user_id))
    }
    rows = session.execute(
        select(
            OrganizationMembership.user_id,
            services.c.id,
            services.c.name,
            organizations.c.name.label("organization"),
        )
        .select_from(ServiceStaleness)
        .join(services, services.c.id == ServiceStaleness.service_id)
        .join(organizations, organizations.c.id == services.c.organization_id)
        .join(
            OrganizationMembership,
            OrganizationMembership.organization_id == services.c.organization_id,
        )
        .join(User, User.id == OrganizationMembership.user_id)
        .where(User.disabled_at.is_(None))
        .order_by(services.c.id, OrganizationMembership.user_id)
    )
    notices = [
        Notice(row.user_id, row.id, row.name or "", row.organization or "")
        for row in rows
        if (row.id, row.user_id) not in told
    ]
    session.add_all(
        StaleNotice(service_id=n.service_id, user_id=n.user_id, sent_at=now) for n in notices
    )
    session.flush()
    return notices


def _forget(session: Session, service_ids) -> None:
    """End these services' stale episodes: their flags, counts and notices."""
    ids = list(service_ids)
    if not ids:
        return
    session.execute(delete(StaleNotice).where(StaleNotice.service_id.in_(ids)))
    session.execute(delete(ServiceStaleness).where(ServiceStaleness.service_id.in_(ids)))
