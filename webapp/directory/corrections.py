"""Survivors' "something here is wrong": anonymous corrections of a listing, for moderators.

A correction says which published service, what kind of thing is wrong and, if she wrote
any, a few words. It keeps nothing about who sent it, and only the hour it arrived. A
moderator marks it handled or dismissed with a short note; `purge` erases the words and the
note `retention_days` after that, and what remains (service, kind, hour, outcome) names no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory import listing
from webapp.directory.errors import (
    BadCorrection,
    CorrectionResolved,
    UnknownCorrection,
    UnknownService,
)
from webapp.directory.models import Correction, CorrectionKind, CorrectionStatus
from webapp.directory.tables import TABLES

# What can be wrong, as the survivor picks it and the moderators read it.
KINDS = {
    CorrectionKind.PHONE.value: _l("The phone number"),
    CorrectionKind.ADDRESS.value: _l("The address or directions"),
    CorrectionKind.HOURS.value: _l("The opening hours"),
    CorrectionKind.CLOSED.value: _l("It has closed"),
    CorrectionKind.OTHER.value: _l("Something else"),
}
MAX_DETAILS = 500
MAX_NOTE = 200
# Handled and dismissed corrections stay on the moderators' list this long, for the others
# (the list says "in the last two weeks").
SHOWN_AFTER_RESOLVED = timedelta(days=14)
OUTCOMES = (CorrectionStatus.HANDLED, CorrectionStatus.DISMISSED)


@dataclass(frozen=True)
class Listed:
    """A correction as the moderators' list shows it, with the names of what it is about."""

    correction: Correction
    service_name: str
    organization_name: str


def received_hour(moment: datetime) -> datetime:
    """The hour `moment` falls in (UTC): all a correction keeps of when it arrived."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def submit(
    session: Session, service_id: str, kind: str, details: str | None, *, now: datetime
) -> Correction:
    """Store a correction of a published service; raises UnknownService or BadCorrection."""
    if not listing.is_published(session, "service", service_id):
        raise UnknownService(service_id)
    if kind not in KINDS:
        raise BadCorrection("kind")
    words = (details or "").strip() or None
    if words is not None and len(words) > MAX_DETAILS:
        raise BadCorrection("details")
    correction = Correction(
        id=new_id(),
        service_id=service_id,
        kind=kind,
        details=words,
        received_at=received_hour(now),
        status=CorrectionStatus.OPEN.value,
    )
    session.add(correction)
    session.flush()
    return correction


def _listed() -> Select:
    services, organizations = TABLES["service"], TABLES["organization"]
    return (
        select(Correction, services.c.name, organizations.c.name)
        .join(services, services.c.id == Correction.service_id)
        .join(organizations, organizations.c.id == services.c.organization_id)
    )


def open_corrections(session: Session) -> list[Listed]:
    """Corrections waiting for a moderator, oldest first."""
    query = (
        _listed()
        .where(Correction.status == CorrectionStatus.OPEN.value)
        .order_by(Correction.received_at, Correction.id)
    )
    return [Listed(*row) for row in session.execute(query)]


def recently_resolved(session: Session, *, now: datetime) -> list[Listed]:
    """Corrections handled or dismissed in the last SHOWN_AFTER_RESOLVED, latest first."""
    query = (
        _listed()
        .where(
            Correction.status != CorrectionStatus.OPEN.value,
            Correction.resolved_at >= now - SHOWN_AFTER_RESOLVED,
        )
        .order_by(Correction.resolved_at.desc(), Correction.id)
    )
    return [Listed(*row) for row in session.execute(query)]


def resolve(
    session: Session,
    correction_id: str,
    *,
    outcome: str,
    note: str | None,
    moderator_id: int,
    now: datetime,
) -> None:
    """Mark an open correction handled or dismissed. Of two moderators at once, one wins;
    the other gets CorrectionResolved. UnknownCorrection when there is no such correction."""
    if outcome not in set(OUTCOMES):
        raise BadCorrection("outcome")
    words = (note or "").strip() or None
    if words is not None and len(words) > MAX_NOTE:
        raise BadCorrection("note")
    changed = session.execute(
        update(Correction)
        .where(Correction.id == correction_id, Correction.status == CorrectionStatus.OPEN.value)
        .values(status=outcome, resolved_at=now, resolved_by=moderator_id, note=words)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 1:
        return
    if session.get(Correction, correction_id) is None:
        raise UnknownCorrection(correction_id)
    raise CorrectionResolved(correction_id)


def purge(session: Session, *, now: datetime, retention_days: int) -> int:
    """Erase the words and notes of corrections resolved more than `retention_days` ago;
    returns how many were erased."""
    changed = session.execute(
        update(Correction)
        .where(
            Correction.status != CorrectionStatus.OPEN.value,
            Correction.resolved_at < now - timedelta(days=retention_days),
            Correction.erased_at.is_(None),
        )
        .values(details=None, note=None, erased_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount
