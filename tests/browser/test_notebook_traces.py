"""What a notebook leaves behind: after writing a marker in it, neither the database, the
server's log, the requests the server received, nor anything the browser keeps (its storage
APIs, cookies, caches, autofill and session files on disk) holds the marker or the passphrase."""

from __future__ import annotations

import logging
from pathlib import Path

from tests.browser.conftest import serve_haven
from tests.browser.helpers import in_tests_world
from tests.browser.test_notebook import add_entry, create, open_with, write_plan
from tests.browser.test_traces import files_holding
from tests.chromium import launch_options

MARKER = "Zqxmarker4417"
STORED_IN_PAGE = """(async () => {
  const found = [];
  for (const store of [localStorage, sessionStorage]) {
    for (let i = 0; i < store.length; i++) {
      found.push(store.key(i), store.getItem(store.key(i)));
    }
  }
  found.push(document.cookie);
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      found.push(request.url, await (await cache.match(request)).text());
    }
  }
  for (const db of await indexedDB.databases()) { found.push(db.name); }
  return found.join('\\n');
})()"""


def test_nothing_written_is_kept_anywhere_but_as_ciphertext(
    playwright_api, phone, exit_url, tmp_path_factory, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    profile = tmp_path / "profile"
    device = {key: value for key, value in phone.items() if key != "default_browser_type"}
    with serve_haven(exit_url, tmp_path_factory) as server:
        context = playwright_api.chromium.launch_persistent_context(
            str(profile), **launch_options(), **device
        )
        page = context.pages[0] if context.pages else context.new_page()
        bodies: list[bytes] = []
        page.on("request", lambda r: bodies.append(r.post_data_buffer or b""))
        phrase = create(page, server.url)
        write_plan(page, "people", f"Code word {MARKER}")
        add_entry(page, "2026-11-01T10:00", f"At {MARKER}'s door", f"Marker {MARKER} here")
        page.get_by_test_id("notebook-lock").click()
        open_with(page, phrase)
        page.locator('[data-view="open"]').wait_for()
        assert MARKER in page.locator("[data-log]").inner_text()
        in_page = in_tests_world(page, STORED_IN_PAGE)
        page.get_by_test_id("quick-exit").click()
        page.wait_for_url(exit_url)
        context.close()
        database = Path(server.app.config["HAVEN_SETTINGS"].database_url.removeprefix("sqlite:///"))

    for secret in (MARKER, phrase):
        assert secret not in in_page
        assert files_holding(profile, secret) == [], secret
        assert not any(secret.encode() in body for body in bodies), secret
        assert secret not in caplog.text
        for path in database.parent.glob(database.name + "*"):
            assert secret.encode() not in path.read_bytes(), path
    assert any(b'"data"' in body for body in bodies), "the notes were sent, as ciphertext"
