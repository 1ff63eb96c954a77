"""Anonymous reports in the advocate console: the inbox, reading under audit, answering, status,
and writing to an agency only while the reporter shares the report with it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from webapp.accounts.models import AuditEvent
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.reports import agencies, consent, operations
from webapp.reports.models import AgencyMessage, Report
from webapp.reports.photos import CleanPhoto

TEXT = "MARKER-TEXT he took my phone and my passport"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def app(migrated_app, clock):
    clock.now = factories.NOW.timestamp()
    return migrated_app


def staff(app, roles=("advocate",), agency_ids=()):
    with session_scope(app) as session:
        user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=roles)
        agencies.add_members(session, user.id, agency_ids)
        token, user_id = start_session(session, user, now=factories.NOW), user.id
    browser = app.test_client()
    browser.set_cookie("staff", token)
    return browser, user_id


def a_report(app, *, n=1, shared_with=(), photos=()) -> str:
    with session_scope(app) as session:
        report, _ = operations.submit(
            session,
            operations.Draft(
                kinds=["threats", "control"],
                happened="days",
                area="chatham",
                role="victim",
                text=TEXT,
                agencies=list(shared_with),
                photos=list(photos),
            ),
            lookup_key=f"{n:064x}",
            form_key=f"{n:064d}",
            now=factories.NOW,
        )
        return report.id


@pytest.fixture
def police(app) -> str:
    with session_scope(app) as session:
        return agencies.find_or_add_agency(session, "County police").id


def post(browser, page: str, action: str, data: dict):
    token = csrf_token(browser.get(page).get_data(as_text=True))
    return browser.post(action, data={"csrf_token": token, **data})


def events(app, action: str) -> list[AuditEvent]:
    with session_scope(app) as session:
        found = session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(e.actor_id, dict(e.detail)) for e in found]


def test_the_inbox_lists_reports_without_their_text_and_reading_one_is_audited(app, police):
    report_id = a_report(app, shared_with=[police], photos=[CleanPhoto("image/png", 4, 3, png())])
    browser, user_id = staff(app)
    inbox = browser.get("/console/inbox").get_data(as_text=True)
    assert "Threats or frightening behaviour" in inbox and "Chatham" in inbox
    assert "waits for an answer" in inbox and "1 photo" in inbox and "shared with 1 agency" in inbox
    assert TEXT not in inbox
    assert events(app, "report.read") == []
    page = browser.get(f"/console/inbox/{report_id}").get_data(as_text=True)
    assert TEXT in page and "County police" in page
    assert events(app, "report.read") == [(user_id, {"report_id": report_id})]
    [src] = re.findall(r'<img src="([^"]+)"', page)
    image = browser.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Cache-Control"] == "no-store"
    assert events(app, "report.photo_read") == [(user_id, {"report_id": report_id})]


def test_partners_and_editors_cannot_open_the_inbox(app, police):
    report_id = a_report(app)
    for roles in (("partner",), ("editor",)):
        browser, _ = staff(app, roles=roles, agency_ids=[police] if "partner" in roles else [])
        for page in ("/console/inbox", f"/console/inbox/{report_id}"):
            assert browser.get(page).status_code in (403, 404), (roles, page)
    assert events(app, "report.read") == []


def test_an_answer_reaches_her_thread_and_the_report_is_taken_up(app):
    report_id = a_report(app)
    browser, user_id = staff(app)
    page = f"/console/inbox/{report_id}"
    sent = post(browser, page, f"{page}/reply", {"body": "We read you. Are you safe tonight?"})
    assert sent.status_code == 303
    assert "She reads it when she opens her report" in browser.get(page).get_data(as_text=True)
    with session_scope(app) as session:
        report = session.get(Report, report_id)
        assert [(m.sender, m.body, m.author_id) for m in report.messages] == [
            ("advocate", "We read you. Are you safe tonight?", user_id)
        ]
        assert report.status == "open"
    inbox = browser.get("/console/inbox").get_data(as_text=True)
    assert "waits for an answer" not in inbox


def test_an_empty_or_overlong_answer_is_refused_and_kept(app):
    report_id = a_report(app)
    browser, _ = staff(app)
    page = f"/console/inbox/{report_id}"
    empty = post(browser, page, f"{page}/reply", {"body": "   "})
    assert empty.status_code == 400 and "Write your answer first." in empty.get_data(as_text=True)
    long = "a" * 2001
    refused = post(browser, page, f"{page}/reply", {"body": long})
    assert refused.status_code == 400
    assert "Use at most 2,000 letters." in refused.get_data(as_text=True)
    assert long in refused.get_data(as_text=True)
    with session_scope(app) as session:
        assert session.get(Report, report_id).messages == []


def test_status_moves_and_a_made_up_status_is_refused(app):
    report_id = a_report(app)
    browser, _ = staff(app)
    page = f"/console/inbox/{report_id}"
    assert post(browser, page, f"{page}/status", {"status": "closed"}).status_code == 303
    assert post(browser, page, f"{page}/status", {"status": "burnt"}).status_code == 400
    with session_scope(app) as session:
        assert session.get(Report, report_id).status == "closed"
    closed = browser.get("/console/inbox?status=closed").get_data(as_text=True)
    new = browser.get("/console/inbox?status=new").get_data(as_text=True)
    assert f"/console/inbox/{report_id}" in closed and f"/console/inbox/{report_id}" not in new


def test_advocates_write_to_an_agency_only_while_she_shares_the_report_with_it(app, police):
    report_id = a_report(app, shared_with=[police])
    with session_scope(app) as session:
        other = agencies.find_or_add_agency(session, "Prosecutor's office").id
    browser, _ = staff(app)
    page = f"/console/inbox/{report_id}"
    body = {f"note-{police}-body": "Can you reach out about the passport?"}
    assert post(browser, page, f"{page}/agencies/{police}", body).status_code == 303
    assert "Can you reach out about the passport?" in browser.get(page).get_data(as_text=True)
    refused = post(browser, page, f"{page}/agencies/{other}", {f"note-{other}-body": "Hello"})
    assert refused.status_code == 303
    with session_scope(app) as session:
        report = session.get(Report, report_id)
        consent.revoke(session, report, police, now=factories.NOW)
    after = post(browser, page, f"{page}/agencies/{police}", body)
    assert after.status_code == 303
    assert "Nothing was sent" in browser.get(page).get_data(as_text=True)
    with session_scope(app) as session:
        stored = session.scalars(select(AgencyMessage)).all()
        assert [(m.agency_id, m.side) for m in stored] == [(police, "advocate")]


def test_a_deleted_report_is_a_404_for_advocates(app):
    report_id = a_report(app)
    with session_scope(app) as session:
        operations.delete_report(session, session.get(Report, report_id))
    browser, _ = staff(app)
    assert browser.get(f"/console/inbox/{report_id}").status_code == 404
    assert browser.get("/console/inbox/not-a-uuid").status_code == 404
