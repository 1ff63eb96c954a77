"""Partner agencies: only what a reporter shares with their agency, every read recorded where
she sees it; the thread with the advocates; figures that give nobody away."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, unlock
from tests.integration.test_console_reports import a_report, events, png, post, staff
from tests.integration.test_write import codename_of, fields, send, the_form
from webapp.accounts.models import User
from webapp.db import session_scope
from webapp.reports import agencies, consent, operations
from webapp.reports.models import AgencyMessage, AgencyRead, Report
from webapp.reports.photos import CleanPhoto

TEXT = "MARKER-TEXT he took my phone and my passport"
NOW = factories.NOW


@pytest.fixture
def app(migrated_app, clock):
    clock.now = NOW.timestamp()
    return migrated_app


@pytest.fixture
def two_agencies(app) -> tuple[str, str]:
    with session_scope(app) as session:
        police = agencies.find_or_add_agency(session, "County police").id
        court = agencies.find_or_add_agency(session, "Prosecutor's office").id
    return police, court


def routes(report_id: str, agency_id: str, photo_id: int) -> list[tuple[str, str]]:
    base = f"/partners/shared/{report_id}"
    return [
        ("GET", base),
        ("GET", f"{base}/photos/{photo_id}"),
        ("POST", f"{base}/agencies/{agency_id}"),
    ]


def status_of(browser, method: str, url: str) -> int:
    if method == "GET":
        return browser.get(url).status_code
    token = csrf_token(browser.get("/partners/").get_data(as_text=True))
    agency_id = url.rsplit("/", 1)[1]
    body = {"csrf_token": token, f"note-{agency_id}-body": "About this report"}
    return browser.post(url, data=body).status_code


def photo_id_of(app, report_id: str) -> int:
    with session_scope(app) as session:
        return session.get(Report, report_id).photos[0].id


def test_without_consent_a_partner_sees_nothing_with_it_one_report_and_after_revoking_nothing(
    app, two_agencies
):
    police, court = two_agencies
    photo = CleanPhoto("image/png", 4, 3, png())
    shared = a_report(app, n=1, shared_with=[], photos=[photo])
    other = a_report(app, n=2, shared_with=[court], photos=[photo])
    officer, officer_id = staff(app, roles=("partner",), agency_ids=[police])
    urls = routes(shared, police, photo_id_of(app, shared))

    listing = officer.get("/partners/").get_data(as_text=True)
    assert shared not in listing and other not in listing
    assert [status_of(officer, m, u) for m, u in urls] == [404, 404, 404]
    # Another agency's report, through this agency's address or that one's: nothing either.
    for method, url in routes(other, police, photo_id_of(app, other)) + routes(
        other, court, photo_id_of(app, other)
    ):
        assert status_of(officer, method, url) == 404, url

    with session_scope(app) as session:
        consent.grant(session, session.get(Report, shared), police, now=NOW)
    assert shared in officer.get("/partners/").get_data(as_text=True)
    page = officer.get(urls[0][1]).get_data(as_text=True)
    assert TEXT in page and "Threats or frightening behaviour" in page
    assert officer.get(urls[1][1]).status_code == 200
    assert status_of(officer, *urls[2]) == 303
    assert events(app, "report.partner_read") == [
        (officer_id, {"report_id": shared, "agency_id": police})
    ]

    with session_scope(app) as session:
        consent.revoke(session, session.get(Report, shared), police, now=NOW)
    assert shared not in officer.get("/partners/").get_data(as_text=True)
    assert [status_of(officer, m, u) for m, u in urls] == [404, 404, 404]
    with session_scope(app) as session:
        reads = session.scalars(select(AgencyRead)).all()
        assert [(r.report_id, r.agency_id, r.user_id) for r in reads] == [
            (shared, police, officer_id)
        ]
        notes = session.scalars(select(AgencyMessage)).all()
        assert [(n.report_id, n.agency_id, n.side) for n in notes] == [(shared, police, "partner")]


def test_advocates_cannot_use_the_partners_area(app, two_agencies):
    police, _ = two_agencies
    report_id = a_report(app, shared_with=[police])
    advocate, _ = staff(app)
    assert advocate.get(f"/partners/shared/{report_id}").status_code in (403, 404)
    assert advocate.get("/partners/figures").status_code in (403, 404)


def test_she_sees_when_the_agency_opened_her_report(app, two_agencies):
    police, _ = two_agencies
    survivor = app.test_client()
    unlock(survivor)
    sent = send(survivor, the_form(survivor) | fields(agencies=[police]))
    codename_of(survivor, sent)
    before = survivor.get("/write/mine").get_data(as_text=True)
    assert "Has not opened it yet." in before
    with session_scope(app) as session:
        report_id = session.scalar(select(Report.id))
    officer, _ = staff(app, roles=("partner",), agency_ids=[police])
    assert officer.get(f"/partners/shared/{report_id}").status_code == 200
    after = survivor.get("/write/mine").get_data(as_text=True)
    assert "Has not opened it yet." not in after and "Last opened it on" in after


def test_the_thread_with_the_advocates_goes_both_ways(app, two_agencies):
    police, _ = two_agencies
    report_id = a_report(app, shared_with=[police])
    officer, _ = staff(app, roles=("partner",), agency_ids=[police])
    advocate, _ = staff(app)
    page = f"/partners/shared/{report_id}"
    asked = post(
        officer,
        page,
        f"{page}/agencies/{police}",
        {f"note-{police}-body": "Is she willing to talk to a detective?"},
    )
    assert asked.status_code == 303
    console = f"/console/inbox/{report_id}"
    assert "Is she willing to talk to a detective?" in advocate.get(console).get_data(as_text=True)
    post(
        advocate,
        console,
        f"{console}/agencies/{police}",
        {f"note-{police}-body": "We will ask her."},
    )
    assert "We will ask her." in officer.get(page).get_data(as_text=True)
    empty = post(officer, page, f"{page}/agencies/{police}", {f"note-{police}-body": " "})
    assert empty.status_code == 400
    assert "Write your message first." in empty.get_data(as_text=True)


def many_reports(app, plan):
    n = 0
    with session_scope(app) as session:
        for month, area, kinds, count in plan:
            for _ in range(count):
                n += 1
                operations.submit(
                    session,
                    operations.Draft(
                        kinds=list(kinds), happened="days", area=area, role="victim", text="x"
                    ),
                    lookup_key=f"{n:064x}",
                    form_key=f"{n:064d}",
                    now=datetime(2027, month, 5, 12, tzinfo=UTC),
                )


PLAN = [
    (1, "chatham", ("physical",), 2),
    (1, "rochester", ("threats",), 9),
    (1, "springfield-north", ("threats", "stalking"), 14),
]


def page_tables(html: str) -> list[tuple[str, str, str]]:
    found = []
    for dimension, body in re.findall(
        r'<table data-dimension="(\w+)">(.*?)</table>', html, flags=re.S
    ):
        for label, shown in re.findall(
            r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td></tr>", body
        ):
            found.append((dimension, label.replace("&#39;", "'"), shown.replace("&lt;", "<")))
    return found


def test_figures_never_show_a_small_count_and_the_csv_says_what_the_page_says(app, two_agencies):
    many_reports(app, PLAN)
    officer, _ = staff(app, roles=("partner",), agency_ids=[two_agencies[0]])
    html = officer.get("/partners/figures").get_data(as_text=True)
    cells = page_tables(html)
    assert ("area", "Chatham", "<5") in cells
    # The only month with reports: the eleven empty ones' "<5" would otherwise say 0.
    assert ("month", "January 2027", "x") in cells and ("month", "All reports", "25") in cells
    assert ("kind", "All reports", "25") in cells
    for _, _, shown in cells:
        assert shown in ("<5", "x") or int(shown) >= 5, cells
    assert "<svg" in html and 'role="img"' in html
    answer = officer.get("/partners/figures.csv")
    assert answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["table", "code", "label", "reports"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == cells


def test_fewer_than_five_reports_give_no_figures_anywhere(app, two_agencies):
    many_reports(app, [(1, "chatham", ("physical",), 4)])
    officer, _ = staff(app, roles=("partner",), agency_ids=[two_agencies[0]])
    html = officer.get("/partners/figures").get_data(as_text=True)
    assert "Too few reports" in html and "<table" not in html
    rows = list(
        csv.reader(io.StringIO(officer.get("/partners/figures.csv").get_data(as_text=True)))
    )
    assert rows[1:] == [["all", "total", "All reports", "withheld"]]


def test_an_operator_adds_an_agency_and_a_partner_who_works_for_it(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["agencies", "add", "County police"])
    assert added.exit_code == 0, added.output
    agency_id = added.output.split()[0]
    assert runner.invoke(args=["agencies", "add", "County police"]).output == added.output
    assert "County police" in runner.invoke(args=["agencies", "list"]).output
    assert runner.invoke(args=["agencies", "add", " "]).exit_code != 0
    created = runner.invoke(
        args=[
            "users",
            "create",
            "officer@haven.test",
            "--role",
            "partner",
            "--agency",
            agency_id,
            "--password-stdin",
        ],
        input="a long and unusual passphrase 93\n",
    )
    assert created.exit_code == 0, created.output
    with session_scope(app) as session:
        [agency] = agencies.all_agencies(session)
        user_id = session.scalar(select(User.id).where(User.email == "officer@haven.test"))
        assert agency.id == agency_id
        assert [a.id for a in agencies.agencies_of(session, user_id)] == [agency_id]
