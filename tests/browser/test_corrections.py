""" "Something here is wrong" in Chromium, with JavaScript and without: from her service page to
the moderators' list, with axe on every new page (hers in English and Arabic)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, swapped, unlock
from tests.browser.test_traces import files_holding
from tests.chromium import launch_options
from webapp.accounts.sessions import start_session
from webapp.db import session_scope

WORDS = {"en": "The number now rings a bakery", "ar": "الرقم لم يعد يعمل منذ أسبوع"}
NO_SCRIPT_WORDS = "Moved to the corner of Elm and Fifth"


@pytest.fixture(scope="module")
def listing(exit_url, tmp_path_factory):
    """Haven with one published service and a moderator signed in through a session token."""
    with serve_haven(exit_url, tmp_path_factory) as server:
        with session_scope(server.app) as session:
            server.service_id = factories.service(session, name="Riverside Legal Clinic")
            moderator = factories.user(
                session, server.app.config["HAVEN_SETTINGS"], roles=["moderator"]
            )
            server.staff_token = start_session(session, moderator, now=datetime.now(UTC))
        yield server


def open_the_form(page, server, *, javascript: bool = True) -> None:
    """From the service's page, the link a survivor taps."""
    unlock(page, server.url)
    page.goto(f"{server.url}/places/{server.service_id}")
    link = page.locator(f'a[href="/places/{server.service_id}/fix"]')
    if javascript:
        swapped(page, link.click)
    else:
        link.click()
        page.wait_for_load_state()
    page.locator("textarea#details").wait_for()


def moderators_page(browser, server):
    context = browser.new_context(locale="en")
    context.add_cookies([{"name": "staff", "value": server.staff_token, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/portal/corrections")
    return context, page


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_with_javascript_a_correction_is_sent_in_place_and_reaches_the_moderators(
    browser, phone, listing, locale
):
    context = browser.new_context(**phone, locale=locale)
    page = context.new_page()
    refused = csp_refusals(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_the_form(page, listing)
    assert page.evaluate("document.documentElement.lang") == locale
    assert axe_violations(page) == []

    page.locator("textarea#details").fill(WORDS[locale])
    swapped(page, page.locator("main form button[type=submit]").click)
    assert page.locator("#kind-error").is_visible(), "nothing chosen: said next to the choices"
    assert page.locator("textarea#details").input_value() == WORDS[locale], "her words kept"
    assert axe_violations(page) == []

    page.locator("input[name=kind][value=phone]").check()
    swapped(page, page.locator("main form button[type=submit]").click)
    assert page.url == listing.url + "/", "one address: the swap leaves the start page's"
    assert page.evaluate("() => document.activeElement === document.querySelector('main h1')")
    assert page.locator("main h1").is_visible() and page.get_by_test_id("quick-exit").is_visible()
    assert axe_violations(page) == []
    assert not any(WORDS[locale] in url for url in requested)
    assert refused == [] and [url for url in requested if not url.startswith(listing.url)] == []
    context.close()

    staff, moderator = moderators_page(browser, listing)
    staff_refused = csp_refusals(moderator)
    item = moderator.locator("section[aria-labelledby=waiting-title] li", has_text=WORDS[locale])
    assert item.get_by_role("link", name="Riverside Legal Clinic").is_visible()
    assert item.get_by_text("The phone number").is_visible()
    assert axe_violations(moderator) == []
    item.get_by_label("Note for the other moderators (optional)").fill("Called them")
    item.get_by_role("button", name="Mark handled").click()
    moderator.get_by_text("Marked handled.").wait_for()
    resolved = moderator.locator("section[aria-labelledby=resolved-title]")
    assert resolved.get_by_text(WORDS[locale]).is_visible()
    assert axe_violations(moderator) == [] and staff_refused == []
    staff.close()


def test_without_javascript_she_gets_a_thanks_address_without_her_words_and_leaves_none(
    playwright_api, browser, phone, listing, exit_url, tmp_path
):
    profile = tmp_path / "profile"
    device = {key: value for key, value in phone.items() if key != "default_browser_type"}
    context = playwright_api.chromium.launch_persistent_context(
        str(profile), **launch_options(), **device, java_script_enabled=False
    )
    page = context.pages[0] if context.pages else context.new_page()
    open_the_form(page, listing, javascript=False)
    assert page.url == f"{listing.url}/places/{listing.service_id}/fix"
    page.locator("input[name=kind][value=address]").check()
    page.locator("textarea#details").fill(NO_SCRIPT_WORDS)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{listing.url}/places/{listing.service_id}/thanks")
    assert page.locator("main h1").inner_text() == "Thank you"
    page.go_back()
    assert page.locator("textarea#details").input_value() == "", "Back shows an empty form"
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    context.close()
    assert files_holding(profile, NO_SCRIPT_WORDS) == []

    staff, moderator = moderators_page(browser, listing)
    item = moderator.locator("section[aria-labelledby=waiting-title] li", has_text=NO_SCRIPT_WORDS)
    assert item.get_by_text("The address or directions").is_visible()
    staff.close()
