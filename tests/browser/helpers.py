"""Small page helpers for the browser tests (the stable hooks of DESIGN.md section 5)."""

from __future__ import annotations

import re

from tests.conftest import UNLOCK_CODE

SURVIVOR_PATHS = ("/home", "/tips", "/places", "/call", "/write", "/notes", "/settings")


def unlock(page, haven: str, code: str = UNLOCK_CODE) -> None:
    """Open the decoy and type the code into its own field, as a survivor would."""
    page.goto(haven + "/")
    field = page.get_by_test_id("unlock")
    field.fill(code)
    field.press("Enter")
    page.wait_for_url(re.compile(r"/(tips|home)$"))


def visit_by_links(page, names) -> None:
    """Follow in-app links by their visible names, the way a person taps them."""
    for name in names:
        page.get_by_role("link", name=name).first.click()
        page.wait_for_load_state()


def is_survivor_url(url: str, haven: str) -> bool:
    return url.startswith(haven) and url.removeprefix(haven).split("?")[0] in SURVIVOR_PATHS
