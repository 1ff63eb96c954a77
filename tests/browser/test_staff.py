"""A staff member signs in for the first time in Chromium: password, QR enrolment, admin pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from tests.browser.helpers import axe_violations, csp_refusals
from webapp.accounts import operations
from webapp.accounts.passwords import PasswordHasher
from webapp.db import session_scope

PASSWORD = "lantern-river-stone-1987"


def add_admin(server, email: str) -> None:
    app = server.app
    with session_scope(app) as session:
        operations.create_user(
            session,
            PasswordHasher(app.config["HAVEN_SETTINGS"]),
            email=email,
            password=PASSWORD,
            roles=["admin", "advocate"],
            now=datetime.now(UTC),
        )


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_first_sign_in_with_a_qr_code_then_admin_pages(browser, haven_app, locale):
    email = f"admin-{locale}@haven.test"
    add_admin(haven_app, email)
    base = haven_app.url
    context = browser.new_context(locale=locale)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    refused = csp_refusals(page)

    page.goto(base + "/staff/login")
    assert axe_violations(page) == []
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/enrol**")
    assert page.locator("figure.qr svg").is_visible()
    assert axe_violations(page) == []
    secret = page.locator("figcaption code").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == []
    page.locator("a.button").click()
    page.wait_for_url("**/admin/users")
    for path in ("/admin/users", "/admin/audit", "/staff/sessions", "/console/"):
        page.goto(base + path)
        assert axe_violations(page) == [], path
    assert [url for url in requested if not url.startswith(base)] == []
    assert refused == []
    context.close()
