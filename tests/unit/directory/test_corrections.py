"""Survivors' corrections of a listing: stored without a trace of who, resolved once, erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from tests import factories
from webapp.directory import corrections
from webapp.directory.errors import (
    BadCorrection,
    CorrectionResolved,
    UnknownCorrection,
    UnknownService,
)
from webapp.directory.models import Correction

AT_1547 = datetime(2027, 1, 12, 15, 47, 13, 512, tzinfo=UTC)
WORDS = "The number now rings a pizza place"


@pytest.fixture
def moderator(db, db_app):
    return factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["moderator"])


def test_a_correction_keeps_the_hour_it_came_and_her_words_sealed(db):
    service = factories.service(db, name="Riverside Legal Clinic")
    stored = corrections.submit(db, service, "phone", f"  {WORDS}\n", now=AT_1547)
    assert stored.received_at == datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
    assert stored.details == WORDS and stored.status == "open"
    raw = db.execute(text("SELECT details FROM service_corrections")).scalar_one()
    assert WORDS not in raw and "pizza" not in raw


def test_two_corrections_in_one_hour_cannot_be_told_apart_by_time_or_order(db):
    service = factories.service(db)
    first = corrections.submit(db, service, "hours", None, now=AT_1547)
    second = corrections.submit(db, service, "hours", None, now=AT_1547 + timedelta(minutes=5))
    assert first.received_at == second.received_at
    assert first.id != second.id and not (first.id.isdigit() or second.id.isdigit())


def test_blank_words_are_no_words(db):
    stored = corrections.submit(db, factories.service(db), "closed", " \n\t ", now=AT_1547)
    assert stored.details is None


@pytest.mark.parametrize("draft, status", [(True, "active"), (False, "inactive")])
def test_only_published_services_take_corrections(db, draft, status):
    hidden = factories.service(db, draft=draft, status=status)
    with pytest.raises(UnknownService):
        corrections.submit(db, hidden, "phone", WORDS, now=AT_1547)
    with pytest.raises(UnknownService):
        corrections.submit(db, "no-such-service", "phone", WORDS, now=AT_1547)
    assert db.scalars(select(Correction)).all() == []


@pytest.mark.parametrize("kind, words", [("colour", None), ("", None), ("phone", "x" * 501)])
def test_an_unknown_kind_or_too_many_words_is_refused(db, kind, words):
    with pytest.raises(BadCorrection):
        corrections.submit(db, factories.service(db), kind, words, now=AT_1547)
    assert db.scalars(select(Correction)).all() == []


def test_open_corrections_come_oldest_first_with_the_names_of_what_they_are_about(db):
    organization = factories.organization(db, name="Riverside Center")
    clinic = factories.service(db, name="Legal Clinic", organization_id=organization)
    line = factories.service(db, name="Night Line")
    corrections.submit(db, line, "closed", None, now=AT_1547 + timedelta(hours=2))
    corrections.submit(db, clinic, "address", "Moved to Elm Street", now=AT_1547)
    listed = corrections.open_corrections(db)
    assert [(i.service_name, i.correction.kind) for i in listed] == [
        ("Legal Clinic", "address"),
        ("Night Line", "closed"),
    ]
    assert listed[0].organization_name == "Riverside Center"


def test_a_correction_is_resolved_once_and_stays_listed_for_two_weeks(db, moderator):
    correction = corrections.submit(db, factories.service(db), "hours", WORDS, now=AT_1547)
    resolved_at = AT_1547 + timedelta(days=1)
    corrections.resolve(
        db,
        correction.id,
        outcome="handled",
        note=" Called them ",
        moderator_id=moderator.id,
        now=resolved_at,
    )
    with pytest.raises(CorrectionResolved):
        corrections.resolve(
            db,
            correction.id,
            outcome="dismissed",
            note=None,
            moderator_id=moderator.id,
            now=resolved_at,
        )
    db.expire_all()
    assert corrections.open_corrections(db) == []
    [listed] = corrections.recently_resolved(db, now=resolved_at + timedelta(days=13))
    stored = listed.correction
    assert (stored.status, stored.note, stored.resolved_by) == (
        "handled",
        "Called them",
        moderator.id,
    )
    assert stored.resolved_at == resolved_at
    assert corrections.recently_resolved(db, now=resolved_at + timedelta(days=15)) == []


def test_resolving_what_does_not_exist_or_with_a_bad_outcome_is_refused(db, moderator):
    with pytest.raises(UnknownCorrection):
        corrections.resolve(
            db,
            "no-such-correction",
            outcome="handled",
            note=None,
            moderator_id=moderator.id,
            now=AT_1547,
        )
    correction = corrections.submit(db, factories.service(db), "hours", None, now=AT_1547)
    for outcome, note in (("open", None), ("deleted", None), ("handled", "n" * 201)):
        with pytest.raises(BadCorrection):
            corrections.resolve(
                db,
                correction.id,
                outcome=outcome,
                note=note,
                moderator_id=moderator.id,
                now=AT_1547,
            )
    assert [i.correction.id for i in corrections.open_corrections(db)] == [correction.id]


def test_purge_erases_words_and_notes_only_after_the_retention_period(db, moderator):
    service = factories.service(db)
    old = corrections.submit(db, service, "phone", WORDS, now=AT_1547)
    recent = corrections.submit(db, service, "hours", "Closed on Sundays now", now=AT_1547)
    waiting = corrections.submit(db, service, "other", "Still waiting", now=AT_1547)
    for correction, days in ((old, 0), (recent, 20)):
        corrections.resolve(
            db,
            correction.id,
            outcome="dismissed",
            note="Checked",
            moderator_id=moderator.id,
            now=AT_1547 + timedelta(days=days),
        )
    later = AT_1547 + timedelta(days=31)
    assert corrections.purge(db, now=later, retention_days=30) == 1
    assert corrections.purge(db, now=later, retention_days=30) == 0, "once"
    db.expire_all()
    erased = db.get(Correction, old.id)
    assert (erased.details, erased.note, erased.erased_at) == (None, None, later)
    assert (erased.kind, erased.status, erased.service_id) == ("phone", "dismissed", service)
    assert db.get(Correction, recent.id).details == "Closed on Sundays now"
    assert db.get(Correction, waiting.id).details == "Still waiting", "open ones wait for a person"
