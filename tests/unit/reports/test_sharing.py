"""What a partner may see of reports, in the domain: only what is shared with her agencies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.unit.reports.test_operations import NOW, PHOTO, draft, submit
from webapp.accounts.models import AuditEvent
from webapp.reports import agencies, consent, sharing
from webapp.reports.errors import BadReport, NotShared
from webapp.reports.models import AgencyMessage, AgencyRead


@pytest.fixture
def setting(db, db_app):
    police = agencies.find_or_add_agency(db, "County police").id
    court = agencies.find_or_add_agency(db, "Prosecutor's office").id
    shelter = agencies.find_or_add_agency(db, "Shelter network").id
    officer = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["partner"])
    agencies.add_members(db, officer.id, [police, court])
    return police, court, shelter, officer.id


def test_a_partner_lists_what_her_agencies_hold_once_each_newest_share_first(db, setting):
    police, court, shelter, officer = setting
    older = submit(db, draft(agencies=[police]), n=1, now=NOW)
    both = submit(db, draft(agencies=[police]), n=2, now=NOW + timedelta(hours=1))
    consent.grant(db, both, court, now=NOW + timedelta(hours=3))
    elsewhere = submit(db, draft(agencies=[shelter]), n=3, now=NOW + timedelta(hours=2))
    revoked = submit(db, draft(agencies=[police]), n=4, now=NOW + timedelta(hours=4))
    consent.revoke(db, revoked, police, now=NOW + timedelta(hours=5))
    listed = sharing.shared_with(db, officer)
    assert [entry.report.id for entry in listed] == [both.id, older.id]
    assert listed[0].agencies == ("County police", "Prosecutor's office")
    assert listed[0].shared_at == NOW + timedelta(hours=3)
    assert listed[1].agencies == ("County police",) and listed[1].shared_at == NOW
    assert elsewhere.id not in {entry.report.id for entry in listed}
    assert sharing.shared_with(db, 999_999) == []  # works for no agency


def test_opening_records_a_read_per_agency_holding_it_and_nothing_without_consent(db, setting):
    police, court, shelter, officer = setting
    report = submit(db, draft(agencies=[police, shelter]), n=1)
    found, holders = sharing.open_shared(db, report.id, officer, now=NOW)
    assert found.id == report.id and [a.id for a in holders] == [police]
    reads = db.scalars(select(AgencyRead)).all()
    assert [(r.agency_id, r.user_id) for r in reads] == [(police, officer)]
    hidden = submit(db, draft(agencies=[shelter]), n=2)
    with pytest.raises(NotShared):
        sharing.open_shared(db, hidden.id, officer, now=NOW)
    with pytest.raises(NotShared):
        sharing.peek(db, hidden.id, officer)
    assert len(db.scalars(select(AgencyRead)).all()) == 1


def test_a_photo_is_given_only_for_its_own_shared_report(db, setting):
    police, _court, shelter, officer = setting
    shared = submit(db, draft(agencies=[police], photos=[PHOTO]), n=1)
    hidden = submit(db, draft(agencies=[shelter], photos=[PHOTO]), n=2)
    assert sharing.shared_photo(db, shared.id, shared.photos[0].id, officer).data == b"png"
    with pytest.raises(NotShared):  # another report's photo through the shared one's address
        sharing.shared_photo(db, shared.id, hidden.photos[0].id, officer)
    with pytest.raises(NotShared):
        sharing.shared_photo(db, shared.id, 999_999, officer)
    with pytest.raises(NotShared):
        sharing.shared_photo(db, hidden.id, hidden.photos[0].id, officer)


def test_the_thread_is_written_only_while_shared_and_never_empty_or_too_long(db, setting):
    police, court, _shelter, officer = setting
    report = submit(db, draft(agencies=[police]), n=1)
    with pytest.raises(NotShared):
        sharing.write(db, report.id, court, "Hello", side="advocate", author_id=None, now=NOW)
    for body, problem in (("   ", "empty"), ("a" * 2001, "long")):
        with pytest.raises(BadReport) as refused:
            sharing.write(db, report.id, police, body, side="partner", author_id=officer, now=NOW)
        assert (refused.value.field, refused.value.problem) == ("note", problem)
    sharing.write(
        db, report.id, police, " " + "a" * 1998 + " ", side="partner", author_id=officer, now=NOW
    )
    sent = db.scalars(select(AgencyMessage)).one()
    assert (sent.side, sent.author_id, sent.agency_id, sent.body) == (
        "partner",
        officer,
        police,
        "a" * 1998,
    )
    assert {
        k: [m.id for m in v] for k, v in sharing.threads(db, report.id, [police, court]).items()
    } == {
        police: [sent.id],
        court: [],
    }
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "report.agency_note")).all()
    assert [(e.actor_id, e.detail) for e in events] == [
        (officer, {"report_id": report.id, "agency_id": police})
    ]
    consent.revoke(db, report, police, now=NOW)
    with pytest.raises(NotShared):
        sharing.write(
            db, report.id, police, "Still there?", side="advocate", author_id=None, now=NOW
        )
    assert sharing.shared_agencies(db, report.id) == []


def test_the_list_follows_when_each_was_shared_not_when_it_was_written(db, setting):
    police, *_rest, officer = setting
    reports = [submit(db, draft(), n=n, now=NOW + timedelta(minutes=n)) for n in range(1, 8)]
    for hours, report in zip([5, 1, 7, 3, 2, 6, 4], reports, strict=True):
        consent.grant(db, report, police, now=NOW + timedelta(hours=hours))
    listed = [entry.report.id for entry in sharing.shared_with(db, officer)]
    by_share = [reports[i].id for i in (2, 5, 0, 6, 3, 4, 1)]
    assert listed == by_share
