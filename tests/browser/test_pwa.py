"""Installable decoy: manifest, installability and a service worker that keeps no survivor page."""

from __future__ import annotations

import json

from tests.browser.helpers import swapped, unlock, visit_by_links
from tests.chromium import launch_options


def cached_paths(page) -> list[str]:
    return page.evaluate(
        """async () => {
            const kept = [];
            for (const name of await caches.keys()) {
                for (const entry of await (await caches.open(name)).keys()) {
                    kept.push(new URL(entry.url).pathname);
                }
            }
            return kept;
        }"""
    )


def test_decoy_installs_and_its_worker_keeps_no_survivor_page(playwright_api, haven, tmp_path):
    options = launch_options()
    context = playwright_api.chromium.launch_persistent_context(
        str(tmp_path / "profile"), **options
    )
    try:
        page = context.new_page()
        page.goto(haven + "/")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        parsed = json.loads(manifest["data"])
        assert parsed["name"] == "Pantry: easy recipes" and parsed["short_name"] == "Pantry"
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

        unlock(page, haven)
        swapped(page, page.get_by_role("link", name="Continue").click)
        visit_by_links(page, ["Find services near you", "Start", "Settings", "Staying private"])
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        kept = cached_paths(page)
        assert "/" in kept
        assert all(path == "/" or path.startswith("/static/") for path in kept), kept
    finally:
        context.close()


def test_decoy_opens_offline_from_the_worker(context, haven):
    page = context.new_page()
    page.goto(haven + "/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    context.set_offline(True)
    page.reload()
    assert page.get_by_test_id("unlock").is_visible()
    context.set_offline(False)


def test_chosen_look_survives_quick_exit(page, haven, exit_url):
    unlock(page, haven)
    page.goto(haven + "/settings")
    page.get_by_label("A calculator").check()
    swapped(page, page.get_by_role("button", name="Save the look").click)
    assert page.get_by_text("Saved.").is_visible()
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    page.goto(haven + "/")
    page.wait_for_selector(".calc")
    assert page.title() == "Calculator"
    assert page.url == haven + "/"
