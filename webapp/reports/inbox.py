"""The advocates' side of reports: the inbox, a report's status, and its threads with agencies.

Reading a report is audited by the view that shows it; here are plain functions that take a
session and plain values, flush, and leave committing to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from webapp.reports.errors import BadReport, UnknownReport
from webapp.reports.models import Report, ReportConsent, ReportMessage, ReportPhoto

STATUSES = ("new", "open", "closed")
PAGE = 50


@dataclass(frozen=True)
class InboxEntry:
    """One report as the inbox lists it: no text, nothing the reporter wrote."""

    report: Report
    waiting: bool  # the reporter wrote last: she waits for an answer
    messages: int
    photos: int
    shared: int  # agencies that may read it now


def inbox(session: Session, *, status: str | None = None, page: int = 1) -> list[InboxEntry]:
    """Reports by their latest activity, a page at a time; `status` narrows them."""
    query = (
        select(Report)
        .options(
            load_only(
                Report.id,
                Report.created_at,
                Report.last_activity_at,
                Report.kinds,
                Report.happened,
                Report.area,
                Report.role,
                Report.status,
            )
        )
        .order_by(Report.last_activity_at.desc(), Report.id)
        .limit(PAGE)
        .offset(PAGE * (max(page, 1) - 1))
    )
    if status in STATUSES:
        query = query.where(Report.status == status)
    reports = list(session.scalars(query))
    ids = [report.id for report in reports]
    if not ids:
        return []
    last_ids = (
        select(func.max(ReportMessage.id))
        .where(ReportMessage.report_id.in_(ids))
        .group_by(ReportMessage.report_id)
    )
    last_sender = dict(
        session.execute(
            select(ReportMessage.report_id, ReportMessage.sender).where(
                ReportMessage.id.in_(last_ids)
            )
        ).all()
    )
    messages = _counts(session, ReportMessage.report_id, ids)
    photos = _counts(session, ReportPhoto.report_id, ids)
    shared = _counts(session, ReportConsent.report_id, ids, ReportConsent.revoked_at.is_(None))
    return [
        InboxEntry(
            report=report,
            waiting=report.status != "closed"
            and last_sender.get(report.id, "reporter") == "reporter",
            messages=messages.get(report.id, 0),
            photos=photos.get(report.id, 0),
            shared=shared.get(report.id, 0),
        )
        for report in reports
    ]


def _counts(session: Session, column, ids: list[str], *conditions) -> dict[str, int]:
    query = select(column, func.count()).where(column.in_(ids), *conditions).group_by(column)
    return dict(session.execute(query).all())


def get(session: Session, report_id: str) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise UnknownReport()
    return report


def set_status(session: Session, report_id: str, status: str) -> Report:
    """New, open (someone is on it) or closed; not activity: retention is the reporter's."""
    if status not in STATUSES:
        raise BadReport("status", "choice")
    report = get(session, report_id)
    report.status = status
    session.flush()
    return report


def photo(session: Session, report_id: str, photo_id: int) -> ReportPhoto:
    found = session.get(ReportPhoto, photo_id)
    if found is None or found.report_id != report_id:
        raise UnknownReport()
    return found
