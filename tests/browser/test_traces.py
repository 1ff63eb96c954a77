"""What the phone keeps after a visit, read from a real Chromium profile on disk afterwards.

A forensic examiner (or the person hurting her, with her unlocked phone) reads the browser's
History and Favicons databases and its session files. With JavaScript on, the app runs at the
start page's address: no page behind the code, no search word and no ZIP code may be found
there, or anywhere else in the profile.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import serve_haven
from tests.browser.helpers import swapped, unlock
from tests.chromium import launch_options

WORD, ZIP = "refugio", "62704"
# Each page as a survivor reaches it, by the links of the page before.
WALK = [
    "/home",
    "/places",
    "/home",
    "/call",
    "/home",
    "/write",
    "/home",
    "/notes",
    "/tips",
    "/settings",
    "/home",
]  # and, after each search, a result's own page and its "something here is wrong" form


@pytest.fixture(scope="module")
def seeded_haven(exit_url, tmp_path_factory):
    """Haven with the seed directory, so a search finds services whose pages she opens."""
    with serve_haven(exit_url, tmp_path_factory) as server:
        assert server.app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        yield server.url


def addresses_in(profile: Path, table_query: str, database: str) -> set[str]:
    copy = profile / f"{database}.read"
    copy.write_bytes((profile / "Default" / database).read_bytes())
    with sqlite3.connect(copy) as connection:
        found = {row[0] for row in connection.execute(table_query)}
    copy.unlink()
    return found


def session_addresses(profile: Path, origin: str) -> set[str]:
    found: set[str] = set()
    for path in (profile / "Default" / "Sessions").glob("*"):
        found |= set(
            re.findall(re.escape(origin).encode() + rb"[^\x00-\x20\"']*", path.read_bytes())
        )
    return {address.decode("latin-1") for address in found}


def files_holding(profile: Path, secret: str) -> list[str]:
    needles = [secret.encode(), secret.encode("utf-16-le"), secret.title().encode()]
    return [
        str(path.relative_to(profile))
        for path in profile.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


def walk(page) -> None:
    for path in WALK:
        swapped(page, page.locator(f'a[href="{path}"]').first.click)


def search(page) -> None:
    swapped(page, page.locator('a[href="/places"]').first.click)
    page.get_by_test_id("search").fill(WORD)
    page.locator("#postcode").fill(ZIP)
    swapped(page, page.locator("form[data-finder] button[type=submit]").click)
    assert page.locator("#results").is_visible()
    result = page.locator('ul.results a[href^="/places/"]').first
    name = result.inner_text()
    swapped(page, result.click)  # a service's own page, then the correction form beside it
    assert page.locator("h1").inner_text() == name.strip()
    swapped(page, page.locator('a[href$="/fix"]').first.click)


def switch_language(page, code: str) -> None:
    form = page.locator("form.lang").first
    form.locator("select").select_option(code)
    swapped(page, form.locator("button").click)
    assert page.evaluate("document.documentElement.lang") == code


def test_a_visit_leaves_only_the_start_page_in_the_profile(
    playwright_api, phone, seeded_haven, exit_url, tmp_path
):
    haven = seeded_haven
    profile = tmp_path / "profile"
    device = {key: value for key, value in phone.items() if key != "default_browser_type"}
    context = playwright_api.chromium.launch_persistent_context(
        str(profile), **launch_options(), **device
    )
    page = context.pages[0] if context.pages else context.new_page()
    unlock(page, haven)
    walk(page)
    search(page)
    switch_language(page, "ar")
    walk(page)
    search(page)
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    context.close()

    history = addresses_in(profile, "SELECT url FROM urls", "History")
    assert {url for url in history if url.startswith(haven)} == {haven + "/"}, history
    icons = addresses_in(profile, "SELECT page_url FROM icon_mapping", "Favicons")
    assert {url for url in icons if url.startswith(haven)} <= {haven + "/"}, icons
    sessions = session_addresses(profile, haven)
    pages = {address for address in sessions if not address.startswith(haven + "/static/")}
    assert pages and pages <= {haven, haven + "/"}, sessions  # the origin, or its start page
    assert files_holding(profile, WORD) == [] and files_holding(profile, ZIP) == []
