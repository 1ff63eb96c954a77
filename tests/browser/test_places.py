"""Searching the directory in Chromium, in English and Arabic, on a phone."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime

import pytest

from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, in_tests_world, swapped, unlock
from webapp.clock import FakeClock
from webapp.directory import hsds

# Counting the page's own calls means wrapping its own geolocation object, so this one script runs
# in the page's world (added through DevTools, which the page's policy does not govern).
COUNT_POSITION_REQUESTS = """
    window.positionRequests = 0;
    const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
    navigator.geolocation.getCurrentPosition = (...args) => {
        window.positionRequests += 1;
        ask(...args);
    };
"""


SEED = hsds.HSDS_DIR.parent / "seed"
TUESDAY_NIGHT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 03:00 in Springfield, 04:00 in New York
SERVICE_LINK = re.compile(r"/places/([0-9a-f-]{36})$")


@pytest.fixture(scope="module")
def seeded(exit_url, tmp_path_factory):
    """Haven with the seed directory, its clock stopped on a Tuesday at 3 in the morning."""
    clock = FakeClock(TUESDAY_NIGHT.timestamp())
    with serve_haven(exit_url, tmp_path_factory, clock=clock) as server:
        assert server.app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        yield server


def seed_rows(name: str) -> list[dict]:
    with open(SEED / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def published() -> set[str]:
    drafts = {
        r["record_id"]
        for r in seed_rows("x_haven_records.csv")
        if r["table"] == "service" and r["status"] == "draft"
    }
    return {r["id"] for r in seed_rows("services.csv") if r["status"] == "active"} - drafts


def in_category(code: str) -> set[str]:
    terms = {r["id"] for r in seed_rows("taxonomy_terms.csv") if r["code"] == code}
    return {r["link_id"] for r in seed_rows("attributes.csv") if r["taxonomy_term_id"] in terms}


def always_open() -> set[str]:
    """Services whose schedule covers every hour of every day: the only ones open at 3 a.m."""
    every_day = "MO,TU,WE,TH,FR,SA,SU"
    return {
        r["service_id"]
        for r in seed_rows("schedules.csv")
        if r["byday"] == every_day and r["opens_at"] == "00:00" and r["closes_at"] == "23:59"
    }


def every_result(page) -> list[str]:
    """The ids of the services found, following "Next page" to the end, as a person would."""
    found = []
    while True:
        links = page.locator('ul.results > li > a[href*="/places/"]').evaluate_all(
            "as => as.map(a => a.href)"
        )
        found += [SERVICE_LINK.search(link).group(1) for link in links]
        following = page.locator("form.pager button[name=page]", has_text="Next")
        if not following.count():
            return found
        search_with(page, following)


def open_places(browser, phone, seeded, locale="en"):
    """The search page under its own policy, and the list of anything the policy refuses."""
    context = browser.new_context(**phone, locale=locale)
    page = context.new_page()
    refused = csp_refusals(page)
    unlock(page, seeded.url)
    page.goto(seeded.url + "/places")
    return context, page, refused


def search_with(page, control) -> None:
    """Press `control`, then wait for the results swapped into the page (same address)."""
    swapped(page, control.click)
    page.locator("#results").wait_for()


def distances(page) -> list[float]:
    values = page.locator("ul.results li[data-km]").evaluate_all(
        "items => items.map(item => item.dataset.km)"
    )
    return [float(km) for km in values]


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_search_by_words_and_zip_code_leaves_no_trace_in_the_address(
    browser, phone, seeded, locale
):
    context, page, refused = open_places(browser, phone, seeded, locale)
    before = page.evaluate("history.length")
    submit = page.locator("form[data-finder] button[type=submit]")

    page.get_by_test_id("search").fill("refugio")
    search_with(page, submit)
    assert "Refugio" in page.locator("ul.results").inner_text()
    assert page.url == seeded.url + "/", "one address: the words reach no address"
    assert page.evaluate("history.length") == before
    assert axe_violations(page) == []

    page.get_by_test_id("search").fill("")
    page.locator("#postcode").fill("62704")
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    found = distances(page)
    assert len(found) >= 5 and found == sorted(found)
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(lambda url: not url.startswith(seeded.url))
    assert refused == [], "the search runs its script under the page's own policy"
    context.close()


def test_near_me_asks_for_the_position_only_when_tapped(browser, phone, seeded):
    context = browser.new_context(
        **phone,
        geolocation={"latitude": 39.7817, "longitude": -89.6501},
        permissions=["geolocation"],
    )
    context.add_init_script(COUNT_POSITION_REQUESTS)
    page = context.new_page()
    refused = csp_refusals(page)
    unlock(page, seeded.url)
    page.goto(seeded.url + "/places")
    assert page.evaluate("window.positionRequests") == 0
    search_with(page, page.locator("button[data-near-me]"))
    found = distances(page)
    assert found and found == sorted(found) and found[0] < 10
    assert page.url == seeded.url + "/", "one address: the words reach no address"
    assert "39.78" not in page.content(), "the position is not written back into the page"
    assert refused == []
    context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_search_by_kind_of_help_finds_every_shelter_and_nothing_else(
    browser, phone, seeded, locale
):
    context, page, refused = open_places(browser, phone, seeded, locale)
    page.locator("#category").select_option("shelter")
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    assert axe_violations(page) == []
    found = every_result(page)
    assert len(found) == len(set(found)), "no service is listed twice across pages"
    assert set(found) == in_category("shelter") & published()
    assert refused == []
    context.close()


def test_search_by_language_spoken(browser, phone, seeded):
    speaks_vietnamese = {r["service_id"] for r in seed_rows("languages.csv") if r["code"] == "vi"}
    context, page, refused = open_places(browser, phone, seeded)
    page.locator("#language").select_option(label="Tiếng Việt")
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    found = every_result(page)
    assert found and set(found) == speaks_vietnamese & published()
    assert refused == []
    context.close()


def test_a_form_with_fields_named_action_and_method_is_still_sent_in_place(browser, phone, seeded):
    """A field named "action" hides the form's own action property: the page script reads the
    attributes, so the search still goes where the form says, and the address stays."""
    context, page, refused = open_places(browser, phone, seeded)
    in_tests_world(
        page,
        """(() => { const form = document.querySelector('form[data-finder]');
          for (const name of ['action', 'method', 'submit']) {
            const field = document.createElement('input');
            field.type = 'hidden'; field.name = name; field.value = 'x';
            form.append(field);
          }
          return true; })()""",
    )
    page.get_by_test_id("search").fill("shelter")
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    assert every_result(page), "the results of the search, swapped in"
    assert page.url == seeded.url + "/" and refused == []
    context.close()


def test_open_now_at_three_in_the_morning_leaves_the_round_the_clock_services(
    browser, phone, seeded
):
    context, page, refused = open_places(browser, phone, seeded)
    page.get_by_label("Open now").check()
    search_with(page, page.locator("form[data-finder] button[type=submit]"))
    assert (
        page.locator("ul.results > li").count() == page.locator("ul.results > li > .open").count()
    )
    found = every_result(page)
    assert len(found) > 10, "more than one page, so the filter follows the pages"
    assert set(found) == always_open() & published()
    assert page.get_by_label("Open now").is_checked(), "the choice is kept on the last page"
    assert refused == []
    context.close()
