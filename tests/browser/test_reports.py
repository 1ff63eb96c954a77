"""A report from end to end in Chromium, in English and Arabic: sent with a photo carrying GPS,
the secret phrase noted, the report opened again in a new browser, an advocate's reply read
and answered, the sharing with an agency stopped, the report deleted; axe at every step."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from tests import factories
from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, swapped, unlock
from tests.photo_samples import jpeg_with_gps
from webapp.db import session_scope
from webapp.reports import agencies, operations
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
        advocate = factories.user(session, station.app.config["HAVEN_SETTINGS"])
        operations.reply(
            session,
            report.id,
            "We read it. Are you safe?",
            author_id=advocate.id,
            now=report.created_at,
        )

    second, page = new_page(browser, phone, locale)
    unlock(page, base)
    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/write"]').first.click)
    page.locator("#codename").fill(codename)
    swapped(page, lambda: page.locator("#codename").press("Enter"))
    assert "We read it. Are you safe?" in page.locator("main").inner_text()
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
        assert session.scalars(select(Report)).all() == []
    assert refused == []
    second.close()
