"""The README's run command and the Procfile's web process, started for real."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.servers import free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHELTER_ID = "3f0c9a4e-5b7d-4c21-9e8f-0a1b2c3d4e5f"


def start(command: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def browse_as_survivor(base: str, code: str) -> None:
    """Open the decoy, unlock with the code and read two survivor pages."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(base + "/") as response:
        decoy = response.read().decode()
    assert 'data-testid="unlock"' in decoy
    form = urllib.parse.urlencode({"csrf_token": CSRF.search(decoy).group(1), "q": code})
    with opener.open(base + "/", data=form.encode()) as landed:
        assert landed.url == base + "/tips"
    with opener.open(base + "/home") as response:
        assert 'data-testid="quick-exit"' in response.read().decode()
    with pytest.raises(urllib.error.HTTPError) as missing:
        opener.open(base + "/nowhere").close()
    with missing.value as error:
        assert error.code == 404
        assert 'data-testid="quick-exit"' in error.read().decode(), "error pages keep the exit"
    with pytest.raises(urllib.error.HTTPError) as shelter:  # no such service here: a 404 too
        opener.open(f"{base}/places/{SHELTER_ID}").close()
    shelter.value.close()


def test_readme_run_command_brings_haven_up(tmp_path):
    port = free_port()
    env = {**os.environ, "VENV": str(VENV)}
    env.pop("HAVEN_ENV", None)
    log = tmp_path / "run.log"
    process = start(
        ["make", "--no-print-directory", "run", f"PORT={port}", f"VENV={VENV}"], log, env
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", process, seconds=300)
        output = log.read_text()
        assert f"Haven is starting at http://127.0.0.1:{port}/" in output
        code = re.search(r"type (\d+) in the decoy", output).group(1)
        browse_as_survivor(f"http://127.0.0.1:{port}", code)
    finally:
        stop(process)


@pytest.mark.parametrize("server", ["gunicorn", "flask"])
def test_no_survivor_request_is_logged_with_an_address(tmp_path, server):
    port = free_port()
    env = {
        **os.environ,
        "HAVEN_ENV": "test",
        "UNLOCK_CODE": "5791",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'haven.db'}",
        "PORT": str(port),
    }
    command = {
        "gunicorn": [
            str(VENV / "bin" / "gunicorn"),
            "-c",
            "python:webapp.gunicorn_conf",
            "--workers",
            "1",
            "webapp:create_app()",
        ],
        "flask": [str(VENV / "bin" / "flask"), "--app", "webapp", "run", "--port", str(port)],
    }[server]
    migrate = [str(VENV / "bin" / "flask"), "--app", "webapp", "db", "upgrade"]
    subprocess.run(migrate, cwd=REPO, env=env, check=True, capture_output=True)
    log = tmp_path / "server.log"
    process = start(command, log, env)
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        browse_as_survivor(f"http://127.0.0.1:{port}", "5791")
    finally:
        stop(process)
    output = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text())  # the development server's colours
    assert re.search(r"GET /home (HTTP/1.1\" )?200", output), output
    assert re.search(r"GET /places/<service_id> (HTTP/1.1\" )?404", output), output
    assert SHELTER_ID not in output, "the log names the route, not which shelter was opened"
    assert "127.0.0.1 " not in output.replace(f"127.0.0.1:{port}", "")
    assert "q=5791" not in output and "5791" not in output


def gunicorn(tmp_path, port: int, **env) -> subprocess.Popen:
    """The Procfile's web process (two workers, as in production) on a migrated SQLite file."""
    environment = {
        **os.environ,
        "HAVEN_ENV": "test",
        "UNLOCK_CODE": "5791",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'haven.db'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        **env,
    }
    migrate = [str(VENV / "bin" / "flask"), "--app", "webapp", "db", "upgrade"]
    subprocess.run(migrate, cwd=REPO, env=environment, check=True, capture_output=True)
    command = [str(VENV / "bin" / "gunicorn"), "-c", "python:webapp.gunicorn_conf"]
    process = start([*command, "webapp:create_app()"], tmp_path / "server.log", environment)
    wait_for(f"http://127.0.0.1:{port}/", process)
    return process


def test_two_workers_share_one_count_of_wrong_codes_through_redis(tmp_path):
    import redis

    url = "redis://127.0.0.1:6379/12"
    redis.Redis.from_url(url).flushdb()
    port = free_port()
    process = gunicorn(tmp_path, port, REDIS_URL=url)
    base = f"http://127.0.0.1:{port}"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for attempt in range(11):  # ten wrong codes, spread by the kernel over both workers
            with opener.open(base + "/") as response:
                token = CSRF.search(response.read().decode()).group(1)
            code = "5791" if attempt == 10 else f"{1000 + attempt}"
            form = urllib.parse.urlencode({"csrf_token": token, "q": code}).encode()
            with opener.open(base + "/", data=form) as answered:
                landed = answered.url
        assert landed == base + "/", "after ten wrong codes even the right one opens nothing"
    finally:
        stop(process)
        redis.Redis.from_url(url).flushdb()


def test_slow_clients_do_not_starve_the_site(tmp_path):
    port = free_port()
    process = gunicorn(tmp_path, port)
    stalled = []
    try:
        for _ in range(3):  # each announces a body, sends a little of it, and goes quiet
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(
                b"POST / HTTP/1.1\r\nHost: haven\r\nContent-Length: 100000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nq=12"
            )
            stalled.append(connection)
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 1.0
    finally:
        for connection in stalled:
            connection.close()
        stop(process)


def test_a_forwarded_scheme_from_loopback_is_not_trusted_without_proxy_hops(tmp_path):
    port = free_port()
    process = gunicorn(tmp_path, port)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers.get("Strict-Transport-Security") is None
    finally:
        stop(process)
