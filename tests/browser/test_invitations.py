"""On a phone, in English and Arabic: a moderator adds an organization and invites its editor;
the editor opens the link, sets a password and the second factor, and lands in the portal."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from tests.browser.helpers import axe_violations, csp_refusals
from webapp.accounts import operations
from webapp.accounts.passwords import PasswordHasher
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.directory import memberships

PASSWORD = "lantern-river-stone-1987"
EDITOR_PASSWORD = "harbour-lamp-violet-2031"
# The layout viewport (clientWidth): a phone zooms out to show a page wider than its screen,
# and then window.innerWidth grows with the page.
FITS_THE_SCREEN = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def signed_in_moderator(server, context, email: str) -> None:
    """A moderator's browser, signed in already (their own sign-in is tested elsewhere)."""
    with session_scope(server.app) as session:
        moderator = operations.create_user(
            session,
            PasswordHasher(server.app.config["HAVEN_SETTINGS"]),
            email=email,
            password=PASSWORD,
            roles=["moderator"],
            now=datetime.now(UTC),
        )
        token = start_session(session, moderator, now=datetime.now(UTC))
    context.add_cookies([{"name": "staff", "value": token, "url": server.url}])


def checked(page, what: str) -> None:
    """Nothing for axe to report, and nothing wider than the phone's screen."""
    assert axe_violations(page) == [], what
    assert page.evaluate(FITS_THE_SCREEN), what


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_an_invited_editor_joins_with_a_password_and_a_second_factor(
    browser, haven_app, phone, locale
):
    base, organization = haven_app.url, f"Prairie Legal Aid ({locale})"
    editor_email = f"editor-{locale}@prairie.example.org"
    moderator = browser.new_context(**phone, locale=locale)
    signed_in_moderator(haven_app, moderator, f"moderator-{locale}@haven.test")
    page = moderator.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    refused = csp_refusals(page)

    page.goto(base + "/portal/onboarding")
    assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
    checked(page, "onboarding")
    page.locator("#website").fill("ftp://prairie.example.org")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#website-error").is_visible()
    checked(page, "onboarding, refused")
    page.locator("#name").fill(organization)
    page.locator("#description").fill("Free legal help with protection orders.")
    page.locator("#website").fill("https://prairie.example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/invitations?organization=*")
    assert page.get_by_label(organization).is_checked(), "the new organization is chosen"
    checked(page, "invitations")
    page.locator("#email").fill(editor_email)
    page.locator('form[action$="/portal/invitations"] button[type=submit]').click()
    link = page.locator("#invitation-link").input_value()
    assert link.startswith(base + "/portal/join/")
    checked(page, "the link, shown once")
    moderator.close()

    editor = browser.new_context(**phone, locale=locale)
    page = editor.new_page()
    page.on("request", lambda request: requested.append(request.url))
    refused += csp_refusals(page)
    page.goto(link)
    assert page.locator("#invited-email").input_value() == editor_email
    checked(page, "join")
    page.locator("#password").fill("too-short")
    page.locator("#confirm").fill("too-short")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#password-error").is_visible()
    checked(page, "join, refused")
    page.locator("#password").fill(EDITOR_PASSWORD)
    page.locator("#confirm").fill(EDITOR_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/enrol**")
    secret = page.locator("figcaption code").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    assert len(page.locator("ul.codes code").all_inner_texts()) == 10
    page.locator("a.button").click()
    page.wait_for_url(base + "/portal/")
    checked(page, "the portal")
    with session_scope(haven_app.app) as session:
        editor_id = operations.find_user(session, editor_email).id
        assert [o.name for o in memberships.organizations_of(session, editor_id)] == [organization]

    page.goto(link)
    assert page.locator("main h1").is_visible() and page.locator("#password").count() == 0
    checked(page, "the spent link")
    editor.close()
    assert [url for url in requested if not url.startswith(base)] == []
    assert refused == []
