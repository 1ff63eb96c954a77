"""The organization portal end to end on a phone, in English and Arabic: an invited editor sets
a password and the second factor, changes the week's hours and writes the Spanish description;
a moderator approves both from the queue; a survivor searching in Spanish then finds the new
hours and the Spanish text. Axe on every portal page, nothing wider than the screen, the real
policy throughout, and some of it done with the keyboard alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from tests import factories
from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, swapped, unlock
from tests.browser.test_invitations import (
    EDITOR_PASSWORD,
    FITS_THE_SCREEN,
    PASSWORD,
    signed_in_moderator,
)
from webapp.accounts import operations
from webapp.accounts.passwords import PasswordHasher
from webapp.db import session_scope
from webapp.directory import search

SOURCE = "Free legal help with protection orders, by appointment."
SPANISH = "Ayuda legal gratuita con órdenes de protección, con cita previa."
# A word of the Spanish text alone: the survivor's search finds the service only through it.
SPANISH_WORD = "gratuita"
TUESDAY = {"en": "Tuesday", "ar": "الثلاثاء"}
DESCRIPTION = {"en": "Description", "ar": "الوصف"}
CHANGE = {"en": "Change", "ar": "التغيير"}
WAITING = {"en": "Waiting for a moderator", "ar": "بانتظار مشرف"}


@pytest.fixture(scope="module")
def portal(exit_url, tmp_path_factory):
    with serve_haven(exit_url, tmp_path_factory) as server:
        yield server


def listed_service(server, locale: str) -> tuple[str, str]:
    """An organization with one published service, open on Tuesdays 09:00 to 17:00, with a
    phone, free places and an address (every section of the editor's page)."""
    name = f"Prairie Legal Clinic {locale}"
    with session_scope(server.app) as session:
        organization = factories.organization(session, name=f"Prairie Legal Aid {locale}")
        service = factories.service(
            session, organization_id=organization, name=name, description=SOURCE
        )
        factories.schedule(
            session, service, freq="WEEKLY", byday="TU", opens_at="09:00", closes_at="17:00"
        )
        factories.phone(session, service, "217-555-0142", "Front desk")
        factories.capacity(session, service)
        factories.location(session, service)
        search.reindex(session, [service])
    return organization, service


def direction(element) -> str:
    """Which way the text of `element` runs as laid out: "ltr" or "rtl"."""
    return element.evaluate("element => getComputedStyle(element).direction")


def enrolled_moderator(server, email: str) -> pyotp.TOTP:
    """A moderator with a password and an authenticator app set up; returns the app."""
    secret = pyotp.random_base32()
    with session_scope(server.app) as session:
        moderator = operations.create_user(
            session,
            PasswordHasher(server.app.config["HAVEN_SETTINGS"]),
            email=email,
            password=PASSWORD,
            roles=["moderator"],
            now=datetime.now(UTC),
        )
        moderator.totp_secret, moderator.mfa_enrolled_at = secret, datetime.now(UTC)
    return pyotp.TOTP(secret)


def checked(page, what: str) -> None:
    """Nothing for axe to report, and nothing wider than the phone's screen."""
    assert axe_violations(page) == [], what
    assert page.evaluate(FITS_THE_SCREEN), what


def tab_to(page, target, most: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through a form."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def watched(context, requested: list, refused: list):
    """A page of `context` whose requests and CSP refusals are noted."""
    page = context.new_page()
    page.set_default_timeout(5000)
    page.on("request", lambda request: requested.append(request.url))
    refused += csp_refusals(page)
    return page


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_an_editors_hours_and_spanish_text_reach_survivors_once_a_moderator_approves(
    browser, portal, phone, locale
):
    base = portal.url
    organization, service = listed_service(portal, locale)
    requested: list[str] = []
    refused: list[str] = []

    # A moderator invites the organization's editor and passes the link on.
    inviting = browser.new_context(**phone, locale=locale)
    signed_in_moderator(portal, inviting, f"inviter-{locale}@haven.test")
    page = watched(inviting, requested, refused)
    page.goto(f"{base}/portal/invitations?organization={organization}")
    checked(page, "invitations")
    page.locator("#email").fill(f"editor-{locale}@prairie.example.org")
    page.locator('form[action$="/portal/invitations"] button[type=submit]').click()
    link = page.locator("#invitation-link").input_value()
    inviting.close()

    # The editor joins: password and second factor, the keyboard's Enter sending each form.
    editor = browser.new_context(**phone, locale=locale)
    page = watched(editor, requested, refused)
    page.goto(link)
    page.locator("#password").fill(EDITOR_PASSWORD)
    page.locator("#confirm").fill(EDITOR_PASSWORD)
    page.locator("#confirm").press("Enter")
    page.wait_for_url("**/staff/enrol**")
    secret = page.locator("figcaption code").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#code").press("Enter")
    page.locator("ul.codes").wait_for()
    page.locator("a.button").click()
    page.wait_for_url(base + "/portal/")
    checked(page, "the portal")

    # Her service: Tuesday's hours move an hour later.
    page.locator(f'a[href="/portal/services/{service}"]').click()
    page.wait_for_url(f"**/portal/services/{service}")
    checked(page, "the service")
    assert page.locator("#h-TU-0-opens").input_value() == "09:00"
    assert page.locator("#h-TU-0-closes").input_value() == "17:00"
    page.locator("#h-TU-0-opens").fill("10:00")
    page.locator("#h-TU-0-closes").fill("18:00")
    hours = page.locator("form", has=page.locator("#h-TU-0-opens"))
    hours.locator("button[type=submit]").click()
    page.wait_for_url(f"**/portal/services/{service}")
    assert page.locator("p.saved[role=status]").is_visible()
    checked(page, "the service, hours sent")
    assert page.locator("#h-TU-0-opens").input_value() == "09:00", (
        "09:00 is still what is published"
    )

    # The Spanish description, beside the English one, sent with Tab and Enter.
    page.locator('a[lang="es"]').first.click()
    page.wait_for_url(f"**/portal/services/{service}/translations/es")
    checked(page, "the Spanish translations")
    assert direction(page.locator("main h1 bdi[lang=es]")) == "ltr", "Español reads as itself"
    assert direction(page.locator("td div[lang=en]", has_text=SOURCE)) == "ltr"
    description = page.get_by_label(f"{DESCRIPTION[locale]} (Español)")
    assert description.get_attribute("lang") == "es"
    description.fill(SPANISH)
    send = page.locator("form", has=description).locator("button[type=submit]")
    tab_to(page, send)
    send.press("Enter")
    page.wait_for_url(f"**/portal/services/{service}/translations/es")
    assert page.locator("p.saved[role=status]").is_visible()
    state = page.locator("tr", has=page.get_by_label(f"{DESCRIPTION[locale]} (Español)"))
    assert state.get_by_role("link", name=WAITING[locale]).is_visible(), "it waits for review"
    checked(page, "the Spanish translations, sent")
    editor.close()

    # Another moderator signs in, sees both changes with their diffs and approves them.
    reviewing = browser.new_context(**phone, locale=locale)
    email = f"reviewer-{locale}@haven.test"
    authenticator = enrolled_moderator(portal, email)
    page = watched(reviewing, requested, refused)
    page.goto(base + "/portal/review")
    page.wait_for_url("**/staff/login**")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/staff/code**")
    page.locator("#code").fill(authenticator.now())
    page.locator("#code").press("Enter")
    page.wait_for_url(base + "/portal/review")
    checked(page, "the queue")
    rows = page.locator("tbody tr", has_text=f"Prairie Legal Clinic {locale}")
    assert rows.count() == 2
    links = rows.locator('a[href*="/portal/changes/"]').evaluate_all("as => as.map(a => a.href)")
    for change in links:
        page.goto(change)
        checked(page, "a change")
        diff = page.locator("table.diff").inner_text()
        added = page.locator("table.diff ins")
        if f"{DESCRIPTION[locale]} (Español)" in diff:
            assert added.inner_text() == SPANISH
            assert direction(added) == "ltr", "Spanish runs left to right, in Arabic too"
        else:
            assert added.inner_text() == "10:00–18:00"
            assert page.locator("table.diff del").inner_text() == "09:00–17:00"
            assert TUESDAY[locale] in diff, "the day in the moderator's language"
        approve = page.locator('form[action$="/approve"] button[type=submit]')
        tab_to(page, approve)
        approve.press("Enter")
        page.wait_for_url(base + "/portal/review")
        assert page.locator("p.saved[role=status]").is_visible()
    checked(page, "the queue, emptied")
    assert page.locator("tbody tr", has_text=f"Prairie Legal Clinic {locale}").count() == 0
    page.goto(f"{base}/portal/services/{service}/history")
    checked(page, "the history")
    published = page.locator("section[aria-labelledby=applied-title] tbody").inner_text()
    assert f"{TUESDAY[locale]} 10:00–18:00" in published and SPANISH in published
    assert published.count(f"Prairie Legal Aid {locale} ({CHANGE[locale]} ") == 2, "by whom"
    page.goto(f"{base}/portal/stale")
    checked(page, "the listings not confirmed lately")
    reviewing.close()

    # A survivor, in Spanish, finds the service by a word of its Spanish text.
    survivor = browser.new_context(**phone, locale=locale)
    page = watched(survivor, requested, refused)
    unlock(page, base)
    page.goto(base + "/places")
    language = page.locator("form.lang")
    language.locator("select").select_option("es")
    swapped(page, language.locator("button[type=submit]").click)
    assert page.evaluate("document.documentElement.lang") == "es"
    page.get_by_test_id("search").fill(SPANISH_WORD)
    swapped(page, page.locator("form[data-finder] button[type=submit]").click)
    found = page.locator("ul.results > li", has_text=f"Prairie Legal Clinic {locale}")
    assert found.locator('p[lang="es"]').inner_text() == SPANISH
    swapped(page, found.locator(f'a[href="/places/{service}"]').click)
    assert page.locator('div.rich[lang="es"]').inner_text().strip() == SPANISH
    hours_shown = page.locator("main h2 + ul", has_text="10:00").inner_text()
    assert hours_shown == "mar 10:00–18:00", "Tuesday's new hours, said in Spanish"
    assert "09:00" not in page.locator("main").inner_text()
    survivor.close()

    assert [url for url in requested if not url.startswith(base)] == []
    assert refused == []
