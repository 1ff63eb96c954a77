"""LOG_FORMAT=json: the web process writes one JSON object a line, with no client address, no
survivor's path or code, and no line at all for the health probes."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request

import pytest

from tests.integration.test_processes import (
    REPO,
    SHELTER_ID,
    VENV,
    browse_as_survivor,
    free_port,
    start,
    stop,
    wait_for,
)


def serve(tmp_path, server: str, port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "HAVEN_ENV": "test",
        "UNLOCK_CODE": "5791",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'haven.db'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "LOG_FORMAT": "json",
    }
    migrate = [str(VENV / "bin" / "flask"), "--app", "webapp", "db", "upgrade"]
    subprocess.run(migrate, cwd=REPO, env=environment, check=True, capture_output=True)
    command = {
        "gunicorn": [str(VENV / "bin" / "gunicorn"), "-c", "python:webapp.gunicorn_conf"],
        "flask": [str(VENV / "bin" / "flask"), "--app", "webapp", "run", "--port", str(port)],
    }[server]
    if server == "gunicorn":
        command.append("webapp:create_app()")
    process = start(command, tmp_path / "server.log", environment)
    wait_for(f"http://127.0.0.1:{port}/", process)
    return process


@pytest.mark.parametrize("server", ["gunicorn", "flask"])
def test_json_lines_name_routes_and_nothing_of_the_survivor(tmp_path, server):
    port = free_port()
    process = serve(tmp_path, server, port)
    base = f"http://127.0.0.1:{port}"
    try:
        browse_as_survivor(base, "5791")
        for probe in ("/healthz", "/readyz"):
            with urllib.request.urlopen(base + probe, timeout=5) as answer:
                assert answer.status == 200
    finally:
        stop(process)
    text = (tmp_path / "server.log").read_text()
    # The development server's banner is printed, not logged: the only lines left as text.
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(" * ")]
    events = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message"} <= set(events[0])
    messages = [event["message"] for event in events]
    assert any(m.startswith("GET /home") or "GET /home HTTP" in m for m in messages), messages
    assert not [m for m in messages if "healthz" in m or "readyz" in m], "probes leave no line"
    assert "127.0.0.1 " not in text.replace(f"127.0.0.1:{port}", "")
    assert "5791" not in text and SHELTER_ID not in text
