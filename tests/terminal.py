"""Commands run as an operator runs them: in a terminal (a pseudo-terminal) or in a script."""

from __future__ import annotations

import os
import pty
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_on_a_terminal(arguments: list[str], environment: dict) -> tuple[str, str]:
    """Run a flask command with its standard error on a pseudo-terminal (as in a shell):
    what the terminal showed, and what standard output (a pipe) got."""
    controller, terminal = pty.openpty()
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen(
        [str(flask), "--app", "webapp", *arguments],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    output = process.communicate(timeout=60)[0].decode()
    os.close(controller)
    return shown.decode(errors="replace"), output


def command_environment(url: str, data_key: str) -> dict:
    """What a `flask --app webapp` command needs to run on `url` as the test app would."""
    return {
        **os.environ,
        "HAVEN_ENV": "test",
        "DATABASE_URL": url,
        "DATA_KEY": data_key,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "REPORT_PEPPER": secrets.token_urlsafe(40),
        "UNLOCK_CODE": "2468",
    }
