"""Fixtures shared by every test: settings, apps, clients, databases and a live server."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from webapp import create_app
from webapp.cli import alembic_config
from webapp.clock import FakeClock
from webapp.settings import Settings

UNLOCK_CODE = "2468"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


_SCRATCH: dict[str, str] = {}


def scratch_database_url() -> str:
    """A migrated SQLite file this test process shares among apps that store nothing but
    sessions (the decoy, the unlock, the headers); made once, on first use."""
    if "url" not in _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="haven-scratch-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        url = f"sqlite:///{folder / 'scratch.db'}"
        command.upgrade(alembic_config(url), "head")
        _SCRATCH["url"] = url
    return _SCRATCH["url"]


def make_settings(**overrides) -> Settings:
    """Test settings: the shared scratch database unless told otherwise, cheap everything."""
    if "database_url" not in overrides:
        overrides["database_url"] = scratch_database_url()
    base = Settings(
        env="test",
        secret_key=secrets.token_urlsafe(48),
        data_key=secrets.token_urlsafe(48),
        report_pepper=secrets.token_urlsafe(48),
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
        redis_url="redis://127.0.0.1:6379/13",
        public_url="https://haven.example.org",
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


# Databases copied from a template hold values sealed when the template was made.
TEMPLATE_DATA_KEY = secrets.token_urlsafe(48)


def app_on(url: str, clock: FakeClock | None = None, **overrides):
    """An app on a database copied from the templates, able to read what they sealed."""
    settings = make_settings(database_url=url, data_key=TEMPLATE_DATA_KEY, **overrides)
    return create_app(settings, clock=clock)


def _app_on_a_copy(templates: Templates, kind: str, clock, *, seeded: bool) -> Iterator:
    with templates.copy(kind, seeded=seeded) as url:
        app = app_on(url, clock)
        yield app
        app.extensions["db.engine"].dispose()


@pytest.fixture
def migrated_app(templates, database_kind, clock):
    """An app on a fresh copy of the migrated database: SQLite, and PostgreSQL when
    TEST_DATABASE_URL is set. The copy is the test's own; it may commit as it likes."""
    yield from _app_on_a_copy(templates, database_kind, clock, seeded=False)


@pytest.fixture
def seeded_app(templates, database_kind, clock):
    """Like `migrated_app`, with the seed directory (`flask seed`) already loaded."""
    yield from _app_on_a_copy(templates, database_kind, clock, seeded=True)


@pytest.fixture
def db_app(templates, database_kind, clock):
    """An app on a migrated database shared by the whole run, inside a transaction that is
    rolled back after the test: its requests and commands commit to savepoints only.

    For tests that stay in one thread and one connection (no live server, no subprocess).
    """
    app = app_on(templates.shared(database_kind), clock)
    engine = app.extensions["db.engine"]
    if engine.dialect.name == "sqlite":
        # pysqlite begins transactions lazily and cannot nest them: let SQLAlchemy say BEGIN.
        event.listen(engine, "connect", _sqlite_explicit_begin)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    connection = engine.connect()
    outer = connection.begin()
    app.extensions["db.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    outer.rollback()
    connection.close()
    engine.dispose()


def _sqlite_explicit_begin(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


@pytest.fixture
def db(db_app) -> Iterator[Session]:
    """A session in `db_app`'s rolled-back transaction, for domain functions."""
    session = db_app.extensions["db.sessionmaker"]()
    yield session
    session.close()


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
def database_kind(request) -> str:
    return request.param


@pytest.fixture
def database_url(database_kind, tmp_path) -> Iterator[str]:
    """An empty database of this kind, the test's own."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
        return
    yield from throwaway_postgres(os.environ["TEST_DATABASE_URL"])


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"), os.environ.get("TEST_DATABASE_URL"))
    yield made
    made.drop()


class Templates:
    """Databases migrated (and seeded) once per run, copied for each test that needs one.

    Migrating and seeding cost a second or more a test; a copy costs milliseconds (a file copy
    on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL).
    """

    def __init__(self, folder: Path, postgres_url: str | None):
        self._folder, self._postgres = folder, postgres_url
        self._made: dict[tuple[str, bool], str] = {}
        self._shared: dict[str, str] = {}
        self._postgres_names: list[str] = []

    def template(self, kind: str, *, seeded: bool) -> str:
        if (kind, seeded) not in self._made:
            url = self._empty(kind, f"template_{'seeded' if seeded else 'migrated'}")
            app = app_on(url)
            runner = app.test_cli_runner()
            for command in (["db", "upgrade"], ["seed"]) if seeded else (["db", "upgrade"],):
                result = runner.invoke(args=command)
                assert result.exit_code == 0, result.output
            app.extensions["db.engine"].dispose()
            self._made[kind, seeded] = url
        return self._made[kind, seeded]

    @contextmanager
    def copy(self, kind: str, *, seeded: bool) -> Iterator[str]:
        """A fresh copy of the template, dropped afterwards."""
        template = self.template(kind, seeded=seeded)
        if kind == "sqlite":
            path = self._folder / f"copy_{uuid.uuid4().hex[:12]}.db"
            shutil.copyfile(make_url(template).database, path)
            try:
                yield f"sqlite:///{path}"
            finally:
                path.unlink(missing_ok=True)
            return
        yield from throwaway_postgres(self._postgres, template=template)

    def shared(self, kind: str) -> str:
        """One migrated copy for the whole run, for tests that roll back what they did."""
        if kind not in self._shared:
            template = self.template(kind, seeded=False)
            if kind == "sqlite":
                path = self._folder / "shared.db"
                shutil.copyfile(make_url(template).database, path)
                self._shared[kind] = f"sqlite:///{path}"
            else:
                self._shared[kind] = self._empty(kind, "shared", template=template)
        return self._shared[kind]

    def _empty(self, kind: str, name: str, template: str | None = None) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self._folder / (name + '.db')}"
        database = f"haven_{name}_{uuid.uuid4().hex[:12]}"
        _create_postgres(self._postgres, database, template)
        self._postgres_names.append(database)
        return make_url(self._postgres).set(database=database).render_as_string(hide_password=False)

    def drop(self) -> None:
        for database in reversed(self._postgres_names):
            _drop_postgres(self._postgres, database)


def throwaway_postgres(
    admin_url: str, prefix: str = "haven_test", template: str | None = None
) -> Iterator[str]:
    """A fresh database (empty, or a copy of `template`), dropped afterwards, on the server
    TEST_DATABASE_URL names."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _create_postgres(admin_url, name, template)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_postgres(admin_url, name)


def _create_postgres(admin_url: str, name: str, template: str | None = None) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    source = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{source}'))
    admin.dispose()


def _drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
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


@pytest.fixture
def fake_twilio():
    """Twilio's REST API, TwiML fetches and status callbacks, served locally (messaging_fakes)."""
    from tests.messaging_fakes import FakeTwilio

    twilio = FakeTwilio()
    with LiveServer(twilio) as server:
        twilio.url = server.url
        yield twilio
