"""Fixtures shared by every test: settings, apps, clients, databases and a live server."""

from __future__ import annotations

import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from webapp import create_app
from webapp.clock import FakeClock
from webapp.settings import Settings

UNLOCK_CODE = "2468"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def make_settings(**overrides) -> Settings:
    """Test settings: a throwaway SQLite file unless told otherwise, cheap everything."""
    base = Settings(
        env="test",
        secret_key=secrets.token_urlsafe(48),
        data_key=secrets.token_urlsafe(48),
        database_url="sqlite://",
        unlock_code=UNLOCK_CODE,
        exit_url="https://weather.example.org/",
        argon2_memory_kib=1024,
        argon2_time_cost=1,
    )
    return replace(base, **overrides)


def production_settings(database_url: str, **overrides) -> Settings:
    """Settings production accepts: strong secrets, Twilio, OWASP's Argon2id minimum."""
    return make_settings(
        env="production",
        secret_key="k" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz",
        sms_backend="twilio",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="t" * 32,
        twilio_from_number="+15005550006",
        unlock_code="8642",
        database_url=database_url,
        argon2_memory_kib=19456,
        argon2_time_cost=2,
        **overrides,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock):
    return create_app(make_settings(), clock=clock)


@pytest.fixture
def migrated_app(database_url, clock):
    """An app on a migrated database: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    app = create_app(make_settings(database_url=database_url), clock=clock)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["db.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def post_form(client, page: str, action: str, data: dict, **kwargs):
    """Submit a form the way a browser would: fetch the page first for its CSRF token."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)


def unlock(client, code: str = UNLOCK_CODE, environ_base: dict | None = None, **extra):
    """Type the code into the decoy's field; `environ_base` poses as another client."""
    request = {"environ_base": environ_base} if environ_base else {}
    token = csrf_token(client.get("/", **request).get_data(as_text=True))
    return client.post("/", data={"csrf_token": token, "q": code, **extra}, **request)


@pytest.fixture
def unlocked(client):
    response = unlock(client)
    assert response.status_code == 303
    return client


# Databases: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
        return
    yield from throwaway_postgres(os.environ["TEST_DATABASE_URL"])


def throwaway_postgres(admin_url: str, prefix: str = "haven_test") -> Iterator[str]:
    """A fresh database per test, dropped afterwards, on the server TEST_DATABASE_URL names."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class LiveServer:
    """A real HTTP server on loopback running an app in a background thread."""

    def __init__(self, wsgi_app):
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
