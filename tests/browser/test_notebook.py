"""The private notebook in Chromium, in English and Arabic: made, written in (a plan part,
three incident entries, a photo carrying GPS), locked, opened again in a new browser with the
passphrase; a wrong passphrase answered exactly as one that opens nothing; axe throughout."""

from __future__ import annotations

import base64
import io
import os
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from tests import notebook_keys
from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, swapped, unlock
from tests.photo_samples import jpeg_with_gps
from webapp.db import session_scope
from webapp.notebook import kdf, operations, receipts
from webapp.notebook.models import Notebook, NotebookRecord

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
PLAN = "Run to Maria's flat at number 12; the back door sticks."
ENTRIES = [
    ("2026-10-02T21:15", "Kitchen", "He threw a plate at the wall next to me."),
    ("2026-10-19T23:40", "Car park at work", "He waited by my car and took my keys."),
    ("2026-11-03T08:05", "Home", "He pushed me down the stairs. Bruised arm."),
]


@pytest.fixture
def notes_haven(exit_url, tmp_path_factory):
    with serve_haven(exit_url, tmp_path_factory) as server:
        yield server


@pytest.fixture(params=["en", "ar"])
def locale(request) -> str:
    return request.param


def notebook_key(app, phrase: str) -> bytes:
    """The key the records are sealed with, unwrapped from the database with the passphrase."""
    keys = notebook_keys.derive(phrase)
    with session_scope(app) as session:
        notebook = session.scalars(select(Notebook).where(Notebook.lookup_id == keys.lookup)).one()
        return notebook_keys.unwrap(keys, notebook.wrapped_key)


def go_to_notes(page, base: str) -> None:
    unlock(page, base)
    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/notes"]').first.click)
    page.locator('[data-view="locked"]').wait_for()


def said(page, key: str) -> str:
    """The page's own (translated) words for a message of its script."""
    return page.locator(f'[data-say="{key}"]').text_content()


def wait_for_text(page, selector: str, key: str) -> None:
    page.wait_for_function(
        "([where, key]) => document.querySelector(where).textContent === "
        'document.querySelector(`[data-say="${key}"]`).textContent',
        arg=[selector, key],
    )


def create(page, base: str) -> str:
    go_to_notes(page, base)
    page.locator('[data-do="create"]').click()
    shown = page.get_by_test_id("notebook-passphrase")
    page.wait_for_function("el => el.textContent.length > 0", arg=shown.element_handle())
    phrase = shown.inner_text()
    page.locator("#nb-noted").check()
    page.locator('[data-do="begin"]').click()
    page.locator('[data-view="open"]').wait_for()
    return phrase


def write_plan(page, section: str, words: str) -> None:
    part = page.locator(f'details[data-section="{section}"]')
    part.locator("summary").click()
    part.locator("textarea[data-text]").fill(words)
    wait_for_text(page, f'details[data-section="{section}"] [data-state]', "saved")


def add_entry(page, when: str, place: str, what: str, photo: bytes | None = None) -> None:
    page.locator("#nb-e-when").fill(when)
    page.locator("#nb-e-place").fill(place)
    page.locator("#nb-e-what").fill(what)
    if photo:
        page.locator("#nb-e-photos").set_input_files(
            [{"name": "arm.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
    page.locator('[data-do="add"]').click()
    wait_for_text(page, "[data-entry] [data-added]", "added")


def open_with(page, phrase: str) -> None:
    field = page.get_by_test_id("notebook-open")
    field.fill(phrase)
    field.press("Enter")


def test_a_notebook_written_locked_and_opened_in_a_new_browser(browser, phone, notes_haven, locale):
    base = notes_haven.url
    first = browser.new_context(**phone, locale=locale)
    page = first.new_page()
    refused = csp_refusals(page)
    phrase = create(page, base)
    assert len(phrase.split()) == 6
    write_plan(page, "during", PLAN)
    add_entry(page, *ENTRIES[0])
    add_entry(page, *ENTRIES[1])
    photo = jpeg_with_gps((320, 240))
    add_entry(page, *ENTRIES[2], photo=photo)
    assert axe_violations(page) == []
    page.get_by_test_id("notebook-lock").click()
    assert page.locator('[data-view="locked"]').is_visible()
    assert page.locator('[data-view="open"]').is_hidden()
    assert PLAN not in page.content() and ENTRIES[0][2] not in page.content()
    assert page.url == base + "/"
    first.close()

    second = browser.new_context(**phone, locale=locale)
    page = second.new_page()
    refused += csp_refusals(page)
    go_to_notes(page, base)
    open_with(page, phrase)
    page.locator('[data-view="open"]').wait_for()
    assert page.locator("#nb-plan-during").input_value() == PLAN
    log = page.locator("[data-log] > li")
    assert log.count() == 3
    assert [log.nth(i).locator("dd").nth(1).inner_text() for i in range(3)] == [
        what for _when, _place, what in reversed(ENTRIES)
    ], "newest first"
    drawn = log.first.locator("canvas.photo[data-drawn]")
    drawn.wait_for()
    assert drawn.evaluate("c => [c.width, c.height]") == [320, 240]
    assert axe_violations(page) == []
    assert refused == []
    second.close()

    key = notebook_key(notes_haven.app, phrase)
    with session_scope(notes_haven.app) as session:
        kept = session.scalars(select(NotebookRecord).where(NotebookRecord.kind == "photo")).one()
        value = notebook_keys.unseal(key, kept.record_id, "photo", 1, kept.ciphertext)
    jpeg = base64.b64decode(value["jpeg"])
    source = Image.open(io.BytesIO(photo))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == (320, 240)
        assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info
        # The canvas writes Chromium's own sRGB profile; the camera's is gone.
        assert image.info.get("icc_profile") != source.info["icc_profile"]
    assert b"MARKER" not in jpeg


def test_a_wrong_passphrase_answers_as_a_notebook_that_does_not_exist(browser, phone, notes_haven):
    base = notes_haven.url
    context = browser.new_context(**phone)
    page = context.new_page()
    phrase = create(page, base)
    page.get_by_test_id("notebook-lock").click()
    words = phrase.split()
    wrong = " ".join(words[:-1] + ["zebra" if words[-1] != "zebra" else "zoom"])
    answers = []
    page.on(
        "response",
        lambda r: answers.append((r.status, r.body())) if r.url.endswith("/notes/open") else None,
    )
    seen = []
    for typed in (wrong, "abacus abdomen abdominal abide abiding ability"):
        open_with(page, typed)
        wait_for_text(page, '[data-view="locked"] [data-msg]', "unknown")
        seen.append(page.locator('[data-view="locked"] [data-msg]').inner_text())
        page.locator('[data-view="locked"] [data-msg]').evaluate("el => { el.textContent = '' }")
    assert seen[0] == seen[1] == said(page, "unknown")
    assert len(answers) == 2 and answers[0] == answers[1]
    assert answers[0][0] == 404
    assert page.get_by_test_id("notebook-open").input_value() == ""
    context.close()


def test_a_stale_save_from_a_second_browser_is_refused_and_nothing_is_lost(
    browser, phone, notes_haven
):
    base = notes_haven.url
    first = browser.new_context(**phone)
    one = first.new_page()
    phrase = create(one, base)
    second = browser.new_context(**phone)
    two = second.new_page()
    go_to_notes(two, base)
    open_with(two, phrase)
    two.locator('[data-view="open"]').wait_for()

    write_plan(one, "after", "Change the locks on Monday.")
    part = two.locator('details[data-section="after"]')
    part.locator("summary").click()
    part.locator("textarea[data-text]").fill("Ask the school about pick-up.")
    conflict = part.locator("[data-conflict]")
    conflict.wait_for()
    assert conflict.locator("textarea[data-other]").input_value() == "Change the locks on Monday."
    assert part.locator("textarea[data-text]").input_value() == "Ask the school about pick-up."
    assert axe_violations(two) == []

    part.locator('[data-do="keep"]').click()
    wait_for_text(two, 'details[data-section="after"] [data-state]', "saved")
    key = notebook_key(notes_haven.app, phrase)
    with session_scope(notes_haven.app) as session:
        versions = session.scalars(
            select(NotebookRecord).where(NotebookRecord.record_id == "plan-after")
        ).all()
        texts = [
            notebook_keys.unseal(key, r.record_id, r.kind, r.version, r.ciphertext)["text"]
            for r in sorted(versions, key=lambda r: r.version)
        ]
    assert texts == ["Change the locks on Monday.", "Ask the school about pick-up."]
    first.close()
    second.close()


def test_quick_exit_drops_the_key_and_returning_shows_the_locked_notebook(
    browser, phone, notes_haven, exit_url
):
    context = browser.new_context(**phone)
    page = context.new_page()
    create(page, notes_haven.url)
    write_plan(page, "pets", "The cat goes to my brother.")
    page.get_by_test_id("quick-exit").click()
    page.wait_for_url(exit_url)
    go_to_notes(page, notes_haven.url)
    assert page.locator('[data-view="locked"]').is_visible()
    assert page.locator('[data-view="open"]').is_hidden()
    assert page.locator("#nb-plan-pets").input_value() == ""
    context.close()


def test_the_idle_lock_drops_the_key_after_five_minutes(browser, phone, exit_url, tmp_path_factory):
    with serve_haven(exit_url, tmp_path_factory, lock_after_minutes=30) as server:
        context = browser.new_context(**phone)
        page = context.new_page()
        page.clock.install()
        create(page, server.url)
        write_plan(page, "pets", "The cat goes to my brother.")
        page.clock.run_for("04:50")
        assert page.locator('[data-view="open"]').is_visible(), "not before five minutes"
        page.clock.run_for("05:01")
        page.locator('[data-view="locked"]').wait_for()
        assert page.locator("#nb-plan-pets").input_value() == ""
        swapped(page, page.locator('a[href="/home"]').first.click)
        swapped(page, page.locator('a[href="/notes"]').first.click)
        assert page.locator('[data-view="locked"]').is_visible()
        context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_print_view_checks_the_chain_and_fails_on_an_altered_record(
    browser, phone, notes_haven, locale
):
    context = browser.new_context(**phone, locale=locale)
    page = context.new_page()
    phrase = create(page, notes_haven.url)
    for entry in ENTRIES:
        add_entry(page, *entry)
    printed = print_view(page)
    assert printed.count() == 3
    assert page.evaluate("document.documentElement.dir") == ("rtl" if locale == "ar" else "ltr")
    assert [printed.nth(i).locator("p").last.inner_text() for i in range(3)] == [
        said(page, "holds")
    ] * 3
    assert "Ed25519" in page.locator('[data-view="print"]').inner_text()
    assert axe_violations(page) == []

    with session_scope(notes_haven.app) as session:
        entries = session.scalars(
            select(NotebookRecord)
            .where(NotebookRecord.kind == "entry")
            .order_by(NotebookRecord.seq)
        ).all()
        middle = entries[1]
        altered = bytearray(middle.ciphertext)
        altered[20] ^= 0x01
        middle.ciphertext = bytes(altered)
    page.locator('[data-do="print-close"]').click()
    page.get_by_test_id("notebook-lock").click()
    open_with(page, phrase)
    page.locator('[data-view="open"]').wait_for()
    printed = print_view(page)
    assert printed.count() == 3
    assert check_of(page, ENTRIES[0][2]) == said(page, "holds"), "written before the change"
    assert check_of(page, said(page, "tampered")) == said(page, "broken"), "the changed one"
    assert check_of(page, ENTRIES[2][2]) == said(page, "broken"), "written after it"
    context.close()


def print_view(page):
    page.locator('[data-do="print-ask"]').click()
    warning = page.locator('[data-panel="print"]')
    assert warning.is_visible() and page.locator('[data-view="print"]').is_hidden()
    warning.locator('[data-do="print"]').click()
    page.locator('[data-view="print"]').wait_for()
    return page.locator("[data-print-log] > li")


def check_of(page, text: str) -> str:
    """The chain check printed beside the entry holding `text`."""
    entry = page.locator("[data-print-log] > li", has_text=text)
    return entry.locator("p").last.inner_text()


def test_a_notebook_made_with_an_older_derivation_opens_and_moves_to_the_current_one(
    browser, phone, notes_haven, monkeypatch
):
    phrase = "lantern pebble orchid velvet meadow thimble"
    old = notebook_keys.derive(phrase, 1)
    key = os.urandom(32)
    with session_scope(notes_haven.app) as session:
        config = notes_haven.app.config["HAVEN_SETTINGS"]
        cost = operations.HashParameters(
            config.argon2_memory_kib, config.argon2_time_cost, config.argon2_parallelism
        )
        notebook = operations.create(
            session, old.lookup, old.access, 1, notebook_keys.wrap(old, key), cost=cost, now=NOW
        )
        operations.append(
            session,
            notebook,
            record_id="e-old",
            kind="entry",
            version=1,
            scheme=1,
            ciphertext=notebook_keys.seal(key, "e-old", "entry", 1, {"what": "Written in 2025"}),
            signer=receipts.Signer(config.secret_key),
            now=NOW,
        )
    monkeypatch.setattr(kdf, "VERSIONS", kdf.VERSIONS | {2: {"iterations": 650_000, "salt": "n/2"}})
    monkeypatch.setattr(kdf, "CURRENT", 2)
    new = notebook_keys.derive(phrase, 2)

    context = browser.new_context(**phone)
    page = context.new_page()
    go_to_notes(page, notes_haven.url)
    with page.expect_response(lambda r: r.url.endswith("/notes/rekey")) as rekeyed:
        open_with(page, phrase)
    assert rekeyed.value.status == 200
    assert "Written in 2025" in page.locator("[data-log]").inner_text()
    with session_scope(notes_haven.app) as session:
        stored = session.scalars(select(Notebook)).one()
        assert (stored.lookup_id, stored.kdf_version) == (new.lookup, 2)
        assert notebook_keys.unwrap(new, stored.wrapped_key) == key

    page.get_by_test_id("notebook-lock").click()
    opens = []
    page.on("response", lambda r: opens.append(r.status) if r.url.endswith("/notes/open") else None)
    open_with(page, phrase)
    page.locator('[data-view="open"]').wait_for()
    assert opens == [200], "the current derivation opens it at the first try"
    context.close()


def test_without_a_network_what_is_open_keeps_working_and_saves_when_back(
    browser, phone, notes_haven
):
    context = browser.new_context(**phone)
    page = context.new_page()
    phrase = create(page, notes_haven.url)
    context.set_offline(True)
    part = page.locator('details[data-section="children"]')
    part.locator("summary").click()
    part.locator("textarea[data-text]").fill("They know to go to Mrs Lee's.")
    wait_for_text(page, 'details[data-section="children"] [data-state]', "offline")
    assert part.locator("textarea[data-text]").input_value() == "They know to go to Mrs Lee's."
    assert page.locator("[data-log]").is_visible(), "what is open stays readable"
    context.set_offline(False)
    part.locator("textarea[data-text]").press("End")
    part.locator("textarea[data-text]").type(" Next door.")
    wait_for_text(page, 'details[data-section="children"] [data-state]', "saved")
    key = notebook_key(notes_haven.app, phrase)
    with session_scope(notes_haven.app) as session:
        (kept,) = session.scalars(
            select(NotebookRecord).where(NotebookRecord.record_id == "plan-children")
        ).all()
        value = notebook_keys.unseal(key, kept.record_id, "plan", 1, kept.ciphertext)
    assert value["text"] == "They know to go to Mrs Lee's. Next door."
    context.close()


def test_an_old_version_replayed_as_the_newest_is_not_shown(browser, phone, notes_haven):
    context = browser.new_context(**phone)
    page = context.new_page()
    phrase = create(page, notes_haven.url)
    write_plan(page, "leaving", "Go to my aunt's.")
    page.locator('details[data-section="leaving"] [data-state]').evaluate(
        "line => { line.textContent = '' }"
    )
    page.locator("#nb-plan-leaving").fill("Go to the shelter on 5th street.")
    wait_for_text(page, 'details[data-section="leaving"] [data-state]', "saved")
    with session_scope(notes_haven.app) as session:
        first, second = session.scalars(
            select(NotebookRecord)
            .where(NotebookRecord.record_id == "plan-leaving")
            .order_by(NotebookRecord.version)
        ).all()
        second.ciphertext = first.ciphertext  # the older text, passed off as version 2
    page.get_by_test_id("notebook-lock").click()
    open_with(page, phrase)
    page.locator('[data-view="open"]').wait_for()
    assert page.locator("#nb-plan-leaving").input_value() == ""
    state = page.locator('details[data-section="leaving"] [data-state]')
    assert state.inner_text() == said(page, "tampered")
    context.close()


def test_wiping_asks_first_then_deletes_the_server_copy(browser, phone, notes_haven):
    context = browser.new_context(**phone, locale="ar")
    page = context.new_page()
    phrase = create(page, notes_haven.url)
    add_entry(page, *ENTRIES[0])
    page.locator('[data-do="wipe-ask"]').click()
    panel = page.locator('[data-panel="wipe"]')
    assert panel.is_visible()
    assert axe_violations(page) == []
    panel.locator('[data-do="wipe"]').click()
    assert page.locator('[data-view="open"] [data-msg]').inner_text() == said(page, "sure")
    with session_scope(notes_haven.app) as session:
        assert session.scalars(select(NotebookRecord)).all() != []
    panel.locator("#nb-sure").check()
    panel.locator('[data-do="wipe"]').click()
    wait_for_text(page, '[data-view="locked"] [data-msg]', "wiped")
    with session_scope(notes_haven.app) as session:
        assert session.scalars(select(NotebookRecord)).all() == []
        assert session.scalars(select(Notebook)).all() == []
    open_with(page, phrase)
    wait_for_text(page, '[data-view="locked"] [data-msg]', "unknown")
    context.close()


def test_a_correction_is_a_new_entry_naming_the_old_one(browser, phone, notes_haven):
    context = browser.new_context(**phone)
    page = context.new_page()
    create(page, notes_haven.url)
    add_entry(page, *ENTRIES[0])
    old_id = page.locator("[data-log] > li").first.get_attribute("data-entry-id")
    page.locator("#nb-e-corrects").select_option(old_id)
    add_entry(page, "2026-10-02T21:15", "Kitchen", "It was a glass, not a plate.")
    log = page.locator("[data-log] > li")
    assert log.count() == 2, "the old entry stays"
    old = page.locator(f'[data-log] > li[data-entry-id="{old_id}"]')
    new = page.locator("[data-log] > li", has_text="It was a glass")
    assert said(page, "corrected") in old.inner_text()
    assert said(page, "corrects") in new.inner_text()
    assert ENTRIES[0][2] in old.inner_text()
    context.close()
