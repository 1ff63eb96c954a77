"""One transaction per request: committed on success, rolled back on a refusal or an error."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import select

from webapp.db import get_session, keep_on_refusal, session_scope
from webapp.reports.models import PartnerAgency


def add_agency(name: str) -> None:
    get_session().add(PartnerAgency(name=name))
    get_session().flush()


def answer_with(status: int, *, keep: bool = False):
    def view():
        add_agency(f"answered {status}{' kept' if keep else ''}")
        if keep:
            keep_on_refusal()
        if status == 500:
            raise RuntimeError("a bug after the flush")
        if status == 404:
            abort(404)
        return "", status

    return view


CASES = [
    (200, False, True),
    (303, False, True),
    (400, False, False),
    (404, False, False),
    (401, True, True),
    (500, False, False),
    (500, True, False),
]


@pytest.fixture
def app(migrated_app):
    for status, keep, _ in CASES:
        rule = f"/test/{status}/{'keep' if keep else 'plain'}"
        migrated_app.add_url_rule(rule, rule, answer_with(status, keep=keep))
    return migrated_app


@pytest.mark.parametrize(("status", "keep", "stored"), CASES)
def test_a_request_commits_only_what_a_success_or_a_kept_refusal_did(app, status, keep, stored):
    response = app.test_client().get(f"/test/{status}/{'keep' if keep else 'plain'}")
    assert response.status_code == status
    with session_scope(app) as session:
        names = list(session.scalars(select(PartnerAgency.name)))
    assert bool(names) is stored, names


def test_no_database_error_shows_the_values_it_was_given(db, caplog):
    """A failing statement's values (a survivor's words, a number) stay out of every message."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    row = {"id": "one-id", "name": "words-a-survivor-typed"}
    db.execute(insert(PartnerAgency).values(**row))
    with pytest.raises(IntegrityError) as failed:
        db.execute(insert(PartnerAgency).values(**row))
    assert "words-a-survivor-typed" not in str(failed.value)
    assert "words-a-survivor-typed" not in caplog.text
    db.rollback()
