"""Without JavaScript: neutral addresses, searches by post-redirect-get, and the idle lock."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.browser.conftest import serve_haven
from tests.browser.helpers import unlock
from tests.browser.test_traces import WORD, ZIP, files_holding
from tests.chromium import launch_options
from webapp.db import session_scope
from webapp.reports.models import Report


def test_the_idle_lock_brings_the_start_page_back_on_screen(
    browser, phone, exit_url, tmp_path_factory
):
    with serve_haven(exit_url, tmp_path_factory, lock_after_minutes=0.05) as server:
        context = browser.new_context(**phone, java_script_enabled=False)
        page = context.new_page()
        unlock(page, server.url)
        assert page.url == server.url + "/tips"
        page.get_by_test_id("unlock").wait_for(timeout=15_000)
        assert page.url == server.url + "/" and page.get_by_test_id("quick-exit").count() == 0
        page.goto(server.url + "/home")
        assert page.url == server.url + "/", "and the session is locked, not only the page"
        context.close()


def test_a_search_leaves_no_form_to_resend_and_no_words_in_the_profile(
    playwright_api, phone, haven, exit_url, tmp_path
):
    profile = tmp_path / "profile"
    device = {key: value for key, value in phone.items() if key != "default_browser_type"}
    context = playwright_api.chromium.launch_persistent_context(
        str(profile), **launch_options(), **device, java_script_enabled=False
    )
    page = context.pages[0] if context.pages else context.new_page()
    unlock(page, haven)
    page.goto(haven + "/places")
    page.get_by_test_id("search").fill(WORD)
    page.locator("#postcode").fill(ZIP)
    page.locator("form[data-finder] button[type=submit]").click()
    page.locator("#results").wait_for()
    results = page.url
    assert WORD not in results and ZIP not in results and "/places/r/" in results

    page.go_back()
    assert page.url == haven + "/places"
    assert page.locator("main h1").is_visible(), "the search page itself, no resubmission"
    page.go_forward()
    assert page.url == results and page.locator("#results").is_visible()
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    context.close()
    assert files_holding(profile, WORD) == [] and files_holding(profile, ZIP) == []


def test_a_report_without_javascript_goes_without_a_proof_under_the_stricter_limit(
    browser, phone, exit_url, tmp_path_factory
):
    """No script, no proof: the report still goes; past the stricter limit (one an hour
    here) the form comes back with what she wrote and says why."""
    words = "He took my phone again on Friday."
    with serve_haven(exit_url, tmp_path_factory, reports_an_hour_without_proof=1) as server:
        context = browser.new_context(**phone, java_script_enabled=False)
        page = context.new_page()
        unlock(page, server.url)
        for attempt in range(2):
            page.goto(server.url + "/write")
            assert page.locator('input[name="proof"]').input_value() == ""
            page.locator("#role-0").check()
            page.locator('input[name="kinds"][value="control"]').check()
            page.locator('input[name="happened"][value="days"]').check()
            page.locator("#area").select_option("chatham")
            page.get_by_test_id("report-text").fill(words)
            with page.expect_navigation() as sent:
                page.get_by_test_id("report-submit").click()
            if attempt == 0:
                assert len(page.get_by_test_id("codename").inner_text().split()) == 7
        assert sent.value.status == 429
        assert "Too many tries in a short time." in page.locator("main").inner_text()
        assert page.get_by_test_id("report-text").input_value() == words
        assert page.locator("#area").input_value() == "chatham"
        assert page.get_by_test_id("quick-exit").is_visible()
        context.close()
        with session_scope(server.app) as session:
            assert session.scalar(select(func.count()).select_from(Report)) == 1
