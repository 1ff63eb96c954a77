"""Real Chromium through Playwright against Haven served on loopback."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.chromium import launch_options
from tests.conftest import LiveServer, make_settings
from webapp import create_app

WEATHER = b"<!doctype html><html lang='en'><title>Weather</title><h1>Sunny, 21 C</h1></html>"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def weather_site(environ, start_response):
    """The neutral page quick exit lands on, on an origin of its own."""
    start_response("200 OK", [("Content-Type", "text/html"), ("Cache-Control", "no-store")])
    return [WEATHER]


@pytest.fixture(scope="session")
def exit_url():
    with LiveServer(weather_site) as server:
        yield server.url + "/"


def serve_haven(exit_url: str, tmp_path_factory, clock=None, **overrides):
    database = tmp_path_factory.mktemp("haven") / "haven.db"
    settings = make_settings(exit_url=exit_url, database_url=f"sqlite:///{database}", **overrides)
    app = create_app(settings, clock=clock)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    server = LiveServer(app)
    server.app = app
    return server


@pytest.fixture(scope="session")
def haven(exit_url, tmp_path_factory):
    with serve_haven(exit_url, tmp_path_factory) as server:
        yield server.url


@pytest.fixture(scope="session")
def haven_app(haven, exit_url, tmp_path_factory):
    """A second server whose app the staff tests add accounts to."""
    with serve_haven(exit_url, tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_api():
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="session")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(**launch_options())
    yield browser
    browser.close()


@pytest.fixture
def phone(playwright_api) -> dict:
    return dict(playwright_api.devices["Pixel 7"])


@pytest.fixture
def context(browser, phone):
    context = browser.new_context(**phone)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
