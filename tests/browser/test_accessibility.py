"""Survivor pages on a phone, in English and Arabic: axe finds nothing, nothing loads elsewhere."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import unlock

PAGES = ["/home", "/tips", "/places", "/call", "/write", "/notes", "/settings", "/nowhere"]
axe = Axe()


def violations(page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']}: {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.fixture(params=["en", "ar"])
def localised(request, browser, phone):
    context = browser.new_context(**phone, locale=request.param, bypass_csp=True)
    yield request.param, context
    context.close()


def test_survivor_pages_pass_axe_and_stay_on_our_origin(localised, haven):
    locale, context = localised
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    unlock(page, haven)
    assert page.evaluate("document.documentElement.lang") == locale
    found = {}
    for path in PAGES:
        page.goto(haven + path)
        found[path] = violations(page)
    assert found == {path: [] for path in PAGES}
    assert [url for url in requested if not url.startswith(haven)] == []


@pytest.mark.parametrize("look", ["recipes", "calculator"])
def test_decoys_pass_axe(browser, phone, haven, look):
    context = browser.new_context(**phone, bypass_csp=True)
    page = context.new_page()
    page.goto(haven + f"/?t={look}")
    assert violations(page) == []
    context.close()
