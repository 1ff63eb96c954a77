"""A report from end to end in Chromium, in English and Arabic: sent with a photo carrying GPS,
the secret phrase noted, the report opened again in a new browser, an advocate's reply read
and answered, the sharing with an agency stopped, the report deleted; axe at every step."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from babel.support import Translations
from PIL import Image
from sqlalchemy import select

from tests import factories
from tests.browser.conftest import serve_haven
from tests.browser.helpers import IsolatedWorld, axe_violations, csp_refusals, swapped, unlock
from tests.photo_samples import jpeg_with_gps
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.reports import agencies, operations, proofs
from webapp.reports import agencies as partner_agencies
from webapp.reports.models import Report, ReportPhoto

WORDS = "He broke the kitchen door again last night."


@pytest.fixture
def station(exit_url, tmp_path_factory):
    with serve_haven(exit_url, tmp_path_factory) as server:
        with session_scope(server.app) as session:
            server.police = agencies.find_or_add_agency(session, "County police").id
        yield server


@pytest.fixture(params=["en", "ar"])
def locale(request) -> str:
    return request.param


def staff_token(session, station, roles, agencies=()) -> str:
    user = factories.user(session, station.app.config["HAVEN_SETTINGS"], roles=roles)
    partner_agencies.add_members(session, user.id, agencies)
    return start_session(session, user, now=datetime.now(UTC))


def staff_page(browser, base: str, token: str, locale: str):
    """A staff member's desktop browser, signed in (the sign-in itself is tested elsewhere)."""
    context = browser.new_context(locale=locale)
    context.add_cookies([{"name": "staff", "value": token, "url": base}])
    return context.new_page()


def new_page(browser, phone, locale):
    context = browser.new_context(**phone, locale=locale)
    return context, context.new_page()


def send_a_report(page, base: str, police: str) -> str:
    unlock(page, base)
    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/write"]').first.click)
    assert axe_violations(page) == []
    page.locator("#role-0").check()
    page.locator('input[name="kinds"][value="property"]').check()
    page.locator('input[name="happened"][value="days"]').check()
    page.locator("#area").select_option("chatham")
    page.get_by_test_id("report-text").fill(WORDS)
    page.locator("#photos").set_input_files(
        [{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    page.locator(f'input[name="agencies"][value="{police}"]').check()
    swapped(page, page.get_by_test_id("report-submit").click)
    assert axe_violations(page) == []
    return page.get_by_test_id("codename").inner_text()


def test_a_report_from_the_form_to_deleting_it(browser, phone, station, locale):
    base = station.url
    first, page = new_page(browser, phone, locale)
    refused = csp_refusals(page)
    codename = send_a_report(page, base, station.police)
    assert len(codename.split()) == 7
    assert page.url == base + "/", "the address stays the decoy's"
    first.close()

    with session_scope(station.app) as session:
        report = session.scalars(select(Report)).one()
        photo = session.scalars(select(ReportPhoto)).one()
        with Image.open(io.BytesIO(photo.data)) as image:
            assert not image.getexif() and "xmp" not in image.info
        advocate = staff_token(session, station, ["advocate"])
        officer = staff_token(session, station, ["partner"], agencies=[station.police])
        report_id = report.id
        for n, area in enumerate(["chatham"] * 3 + ["rochester"] * 12 + ["springfield-north"] * 9):
            operations.submit(
                session,
                operations.Draft(["threats"], "weeks", area, "witness", "Figures for partners."),
                lookup_key=f"{n:064x}",
                form_key=f"{n:064d}",
                now=report.created_at,
            )

    desk = staff_page(browser, base, advocate, locale)
    desk.goto(base + "/console/inbox")
    assert axe_violations(desk) == []
    desk.locator(f'a[href="/console/inbox/{report_id}"]').click()
    desk.wait_for_url(f"**/console/inbox/{report_id}")
    assert WORDS in desk.locator("main").inner_text()
    assert desk.locator("img.evidence").evaluate("img => img.naturalWidth") > 0
    assert axe_violations(desk) == []
    desk.locator("#body").fill("We read it. Are you safe?")
    desk.locator(f'form[action="/console/inbox/{report_id}/reply"] button').click()
    desk.wait_for_selector("p.saved")
    assert axe_violations(desk) == []
    desk.context.close()

    agency = staff_page(browser, base, officer, locale)
    for path in ("/partners/", f"/partners/shared/{report_id}", "/partners/figures"):
        agency.goto(base + path)
        assert axe_violations(agency) == [], path
    assert agency.locator("table").count() == 3 and agency.locator("svg.chart").count() == 3
    agency.context.close()

    second, page = new_page(browser, phone, locale)
    unlock(page, base)
    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/write"]').first.click)
    page.locator("#codename").fill(codename)
    swapped(page, lambda: page.locator("#codename").press("Enter"))
    assert "We read it. Are you safe?" in page.locator("main").inner_text()
    opened = Translations.load("translations", [locale]).gettext("Last opened it on %(day)s.")
    assert opened.split("%(day)s")[0].strip() in page.locator("ul.sharing").inner_text()
    assert WORDS in page.locator("main").inner_text()
    assert axe_violations(page) == []

    page.locator("#body").fill("Yes, I am at my sister's.")
    swapped(page, page.locator('form[action="/write/mine/answer"] button').click)
    assert "I am at my sister's." in page.locator("main").inner_text()

    stop = page.locator(f'form:has(input[name="agency"][value="{station.police}"]) button')
    swapped(page, stop.click)
    assert page.locator('input[name="change"][value="grant"]').count() == 1, page.locator(
        "main"
    ).inner_text()
    assert axe_violations(page) == []

    page.locator("#sure").check()
    swapped(page, page.locator('form[action="/write/mine/delete"] button').click)
    assert axe_violations(page) == []
    with session_scope(station.app) as session:
        assert session.get(Report, report_id) is None
    assert refused == []
    second.close()


def sent_fields(request, *names: str) -> dict[str, str]:
    """The named fields of a multipart form as the browser sent it."""
    body = request.post_data_buffer or b""
    found = {}
    for name in names:
        value = re.search(rb'name="' + name.encode() + rb'"\r\n\r\n([^\r]*)\r\n', body)
        found[name] = value.group(1).decode() if value else None
    return found


def fill_the_form(page) -> None:
    page.locator("#role-1").check()
    page.locator('input[name="kinds"][value="threats"]').check()
    page.locator('input[name="happened"][value="weeks"]').check()
    page.locator("#area").select_option("rochester")
    page.get_by_test_id("report-text").fill(WORDS)


# Armed before the form is asked for: the moment the page swaps the form in (its scripts'
# set-up done, no digest answered yet), fill it in and press send, long before a proof exists.
SEND_AT_ONCE = """(() => {
  const seen = new MutationObserver(() => {
    const form = document.querySelector('form[data-work]');
    if (!form) { return; }
    seen.disconnect();
    const proofBefore = form.elements.proof.value;
    form.querySelector('#role-1').checked = true;
    form.querySelector('input[name="kinds"][value="threats"]').checked = true;
    form.querySelector('input[name="happened"][value="weeks"]').checked = true;
    form.querySelector('#area').value = 'rochester';
    form.querySelector('[data-testid="report-text"]').value = %s;
    form.querySelector('[data-testid="report-submit"]').click();
    window.sentAtOnce = {proofBefore, note: form.querySelector('[data-waiting]').textContent};
  });
  seen.observe(document.documentElement, {childList: true});
})()"""


def send_at_once(page) -> dict:
    """Send the form the moment it is shown; what its proof field held then and the note
    the page showed while the send waited."""
    world = IsolatedWorld(page)
    try:
        world.evaluate(SEND_AT_ONCE % json.dumps(WORDS))
        swapped(page, page.locator('a[href="/write"]').first.click)
        page.get_by_test_id("codename").wait_for()
        return world.evaluate("window.sentAtOnce")
    finally:
        world.close()


def test_with_javascript_the_form_proves_its_work_and_a_quick_send_waits_for_it(
    browser, phone, exit_url, tmp_path_factory
):
    """The page finds a proof for the form's own ticket in the background; a send pressed
    before it is found waits, says so, and then goes with it. Only one report an hour is
    allowed here without a proof, and both reports go through."""
    with serve_haven(exit_url, tmp_path_factory, reports_an_hour_without_proof=1) as server:
        bits = server.app.config["HAVEN_SETTINGS"].report_proof_bits
        context = browser.new_context(**phone)
        page = context.new_page()
        refused = csp_refusals(page)
        posts = []
        page.on(
            "request", lambda r: r.method == "POST" and r.url.endswith("/write") and posts.append(r)
        )
        unlock(page, server.url)
        swapped(page, page.locator('a[href="/home"]').first.click)
        swapped(page, page.locator('a[href="/write"]').first.click)
        fill_the_form(page)
        swapped(page, page.get_by_test_id("report-submit").click)
        assert len(page.get_by_test_id("codename").inner_text().split()) == 7

        swapped(page, page.locator('a[href="/home"]').first.click)
        sent_at_once = send_at_once(page)
        assert sent_at_once["proofBefore"] == ""
        assert "Getting the form ready to send" in sent_at_once["note"]
        assert len(page.get_by_test_id("codename").inner_text().split()) == 7
        assert len(posts) == 2, "the waiting send went once, when its proof was found"
        for post in posts:
            sent = sent_fields(post, "ticket", "proof", "text")
            assert sent["text"] == WORDS and proofs.verify(sent["ticket"], sent["proof"], bits)
        assert posts[0].post_data_buffer != posts[1].post_data_buffer
        assert refused == []
        with session_scope(server.app) as session:
            stored = session.scalars(select(Report)).all()
            assert len(stored) == 2 and {r.text for r in stored} == {WORDS}
        context.close()
