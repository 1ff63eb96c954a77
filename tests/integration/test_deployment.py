"""Per-deployment numbers and places: the README's worked UK example, loaded from its file and
rendered on the survivor home and the directory pages; phone numbers read as UK numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import app_on, unlock
from tests.integration.test_call import MONDAY_1830_CHICAGO, fields, the_form
from webapp.callbacks.models import CallbackRequest
from webapp.db import session_scope
from webapp.settings import Settings

UK_FILE = Path(__file__).resolve().parents[2] / "deployments" / "uk.toml"


def uk_overrides() -> dict:
    """What the worked example sets, read from its file as the app reads it at start-up."""
    read = Settings.from_env({"HAVEN_DEPLOYMENT": str(UK_FILE)})
    names = ("phone_region", "time_zone", "default_locale", "languages")
    return {name: getattr(read, name) for name in (*names, "emergency_number", "hotlines")}


@pytest.fixture
def uk_app(templates, database_kind, clock):
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, **uk_overrides())
        yield app
        app.extensions["db.engine"].dispose()


@pytest.fixture
def uk_survivor(uk_app, clock):
    clock.now = MONDAY_1830_CHICAGO
    client = uk_app.test_client()
    unlock(client)
    return client


def test_the_survivor_home_shows_the_uk_emergency_number_and_helplines(uk_survivor):
    page = uk_survivor.get("/home").get_data(as_text=True)
    assert "In danger right now? Call 999." in page and 'href="tel:999"' in page
    assert "National Domestic Abuse Helpline" in page
    assert 'href="tel:+448082000247"' in page, "a UK number dialled in full international form"
    assert "Men&#39;s Advice Line" in page and 'href="tel:+448088010327"' in page
    assert "911" not in page and "799-7233" not in page


def test_the_directory_page_shows_them_and_dials_its_numbers_as_uk_numbers(uk_app, uk_survivor):
    with session_scope(uk_app) as session:
        service = factories.service(session, name="Refuge in Leeds")
        factories.phone(session, service, number="0113 496 0000")
    search = uk_survivor.get("/places").get_data(as_text=True)
    assert 'href="tel:999"' in search and 'href="tel:+448082000247"' in search
    detail = uk_survivor.get(f"/places/{service}").get_data(as_text=True)
    assert 'href="tel:+441134960000"' in detail


def test_the_pages_speak_the_numbers_in_every_language(uk_survivor):
    page = uk_survivor.get("/home", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar"' in page and 'href="tel:999"' in page
    assert "911" not in page


def test_a_callback_number_is_read_as_a_uk_number(uk_app, uk_survivor):
    asked = uk_survivor.post(
        "/call",
        data=the_form(uk_survivor) | fields(number="07911 123456", time_zone="Europe/London"),
    )
    assert asked.status_code == 303
    with session_scope(uk_app) as session:
        assert session.scalars(select(CallbackRequest.number)).one() == "+447911123456"


def test_the_same_number_is_refused_under_the_us_default(migrated_app, clock):
    clock.now = MONDAY_1830_CHICAGO
    client = migrated_app.test_client()
    unlock(client)
    refused = client.post("/call", data=the_form(client) | fields(number="07911 123456"))
    assert refused.status_code == 400
    assert "07911 123456" in refused.get_data(as_text=True), "what she typed is kept"


def test_the_language_switch_offers_the_deployments_languages_only(templates, clock):
    with templates.copy("sqlite", seeded=False) as url:
        app = app_on(url, clock, languages=("en", "es"))
        client = app.test_client()
        page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
        app.extensions["db.engine"].dispose()
    assert '<html lang="en"' in page, "French is not offered: the default, not French"
    assert '<option value="es"' in page
    assert '<option value="fr"' not in page and '<option value="ar"' not in page


def test_the_us_hotline_is_named_in_the_readers_language(migrated_app, clock):
    clock.now = MONDAY_1830_CHICAGO
    client = migrated_app.test_client()
    unlock(client)
    page = client.get("/home", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "美国全国家庭暴力热线" in page and 'href="tel:+18007997233"' in page
    assert 'href="sms:88788?body=START"' in page and 'href="tel:911"' in page
