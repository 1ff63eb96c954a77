"""What partner agencies see: only reports shared with them, every opening recorded; and the
thread between the advocates and an agency about a report shared with it.

Every function here asks `consent.is_shared` before it gives anything out: a partner without
the reporter's consent gets `NotShared` (the views answer 404), and so does one whose consent
was revoked, at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts import audit
from webapp.reports import consent
from webapp.reports.agencies import agencies_of
from webapp.reports.errors import BadReport, NotShared
from webapp.reports.models import (
    AgencyMessage,
    PartnerAgency,
    Report,
    ReportConsent,
    ReportPhoto,
)

MAX_NOTE = 2000


@dataclass(frozen=True)
class SharedEntry:
    """A report as a partner's list shows it: when it was shared, nothing of its text."""

    report: Report
    agencies: tuple[str, ...]  # names of the reader's agencies it is shared with
    shared_at: datetime


def shared_with(session: Session, user_id: int) -> list[SharedEntry]:
    """Reports the reporter shares with any agency this partner works for, newest share first."""
    mine = {agency.id: agency.name for agency in agencies_of(session, user_id)}
    if not mine:
        return []
    rows = session.execute(
        select(Report, ReportConsent.agency_id, ReportConsent.granted_at)
        .join(Report.consents)
        .where(ReportConsent.agency_id.in_(mine), ReportConsent.revoked_at.is_(None))
        .order_by(ReportConsent.granted_at.desc(), Report.id)
    ).all()
    found: dict[str, SharedEntry] = {}
    for report, agency_id, granted_at in rows:
        entry = found.get(report.id)
        names = (*entry.agencies, mine[agency_id]) if entry else (mine[agency_id],)
        latest = max(entry.shared_at, granted_at) if entry else granted_at
        found[report.id] = SharedEntry(
            report=report, agencies=tuple(sorted(names)), shared_at=latest
        )
    return list(found.values())


def readers(session: Session, report_id: str, user_id: int) -> list[PartnerAgency]:
    """This partner's agencies that may read the report now; NotShared when there is none."""
    allowed = [
        agency
        for agency in agencies_of(session, user_id)
        if consent.is_shared(session, report_id, agency.id)
    ]
    if not allowed:
        raise NotShared()
    return allowed


def peek(session: Session, report_id: str, user_id: int) -> tuple[Report, list[PartnerAgency]]:
    """The shared report and the reader's agencies holding it, without recording a read
    (for writing in its thread: she opened it to read it)."""
    allowed = readers(session, report_id, user_id)
    return session.get_one(Report, report_id), allowed


def open_shared(
    session: Session, report_id: str, user_id: int, *, now: datetime
) -> tuple[Report, list[PartnerAgency]]:
    """A partner opens a shared report: the read is recorded for each of her agencies that
    holds it (the reporter sees it) and in the audit log, or NotShared and nothing is."""
    report, allowed = peek(session, report_id, user_id)
    for agency in allowed:
        consent.record_read(session, report_id, agency.id, user_id=user_id, now=now)
        audit.record(
            session,
            "report.partner_read",
            now=now,
            actor_id=user_id,
            report_id=report_id,
            agency_id=agency.id,
        )
    return report, allowed


def shared_photo(session: Session, report_id: str, photo_id: int, user_id: int) -> ReportPhoto:
    readers(session, report_id, user_id)
    found = session.get(ReportPhoto, photo_id)
    if found is None or found.report_id != report_id:
        raise NotShared()
    return found


def threads(
    session: Session, report_id: str, agency_ids: Iterable[str]
) -> dict[str, list[AgencyMessage]]:
    """What the advocates and each of these agencies wrote about the report, oldest first."""
    found: dict[str, list[AgencyMessage]] = {agency_id: [] for agency_id in agency_ids}
    query = (
        select(AgencyMessage)
        .where(AgencyMessage.report_id == report_id, AgencyMessage.agency_id.in_(list(found)))
        .order_by(AgencyMessage.id)
    )
    for message in session.scalars(query):
        found[message.agency_id].append(message)
    return found


def write(
    session: Session,
    report_id: str,
    agency_id: str,
    body: str,
    *,
    side: str,  # "advocate" or "partner" (a check constraint refuses anything else)
    author_id: int | None,
    now: datetime,
) -> AgencyMessage:
    """Advocates and an agency write about a report only while it is shared with that agency
    (audited: who wrote to or from which agency, never what)."""
    if not consent.is_shared(session, report_id, agency_id):
        raise NotShared()
    if not body.strip():
        raise BadReport("note", "empty")
    if len(body) > MAX_NOTE:
        raise BadReport("note", "long")
    message = AgencyMessage(
        report_id=report_id,
        agency_id=agency_id,
        side=side,
        author_id=author_id,
        body=body.strip(),
        sent_at=now,
    )
    session.add(message)
    audit.record(
        session,
        "report.agency_note",
        now=now,
        actor_id=author_id,
        report_id=report_id,
        agency_id=agency_id,
    )
    return message


def shared_agencies(session: Session, report_id: str) -> list[PartnerAgency]:
    """The agencies that may read the report now, by name (what advocates may write to)."""
    query = (
        select(PartnerAgency)
        .join(ReportConsent, ReportConsent.agency_id == PartnerAgency.id)
        .where(ReportConsent.report_id == report_id, ReportConsent.revoked_at.is_(None))
        .order_by(PartnerAgency.name)
    )
    return list(session.scalars(query))
