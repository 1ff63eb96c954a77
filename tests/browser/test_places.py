"""Searching the directory in Chromium, in English and Arabic, on a phone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import unlock

axe = Axe()
NEW_RESULTS = "() => !document.documentElement.dataset.before && document.querySelector('#results')"
COUNT_POSITION_REQUESTS = """
    window.positionRequests = 0;
    const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
    navigator.geolocation.getCurrentPosition = (...args) => {
        window.positionRequests += 1;
        ask(...args);
    };
"""


@pytest.fixture(scope="session")
def seeded(haven_app):
    assert haven_app.app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    return haven_app


def search_with(page, control) -> None:
    """Press `control`, then wait for the results the page is rewritten with (same address)."""
    page.evaluate("document.documentElement.dataset.before = 'yes'")
    control.click()
    page.wait_for_function(NEW_RESULTS)


def distances(page) -> list[float]:
    values = page.locator("ul.results li[data-km]").evaluate_all(
        "items => items.map(item => item.dataset.km)"
    )
    return [float(km) for km in values]


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_search_by_words_and_zip_code_leaves_no_trace_in_the_address(
    browser, phone, seeded, locale
):
    context = browser.new_context(**phone, locale=locale, bypass_csp=True)
    page = context.new_page()
    unlock(page, seeded.url)
    page.goto(seeded.url + "/places")
    before = page.evaluate("history.length")
    submit = page.locator("form[data-finder] button[type=submit]")

    page.get_by_test_id("search").fill("refugio")
    search_with(page, submit)
    assert "Refugio" in page.locator("ul.results").inner_text()
    assert page.url == seeded.url + "/places"
    assert page.evaluate("history.length") == before
    assert [v["id"] for v in axe.run(page).response["violations"]] == []

    page.get_by_test_id("search").fill("")
    page.locator("#postcode").fill("62704")
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    found = distances(page)
    assert len(found) >= 5 and found == sorted(found)
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(lambda url: not url.startswith(seeded.url))
    context.close()


def test_near_me_asks_for_the_position_only_when_tapped(browser, phone, seeded):
    context = browser.new_context(
        **phone,
        geolocation={"latitude": 39.7817, "longitude": -89.6501},
        permissions=["geolocation"],
    )
    context.add_init_script(COUNT_POSITION_REQUESTS)
    page = context.new_page()
    unlock(page, seeded.url)
    page.goto(seeded.url + "/places")
    assert page.evaluate("window.positionRequests") == 0
    search_with(page, page.locator("button[data-near-me]"))
    found = distances(page)
    assert found and found == sorted(found) and found[0] < 10
    assert page.url == seeded.url + "/places"
    assert "39.78" not in page.content(), "the position is not written back into the page"
    context.close()
