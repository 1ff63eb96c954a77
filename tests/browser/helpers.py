"""Small page helpers for the browser tests (the stable hooks of DESIGN.md section 5)."""

from __future__ import annotations

import json

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import UNLOCK_CODE

SURVIVOR_PATHS = ("/home", "/tips", "/places", "/call", "/write", "/notes", "/settings")
TESTS_WORLD = "haven-tests"
AXE_VIOLATIONS = """;
axe.run(document, {resultTypes: ['violations']}).then(results => results.violations.map(
    found => `${found.id}: ${JSON.stringify(found.nodes.map(node => node.target))}`))
"""


def unlock(page, haven: str, code: str = UNLOCK_CODE) -> None:
    """Open the decoy and type the code into its own field, as a survivor would."""
    page.goto(haven + "/")
    field = page.get_by_test_id("unlock")
    field.fill(code)
    field.press("Enter")
    page.get_by_test_id("quick-exit").wait_for()


def swapped(page, action) -> None:
    """Do `action` (a tap, a submit) and wait until the next page is swapped into this one.

    With JavaScript on, the app fetches the next page and replaces the document's body in
    place: there is no navigation to wait for, and the address does not change.
    """
    before = page.evaluate_handle("() => document.body")
    action()
    page.wait_for_function("before => document.body !== before", arg=before)
    before.dispose()


def visit_by_links(page, names, *, javascript: bool = True) -> None:
    """Follow in-app links by their visible names, the way a person taps them."""
    for name in names:
        link = page.get_by_role("link", name=name).first
        if javascript:
            swapped(page, link.click)
        else:
            link.click()
            page.wait_for_load_state()


def heading(page) -> str:
    return page.locator("main h1").inner_text()


def is_survivor_url(url: str, haven: str) -> bool:
    return url.startswith(haven) and url.removeprefix(haven).split("?")[0] in SURVIVOR_PATHS


class IsolatedWorld:
    """An isolated world in the page's current document, where the tests' own script runs.

    The world shares the document with the page but none of its JavaScript, so the page runs
    under its Content-Security-Policy as served and nothing the tests bring (axe, listeners)
    lands in the page's own globals. DevTools runs the script, which the policy does not govern.
    The world lasts as long as the document: a navigation needs a new one.
    """

    def __init__(self, page):
        self._cdp = page.context.new_cdp_session(page)
        frame = self._cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        world = self._cdp.send(
            "Page.createIsolatedWorld", {"frameId": frame, "worldName": TESTS_WORLD}
        )
        self._context_id = world["executionContextId"]

    def evaluate(self, expression: str):
        """The expression's value as JSON, promises awaited; a script error fails the test."""
        try:
            answer = self._cdp.send(
                "Runtime.evaluate",
                {
                    "expression": expression,
                    "contextId": self._context_id,
                    "awaitPromise": True,
                    "returnByValue": True,
                },
            )
        except PlaywrightError as error:
            if "Cannot find context" not in error.message:
                raise
            raise AssertionError("the page left the document this world was made in") from None
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise AssertionError(
                details.get("exception", {}).get("description", json.dumps(details))
            )
        return answer["result"].get("value")

    def close(self) -> None:
        self._cdp.detach()


def in_tests_world(page, expression: str):
    """Evaluate one expression in a fresh isolated world of the page's current document."""
    world = IsolatedWorld(page)
    try:
        return world.evaluate(expression)
    finally:
        world.close()


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page, each as "rule: [targets]", run in the tests' world."""
    return in_tests_world(page, AXE_SCRIPT + AXE_VIOLATIONS)


def csp_refusals(page) -> list[str]:
    """A list that fills with what Chromium refuses on this page under its CSP, as it happens."""
    refused: list[str] = []

    def note(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    return refused
