"""`/healthz` and `/readyz`: plain JSON, 503 while the database (or Redis) is down and 200 when
it is back, no cookie, no log line, linked from nowhere, naming nothing about the site."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from webapp import create_app
from webapp.logs import QuietProbesFilter

REPO = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
PURPOSE_WORDS = ("haven", "surviv", "abuse", "violence", "shelter", "hotline", "callback")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnPostgres:
    """A PostgreSQL server of this test's own (never the shared one), to stop and start."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(
            str(POSTGRES_BIN / "initdb"),
            "-A",
            "trust",
            "--no-sync",
            "-U",
            "postgres",
            str(self.data),
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off -k {self.folder}"
        log = str(self.folder / "log")
        self._as_postgres(
            str(POSTGRES_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            log,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(
            str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15's binaries are needed (see ENVIRONMENT: a throwaway cluster)")
    folder = Path(tempfile.mkdtemp(prefix="haven-probe-"))
    server = OwnPostgres(folder)
    server.init()
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by the test
        shutil.rmtree(folder, ignore_errors=True)


def test_readyz_follows_the_database_down_and_back(own_postgres):
    app = create_app(make_settings(database_url=own_postgres.url))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    own_postgres.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json() == {"status": "unavailable", "checks": {"database": "unreachable"}}
    own_postgres.start()
    back = client.get("/readyz")
    assert back.status_code == 200
    assert back.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    app.extensions["db.engine"].dispose()


def test_readyz_checks_redis_when_it_is_configured():
    missing = create_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    down = missing.test_client().get("/readyz")
    assert down.status_code == 503 and down.get_json()["checks"]["redis"] == "unreachable"
    present = create_app(make_settings(redis_url="redis://127.0.0.1:6379/14"))
    up = present.test_client().get("/readyz")
    assert up.status_code == 200 and up.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_healthz_answers_plain_json_without_a_cookie_or_a_word_about_the_site(client):
    for path in ("/healthz", "/readyz"):
        answer = client.get(path, headers={"Cookie": "s=anything"})
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        assert "Set-Cookie" not in answer.headers
        assert answer.headers["Cache-Control"] == "no-store"
        text = answer.get_data(as_text=True).lower()
        assert not [word for word in PURPOSE_WORDS if word in text], text
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.post("/healthz").status_code != 200, "only a probe's GET or HEAD is answered"


def test_no_page_or_served_file_links_to_the_probes():
    places = [REPO / "webapp" / "templates", REPO / "pwa" / "src", REPO / "pwa" / "dist"]
    found = [
        path
        for place in places
        for path in place.rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".js", ".css", ".json", ".webmanifest", ".txt"}
        and (
            "healthz" in path.read_text(errors="ignore")
            or "readyz" in path.read_text(errors="ignore")
        )
    ]
    assert found == []


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('"GET /healthz HTTP/1.1" 200 -', False),
        ('"HEAD /readyz HTTP/1.1" 503 -', False),
        ("GET /readyz 200 52 1ms", False),
        ("GET /home 200 5120 3ms", True),
        ('"GET /places/r/healthz HTTP/1.1" 200 -', True),
    ],
)
def test_probe_lines_never_reach_the_access_log(line, kept):
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, line, None, None)
    assert QuietProbesFilter().filter(record) is kept
