"""A callback from end to end in Chromium: her form in Spanish, the alert, the console, the
bridged call through a fake Twilio, the outcome, and her receipt saying it is closed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.browser.conftest import serve_haven
from tests.browser.helpers import axe_violations, csp_refusals, swapped, unlock
from tests.conftest import LiveServer
from tests.messaging_fakes import FakeTwilio, LocalTwilioHttpClient, TwilioCallbacks
from webapp.accounts.sessions import start_session
from webapp.callbacks import staffing
from webapp.callbacks.advocates import add_shifts, set_languages_and_skills
from webapp.clock import FakeClock
from webapp.db import session_scope
from webapp.messaging.cli import run_pass
from webapp.messaging.sms import sms_sender_for

MONDAY_1830 = datetime(2027, 1, 12, 0, 30, tzinfo=UTC)  # Monday 18:30 in Chicago
TOKEN = "t" * 32
PUBLIC_URL = "https://haven.example.org"
CALLER_ID = "+15005550006"
ADVOCATE_PHONE = "+12175550199"
HER_NUMBER = "(217) 555-0142"


@pytest.fixture(scope="module")
def hotline(exit_url, tmp_path_factory):
    """Haven with a stopped clock, Twilio's REST API faked on loopback, one Spanish-speaking
    advocate on shift (signed in through a session token)."""
    clock = FakeClock(MONDAY_1830.timestamp())
    fake = FakeTwilio()
    settings = {
        "sms_backend": "twilio",
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": "+15005550001",
        "twilio_caller_id": CALLER_ID,
        "public_url": PUBLIC_URL,
    }
    with (
        LiveServer(fake) as twilio,
        serve_haven(exit_url, tmp_path_factory, clock=clock, **settings) as server,
    ):
        http = LocalTwilioHttpClient(twilio.url)
        server.app.extensions["twilio.http_client"] = http
        with session_scope(server.app) as session:
            user = factories.user(session, server.app.config["HAVEN_SETTINGS"], roles=["advocate"])
            set_languages_and_skills(session, user.id, ["es", "en"], [])
            add_shifts(
                session, user.id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC"
            )
            staffing.set_phone(session, user.id, ADVOCATE_PHONE)
            server.staff_token = start_session(session, user, now=MONDAY_1830)
        server.twilio, server.sender = (
            fake,
            sms_sender_for(server.app.config["HAVEN_SETTINGS"], http_client=http),
        )
        yield server
        http.close()


def open_the_call_form(page, base: str) -> None:
    unlock(page, base)  # the first time: the page about staying private
    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/call"]').first.click)


def ask_for_a_call(page, base: str) -> str:
    """Her side: the form in Spanish, a window open now, no voicemail; returns her receipt."""
    open_the_call_form(page, base)
    page.get_by_test_id("callback-number").fill(HER_NUMBER)
    page.locator("#windows-0-days-0").check()  # lunes
    page.locator("#windows-0-start").select_option("1080")
    page.locator("#windows-0-end").select_option("1200")
    assert page.locator("#time_zone").input_value() == "America/Chicago", "from the device"
    assert page.locator("#language").input_value() == "es"
    page.locator("#question").fill("¿Es la farmacia?")
    page.locator("#answer").fill("Sí, por mi pedido")
    swapped(page, page.get_by_test_id("callback-submit").click)
    return page.get_by_test_id("callback-receipt").inner_text()


def test_a_callback_from_her_form_to_a_closed_request(browser, phone, hotline):
    her = browser.new_context(**phone, locale="es", timezone_id="America/Chicago")
    page = her.new_page()
    refused = csp_refusals(page)
    receipt = ask_for_a_call(page, hotline.url)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", receipt)

    assert run_pass(hotline.app, hotline.sender).sent == 1
    [alert] = hotline.twilio.received
    assert alert.form["To"] == ADVOCATE_PHONE
    assert "farmacia" not in alert.form["Body"] and "0142" not in alert.form["Body"]

    advocate = browser.new_context(locale="en")
    advocate.add_cookies([{"name": "staff", "value": hotline.staff_token, "url": hotline.url}])
    console = advocate.new_page()
    console_refused = csp_refusals(console)
    console.goto(hotline.url + "/console/")
    assert axe_violations(console) == []
    console.get_by_role("button", name="Take the oldest one I can call now").click()
    console.wait_for_url(re.compile(r"/console/requests/\d+$"))
    assert console.get_by_text("¿Es la farmacia?").is_visible()
    assert axe_violations(console) == []

    console.get_by_role("button", name="Call now").click()
    console.get_by_text("Your phone rings now").wait_for()
    [call] = hotline.twilio.calls
    assert (call.form["To"], call.form["From"]) == (ADVOCATE_PHONE, CALLER_ID)
    twilio = TwilioCallbacks(hotline.app.test_client(), TOKEN, PUBLIC_URL)
    [her_leg] = hotline.twilio.answer(twilio)  # the advocate picks up: Twilio dials her
    assert (her_leg.to, her_leg.caller_id) == ("+12175550142", CALLER_ID), "masked caller id"
    assert her_leg.machine_detection == "Enable", "no voicemail allowed: machines are detected"

    console.get_by_label("We talked").check()
    console.get_by_role("button", name="Save", exact=True).click()
    console.get_by_text("Saved. The request is closed.").wait_for()

    swapped(page, page.locator('a[href="/home"]').first.click)
    swapped(page, page.locator('a[href="/call"]').first.click)
    page.locator("#receipt").fill(receipt)
    swapped(page, page.locator("form[action='/call/check'] button").click)
    assert "cerrada" in page.locator("main").inner_text()
    assert refused == [] and console_refused == []
    her.close()
    advocate.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_call_form_passes_axe(browser, phone, hotline, locale):
    context = browser.new_context(**phone, locale=locale)
    page = context.new_page()
    open_the_call_form(page, hotline.url)
    assert axe_violations(page) == []
    swapped(page, page.get_by_test_id("callback-submit").click)  # empty: the errors, too
    assert page.locator(".error").count() >= 1
    assert axe_violations(page) == []
    context.close()


def test_the_queue_shows_a_new_request_without_a_reload(browser, hotline):
    from webapp.callbacks import intake
    from webapp.callbacks.windows import Window

    advocate = browser.new_context(locale="en")
    advocate.add_cookies([{"name": "staff", "value": hotline.staff_token, "url": hotline.url}])
    console = advocate.new_page()
    console.clock.install()
    console.goto(hotline.url + "/console/")
    rows = console.locator("[data-queue] tbody form")
    before = rows.count()
    with session_scope(hotline.app) as session:
        wish = intake.Wish("+12175550142", (Window.of(range(7), 0, 1440),), "America/Chicago", "es")
        intake.ask(session, wish, key="q" * 32, receipt_hash="q" * 64, now=MONDAY_1830)
    console.clock.fast_forward(16_000)
    console.wait_for_function(
        "expected => document.querySelectorAll('[data-queue] tbody form').length === expected",
        arg=before + 1,
    )
    assert axe_violations(console) == []
    advocate.close()
