"""The reporter's consent, per report and per partner agency, and the agencies' reads.

Whether an agency may see a report is decided here only (`is_shared`): every view for partners
asks it, and a revoked consent hides the report at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.reports.errors import NotShared, UnknownAgency
from webapp.reports.models import AgencyRead, PartnerAgency, Report, ReportConsent


@dataclass(frozen=True)
class Sharing:
    """One agency as the reporter sees it: whether it may see her report, and its last read."""

    agency_id: str
    name: str
    shared: bool
    since: datetime | None
    last_read_at: datetime | None


def grant(session: Session, report: Report, agency_id: str, *, now: datetime) -> None:
    if session.get(PartnerAgency, agency_id) is None:
        raise UnknownAgency(agency_id)
    consent = session.get(ReportConsent, (report.id, agency_id))
    if consent is None:
        report.consents.append(ReportConsent(agency_id=agency_id, granted_at=now))
    elif consent.revoked_at is not None:
        consent.granted_at, consent.revoked_at = now, None
    report.last_activity_at = now
    session.flush()


def revoke(session: Session, report: Report, agency_id: str, *, now: datetime) -> None:
    consent = session.get(ReportConsent, (report.id, agency_id))
    if consent is None or consent.revoked_at is not None:
        raise NotShared()
    consent.revoked_at = now
    report.last_activity_at = now
    session.flush()


def is_shared(session: Session, report_id: str, agency_id: str) -> bool:
    consent = session.get(ReportConsent, (report_id, agency_id))
    return consent is not None and consent.revoked_at is None


def record_read(
    session: Session, report_id: str, agency_id: str, *, user_id: int, now: datetime
) -> None:
    """A partner's staff member opens a shared report: NotShared unless consent stands."""
    if not is_shared(session, report_id, agency_id):
        raise NotShared()
    session.add(AgencyRead(report_id=report_id, agency_id=agency_id, user_id=user_id, read_at=now))
    session.flush()


def sharing(session: Session, report: Report) -> list[Sharing]:
    """Every partner agency, with this report's consent and the agency's last read of it."""
    consents = {c.agency_id: c for c in report.consents}
    last_reads = dict(
        session.execute(
            select(AgencyRead.agency_id, func.max(AgencyRead.read_at))
            .where(AgencyRead.report_id == report.id)
            .group_by(AgencyRead.agency_id)
        ).all()
    )
    agencies = session.scalars(select(PartnerAgency).order_by(PartnerAgency.name))
    found = []
    for agency in agencies:
        consent = consents.get(agency.id)
        shared = consent is not None and consent.revoked_at is None
        found.append(
            Sharing(
                agency_id=agency.id,
                name=agency.name,
                shared=shared,
                since=consent.granted_at if shared and consent else None,
                last_read_at=last_reads.get(agency.id),
            )
        )
    return found
