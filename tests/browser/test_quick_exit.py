"""Quick exit in real Chromium: every trigger, history, cookies, caches and storage afterwards."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.browser.helpers import (
    SURVIVOR_PATHS,
    IsolatedWorld,
    heading,
    in_tests_world,
    is_survivor_url,
    swapped,
    unlock,
    visit_by_links,
)
from tests.conftest import UNLOCK_CODE

REVEALING = re.compile(
    r"help|abuse|violence|safety|shelter|report|hotline|police|haven|exit|survivor", re.I
)
# Which of these URLs Chromium's HTTP cache answers without the network (only same-origin asks).
FROM_HTTP_CACHE_ONLY = """Promise.all(%s.map(url =>
    fetch(url, {cache: 'only-if-cached', mode: 'same-origin'}).then(() => url, () => null)
)).then(found => found.filter(Boolean))"""
STATIC_FILES_OF_THE_PAGE = """[...document.querySelectorAll(
    'link[rel~=icon], link[rel=stylesheet], script[src]'
)].map(element => element.href || element.src)"""
CLOAK_STATE = (
    "[document.documentElement.classList.contains('blank'),"
    " getComputedStyle(document.body).display]"
)


def trigger_button(page):
    page.get_by_test_id("quick-exit").click()


def trigger_shift(page):
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press("Shift")


def trigger_escape(page):
    page.locator("h1").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")


TRIGGERS = {"button": trigger_button, "shift": trigger_shift, "escape": trigger_escape}


def browse_four_pages(page, haven):
    unlock(page, haven)
    swapped(page, page.get_by_role("link", name="Continue").click)
    assert heading(page) == "What would you like to do?"
    visit_by_links(
        page,
        [
            "Find services near you",
            "Start",
            "Ask for a call",
            "Start",
            "Private notebook",
            "Settings",
        ],
    )
    assert heading(page) == "Settings"
    assert page.url == haven + "/", "one address: the app stays at the start page's"


def storage_of(page, haven) -> dict:
    """What this tab's origin keeps: Cache Storage URLs, local and session storage."""
    page.goto(haven + "/static/css/app.css")
    return page.evaluate(
        """async () => {
            const kept = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const entry of await cache.keys()) { kept.push(new URL(entry.url).pathname); }
            }
            return {caches: kept, local: Object.assign({}, localStorage),
                    session: Object.assign({}, sessionStorage)};
        }"""
    )


def http_cached(page, haven: str, urls: list[str]) -> list[str]:
    """Those of `urls` in Chromium's HTTP cache, asked from a page of the site that loads nothing
    else (a survivor page would fill the cache again with its static files)."""
    page.goto(haven + "/manifest.webmanifest")
    return in_tests_world(page, FROM_HTTP_CACHE_ONLY % json.dumps(urls))


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_quick_exit_leaves_nothing_to_find(page, context, haven, exit_url, trigger):
    browse_four_pages(page, haven)
    page.evaluate("sessionStorage.setItem('draft', 'something private')")

    TRIGGERS[trigger](page)
    page.wait_for_url(exit_url)
    assert "Sunny" in page.content()
    cleared_soon(lambda: context.cookies(haven) == [])

    for _ in range(6):
        page.go_back()
        assert not is_survivor_url(page.url, haven), page.url
        assert page.get_by_test_id("quick-exit").count() == 0

    kept = storage_of(page, haven)
    assert all(path == "/" or path.startswith("/static/") for path in kept["caches"]), kept
    assert kept["session"] == {}
    assert not REVEALING.search(json.dumps(kept["local"])), kept["local"]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_quick_exit_empties_the_browsers_http_cache_and_cookie_jar(
    browser, phone, haven, exit_url, trigger
):
    """What the exit answer's Clear-Site-Data does, seen in Chromium itself.

    Service workers are blocked so that every request meets the HTTP cache and the probe sees
    that cache alone (the worker's own shell cache is checked in the test above). A cookie this
    version of Haven never sets stands for whatever else the site may have left: only the
    header, not the session's own Set-Cookie, removes it.
    """
    context = browser.new_context(**phone, service_workers="block")
    context.add_cookies([{"name": "session", "value": "left-by-an-older-version", "url": haven}])
    page = context.new_page()
    browse_four_pages(page, haven)
    assets = sorted(set(page.evaluate(STATIC_FILES_OF_THE_PAGE)))
    pages = [haven + path for path in SURVIVOR_PATHS]
    named = {asset.split("/static/", 1)[1].split("?", 1)[0] for asset in assets}
    assert {"css/app.css", "js/app.js", "js/prefs.js"} <= named, assets
    assert sorted(http_cached(page, haven, assets + pages)) == assets, (
        "before the exit the probe finds the static files, and no survivor page is ever stored"
    )

    page.goto(haven + "/settings")
    TRIGGERS[trigger](page)
    page.wait_for_url(exit_url)

    cleared_soon(lambda: context.cookies(haven) == [])
    assert http_cached(page, haven, assets + pages) == []
    context.close()


def cleared_soon(cleared, seconds: float = 3.0) -> None:
    """The exit's request may answer just after the page has gone (it waits for it 15 ms at
    most, then finishes in the background): wait a little for what its answer clears."""
    deadline = time.monotonic() + seconds
    while not cleared():
        assert time.monotonic() < deadline, "the site's data was not cleared"
        time.sleep(0.05)


def test_cloak_happens_in_the_same_task_as_the_trigger(page, haven, exit_url):
    unlock(page, haven)
    in_tests_world(
        page,
        f"window.addEventListener('click', () => console.log('cloaked in task: ' + {CLOAK_STATE}"
        ".join(' ')))",
    )
    with page.expect_console_message(lambda m: m.text.startswith("cloaked in task")) as seen:
        page.get_by_test_id("quick-exit").click()
    assert seen.value.text == "cloaked in task: true none"
    page.wait_for_url(exit_url)


def test_escape_inside_a_field_does_not_exit(page, haven, exit_url):
    """Leaving always cloaks in the key's own task, so the state just after each key tells."""
    unlock(page, haven)
    page.goto(haven + "/settings")
    world = IsolatedWorld(page)
    world.evaluate(
        "window.cloakedAfterKey = [];"
        "window.addEventListener('keydown', () => cloakedAfterKey.push("
        "document.documentElement.classList.contains('blank')))"
    )
    field = page.get_by_label("New code")
    field.click()
    field.press("Escape")
    field.press("Escape")
    assert world.evaluate("cloakedAfterKey") == [False, False], "both keys ran, neither left"
    assert heading(page) == "Settings"

    page.locator("h1").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(exit_url)


def test_links_and_forms_add_nothing_to_the_history(page, haven):
    page.goto(haven + "/static/css/app.css")
    start = page.evaluate("history.length")
    browse_four_pages(page, haven)
    page.get_by_label("A calculator").check()
    swapped(page, page.get_by_role("button", name="Save the look").click)
    assert page.get_by_text("Saved.").is_visible()
    assert page.evaluate("history.length") == start + 1, "the start page's entry, nothing more"
    assert page.url == haven + "/"


def test_quick_exit_stays_on_screen_and_comes_first(page, haven):
    unlock(page, haven)
    swapped(page, page.get_by_role("link", name="Continue").click)
    page.mouse.wheel(0, 3000)
    exit_link = page.get_by_test_id("quick-exit")
    assert exit_link.is_visible()
    box = exit_link.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-testid=quick-exit]') !== null",
        middle,
    )
    assert on_top
    first = page.evaluate(
        "() => [...document.querySelectorAll('a[href], button, input, select, [tabindex]')]"
        ".find(e => e.tabIndex >= 0 && e.getClientRects().length).dataset.testid"
    )
    assert first == "quick-exit", "after a swap too, it is the first stop of the page"
    page.goto(page.url.rstrip("/") + "/home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "quick-exit"
    name = exit_link.evaluate("el => el.textContent")
    assert "emergency exit" in name


def test_restored_page_is_cloaked_and_leaves(page, haven, exit_url):
    unlock(page, haven)
    shown = "window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: %s}));"
    world = IsolatedWorld(page)
    assert world.evaluate(shown % "false" + CLOAK_STATE) == [False, "block"], "a fresh load stays"
    assert world.evaluate(shown % "true" + CLOAK_STATE) == [True, "none"]
    page.wait_for_url(exit_url)
    assert page.get_by_test_id("quick-exit").count() == 0


def test_without_javascript_the_exit_link_still_leaves(browser, phone, haven, exit_url):
    context = browser.new_context(**phone, java_script_enabled=False)
    page = context.new_page()
    unlock(page, haven)
    page.get_by_role("link", name="Continue").click()
    visit_by_links(page, ["Find services near you", "Start", "Settings"], javascript=False)
    page.get_by_label("New code", exact=True).fill("13579")
    page.get_by_label("The same code again").fill("97531")
    page.get_by_role("button", name="Use this code").click()
    assert page.get_by_text("The two codes are not the same").is_visible()
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    assert context.cookies(haven) == []
    context.close()


def test_idle_page_locks_back_to_the_decoy(browser, phone, exit_url, tmp_path_factory):
    from tests.browser.conftest import serve_haven

    with serve_haven(exit_url, tmp_path_factory, lock_after_minutes=1) as server:
        context = browser.new_context(**phone)
        page = context.new_page()
        page.clock.install()
        unlock(page, server.url)
        page.clock.fast_forward("01:05")
        page.get_by_test_id("unlock").wait_for()
        assert page.url == server.url + "/" and page.get_by_test_id("quick-exit").count() == 0
        page.goto(server.url + "/home")
        assert page.url == server.url + "/"
        context.close()


def test_own_device_code_replaces_the_usual_one(page, haven, exit_url):
    unlock(page, haven)
    page.goto(haven + "/settings")
    page.get_by_label("New code", exact=True).fill("97531")
    page.get_by_label("The same code again").fill("97531")
    swapped(page, page.get_by_role("button", name="Use this code").click)
    assert page.get_by_text("only your own code opens the app").is_visible()
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)

    page.goto(haven + "/")
    field = page.get_by_test_id("unlock")
    field.fill(UNLOCK_CODE)
    field.press("Enter")
    page.wait_for_selector("text=recipes found")
    assert page.url == haven + "/"
    unlock(page, haven, code="97531")


def test_a_form_shown_again_with_errors_keeps_history_and_exit_keys(page, haven, exit_url):
    unlock(page, haven)
    page.goto(haven + "/settings")
    before = page.evaluate("history.length")
    page.get_by_label("New code", exact=True).fill("13579")
    page.get_by_label("The same code again").fill("97531")
    swapped(page, page.get_by_role("button", name="Use this code").click)
    assert page.get_by_text("The two codes are not the same").is_visible()
    assert page.evaluate("history.length") == before
    assert page.get_by_label("New code", exact=True).input_value() == "", "codes are not echoed"
    trigger_shift(page)
    page.wait_for_url(exit_url)


# Headless Chromium keeps every page visible; this stands in for the phone switching apps.
SWITCHABLE_VISIBILITY = """(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState',
        {get() { return hidden ? 'hidden' : 'visible'; }, configurable: true});
    Object.defineProperty(Document.prototype, 'hidden',
        {get() { return hidden; }, configurable: true});
    window.switchAway = (away) => {
        hidden = away;
        document.dispatchEvent(new Event('visibilitychange'));
    };
})();"""


def test_a_hidden_page_is_blanked_and_shown_again_only_while_unlocked(
    browser, phone, exit_url, tmp_path_factory
):
    from tests.browser.conftest import serve_haven

    with serve_haven(exit_url, tmp_path_factory, lock_after_minutes=1) as server:
        context = browser.new_context(**phone)
        context.add_init_script(SWITCHABLE_VISIBILITY)
        page = context.new_page()
        page.clock.install()
        unlock(page, server.url)
        state = "() => " + CLOAK_STATE
        page.evaluate("() => window.switchAway(true)")
        assert page.evaluate(state) == [True, "none"], "the app switcher shows nothing"
        page.evaluate("() => window.switchAway(false)")
        assert page.evaluate(state) == [False, "block"], "back within the minute: the page"

        page.evaluate("() => window.switchAway(true)")
        page.clock.set_system_time(page.evaluate("() => Date.now()") + 65_000)
        page.evaluate("() => window.switchAway(false)")
        page.get_by_test_id("unlock").wait_for()
        assert page.get_by_test_id("quick-exit").count() == 0, "back too late: locked"
        context.close()
