"""Reports: write one, find it by its codename, keep the thread going, delete it.

Functions take a session and plain values; they flush, and the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.reports.choices import HAPPENED, KINDS, ROLES, areas
from webapp.reports.errors import (
    BadReport,
    PhotoRefused,
    UnknownAgency,
    UnknownCodename,
    UnknownReport,
)
from webapp.reports.models import PartnerAgency, Report, ReportConsent, ReportMessage, ReportPhoto
from webapp.reports.photos import MAX_PHOTOS, CleanPhoto

MAX_TEXT = 5000
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class Draft:
    """What the reporter wrote, as plain values (codes from `choices`)."""

    kinds: Sequence[str]
    happened: str
    area: str
    role: str
    text: str
    agencies: Sequence[str] = ()
    photos: Sequence[CleanPhoto] = ()


def check(session: Session, draft: Draft) -> None:
    """BadReport, UnknownAgency or PhotoRefused for the first thing wrong with `draft`."""
    if not draft.kinds or not set(draft.kinds) <= set(KINDS):
        raise BadReport("kinds", "choice")
    for field, value, offered in (
        ("happened", draft.happened, HAPPENED),
        ("area", draft.area, areas()),
        ("role", draft.role, ROLES),
    ):
        if value not in offered:
            raise BadReport(field, "choice")
    _check_text("text", draft.text, MAX_TEXT)
    if len(draft.photos) > MAX_PHOTOS:
        raise PhotoRefused("count")
    for agency_id in draft.agencies:
        if session.get(PartnerAgency, agency_id) is None:
            raise UnknownAgency(agency_id)


def _check_text(field: str, text: str, longest: int) -> None:
    if not text.strip():
        raise BadReport(field, "empty")
    if len(text) > longest:
        raise BadReport(field, "long")


def submit(
    session: Session, draft: Draft, *, lookup_key: str, form_key: str, now: datetime
) -> tuple[Report, bool]:
    """Store the report once per form; returns it and whether this call made it (the same
    form sent again returns the report the first sending made, and stores nothing)."""
    existing = _by_form(session, form_key)
    if existing is not None:
        return existing, False
    check(session, draft)
    report = Report(
        lookup_key=lookup_key,
        form_key=form_key,
        created_at=now,
        last_activity_at=now,
        kinds=sorted(set(draft.kinds)),
        happened=draft.happened,
        area=draft.area,
        role=draft.role,
        text=draft.text.strip(),
    )
    report.consents = [
        ReportConsent(agency_id=agency_id, granted_at=now) for agency_id in set(draft.agencies)
    ]
    report.photos = [
        ReportPhoto(
            media_type=p.media_type, width=p.width, height=p.height, data=p.data, added_at=now
        )
        for p in draft.photos
    ]
    session.add(report)
    try:
        session.flush()
    except IntegrityError:  # the same form, sent twice at once: the other one was stored
        session.rollback()
        existing = _by_form(session, form_key)
        if existing is None:
            raise
        return existing, False
    return report, True


def _by_form(session: Session, form_key: str) -> Report | None:
    return session.scalar(select(Report).where(Report.form_key == form_key))


def find(session: Session, lookup_key: str) -> Report:
    found = session.scalar(select(Report).where(Report.lookup_key == lookup_key))
    if found is None:
        raise UnknownCodename()
    return found


def visit(session: Session, lookup_key: str, *, now: datetime) -> Report:
    """The report, opened by its reporter: her visit counts as activity for retention."""
    report = find(session, lookup_key)
    report.last_activity_at = now
    session.flush()
    return report


def answer(session: Session, report: Report, body: str, *, now: datetime) -> ReportMessage:
    """The reporter writes in her report's thread."""
    return _add_message(session, report, "reporter", None, body, now)


def reply(
    session: Session, report_id: str, body: str, *, author_id: int | None, now: datetime
) -> ReportMessage:
    """An advocate answers a report; the reporter reads it with her codename."""
    report = session.get(Report, report_id)
    if report is None:
        raise UnknownReport()
    message = _add_message(session, report, "advocate", author_id, body, now)
    if report.status == "new":  # someone is on it now
        report.status = "open"
    return message


def _add_message(
    session: Session, report: Report, sender: str, author_id: int | None, body: str, now: datetime
) -> ReportMessage:
    _check_text("body", body, MAX_MESSAGE)
    message = ReportMessage(sender=sender, author_id=author_id, body=body.strip(), sent_at=now)
    report.messages.append(message)
    report.last_activity_at = now
    session.flush()
    return message


def delete_report(session: Session, report: Report) -> None:
    """Gone for good, with its thread, photos, consents and the agencies' reads."""
    session.execute(delete(Report).where(Report.id == report.id))
    session.expunge(report)
    session.flush()


def deleted_after(report: Report, retention_days: int) -> datetime:
    """When `purge` will delete this report unless something happens before."""
    return report.last_activity_at + timedelta(days=retention_days)


def purge(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete reports with no activity for the retention period; returns how many."""
    before = now - timedelta(days=retention_days)
    result = session.execute(
        delete(Report)
        .where(Report.last_activity_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
