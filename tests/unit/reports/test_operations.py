"""Reports in the domain: stored once per form, found by codename, answered, shared, purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from webapp.reports import agencies, consent, operations
from webapp.reports.errors import (
    BadReport,
    NotShared,
    PhotoRefused,
    UnknownAgency,
    UnknownCodename,
    UnknownReport,
)
from webapp.reports.models import AgencyRead, Report, ReportMessage
from webapp.reports.photos import CleanPhoto

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
PHOTO = CleanPhoto("image/png", 1, 1, b"png")


def draft(**changes) -> operations.Draft:
    values = {
        "kinds": ["threats", "property"],
        "happened": "days",
        "area": "chatham",
        "role": "witness",
        "text": "The neighbour shouts and throws things most nights.",
    }
    return operations.Draft(**(values | changes))


def submit(db, the_draft=None, n: int = 1, now: datetime = NOW) -> Report:
    report, made = operations.submit(
        db, the_draft or draft(), lookup_key=f"{n:064x}", form_key=f"{n:064d}", now=now
    )
    assert made
    return report


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_the_same_form_makes_one_report(db):
    first = submit(db)
    again, made = operations.submit(
        db, draft(text="changed"), lookup_key="f" * 64, form_key=f"{1:064d}", now=NOW
    )
    assert again.id == first.id and not made and count(db, Report) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["threats", "arson"]}, "kinds"),
        ({"happened": "tomorrow"}, "happened"),
        ({"area": "mars"}, "area"),
        ({"role": "judge"}, "role"),
        ({"text": "   "}, "text"),
        ({"text": "x" * (operations.MAX_TEXT + 1)}, "text"),
    ],
)
def test_values_the_form_does_not_offer_store_nothing(db, changes, field):
    with pytest.raises(BadReport) as bad:
        submit(db, draft(**changes))
    assert bad.value.field == field and count(db, Report) == 0


def test_six_photos_or_an_unknown_agency_store_nothing(db):
    with pytest.raises(PhotoRefused):
        submit(db, draft(photos=[PHOTO] * 6))
    with pytest.raises(UnknownAgency):
        submit(db, draft(agencies=["no-such-agency"]))
    assert count(db, Report) == 0


def test_the_thread_goes_both_ways_and_counts_as_activity(db, db_app):
    advocate = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["advocate"])
    report = submit(db)
    operations.reply(
        db,
        report.id,
        "We read it. Are you safe?",
        author_id=advocate.id,
        now=NOW + timedelta(days=2),
    )
    operations.answer(db, report, "Yes, for now.", now=NOW + timedelta(days=3))
    found = operations.find(db, f"{1:064x}")
    assert [(m.sender, m.body) for m in found.messages] == [
        ("advocate", "We read it. Are you safe?"),
        ("reporter", "Yes, for now."),
    ]
    assert found.last_activity_at == NOW + timedelta(days=3)
    with pytest.raises(BadReport):
        operations.answer(db, report, " ", now=NOW)


def test_a_wrong_codename_and_a_deleted_report_look_the_same(db):
    report = submit(db)
    with pytest.raises(UnknownCodename):
        operations.find(db, "0" * 64)
    operations.delete_report(db, report)
    with pytest.raises(UnknownCodename):
        operations.find(db, f"{1:064x}")
    assert count(db, ReportMessage) == 0
    with pytest.raises(UnknownReport):
        operations.reply(db, report.id, "Hello?", author_id=None, now=NOW)


def test_consent_per_agency_can_be_revoked_and_given_again(db, db_app):
    police = agencies.find_or_add_agency(db, "County police")
    services = agencies.find_or_add_agency(db, "Victim services")
    partner = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["partner"])
    report = submit(db, draft(agencies=[police.id]))
    assert consent.is_shared(db, report.id, police.id)
    assert not consent.is_shared(db, report.id, services.id)
    with pytest.raises(NotShared):
        consent.record_read(db, report.id, services.id, user_id=partner.id, now=NOW)
    consent.record_read(db, report.id, police.id, user_id=partner.id, now=NOW + timedelta(hours=1))
    seen = {s.name: s for s in consent.sharing(db, report)}
    assert seen["County police"].shared and seen["County police"].last_read_at == NOW + timedelta(
        hours=1
    )
    assert not seen["Victim services"].shared and seen["Victim services"].last_read_at is None
    consent.revoke(db, report, police.id, now=NOW + timedelta(days=1))
    assert not consent.is_shared(db, report.id, police.id)
    with pytest.raises(NotShared):
        consent.record_read(db, report.id, police.id, user_id=partner.id, now=NOW)
    with pytest.raises(NotShared):
        consent.revoke(db, report, police.id, now=NOW)
    consent.grant(db, report, services.id, now=NOW)
    assert consent.is_shared(db, report.id, services.id)
    consent.grant(db, report, police.id, now=NOW + timedelta(days=2))  # given again
    assert consent.is_shared(db, report.id, police.id)
    again = {s.name: s for s in consent.sharing(db, report)}["County police"]
    assert again.shared and again.since == NOW + timedelta(days=2)
    with pytest.raises(UnknownAgency):
        consent.grant(db, report, "no-such-agency", now=NOW)
    [read] = db.scalars(select(AgencyRead)).all()
    assert (read.user_id, read.agency_id) == (partner.id, police.id), "who read it, audited"


def test_purge_deletes_what_had_no_activity_for_the_retention_period(db):
    old = submit(db, n=1, now=NOW - timedelta(days=40))
    answered = submit(db, n=2, now=NOW - timedelta(days=40))
    operations.answer(db, answered, "Still here.", now=NOW - timedelta(days=5))
    submit(db, n=3, now=NOW)
    assert operations.deleted_after(old, 30) == NOW - timedelta(days=10)
    assert operations.purge(db, now=NOW, retention_days=30) == 1
    db.expire_all()
    assert count(db, Report) == 2 and db.get(Report, answered.id) is not None
