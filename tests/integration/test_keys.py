"""`flask --app webapp keys check|rotate`: every encrypted value moves to the newest DATA_KEY
secret, nothing is lost, and a rotation killed halfway and run again ends the same."""

from __future__ import annotations

import ast
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import make_settings
from tests.terminal import command_environment, run_on_a_terminal
from webapp import create_app
from webapp.accounts.models import User
from webapp.crypto import keys_for
from webapp.db import session_scope
from webapp.keys import encrypted_tables, reseal
from webapp.messaging import outbox
from webapp.messaging.models import OutboxMessage
from webapp.reports import choices
from webapp.reports.models import Report, ReportPhoto
from webapp.visits import Visit

REPO = Path(__file__).resolve().parents[2]
OLD, NEW = secrets.token_urlsafe(40), secrets.token_urlsafe(40)
VISITS = 40


def test_every_encrypted_column_of_the_models_is_found():
    """Read from the sources, not from the finder: a model module the finder missed fails."""
    written = set()
    for path in (REPO / "webapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                written |= _encrypted_columns_of(node)
    found = {name for entry in encrypted_tables() for name in entry.names}
    assert found == written
    assert {"reports.text", "report_photos.data", "outbox_messages.recipient"} <= found


def _encrypted_columns_of(model: ast.ClassDef) -> set[str]:
    table = next(
        (
            statement.value.value
            for statement in model.body
            if isinstance(statement, ast.Assign)
            and getattr(statement.targets[0], "id", None) == "__tablename__"
        ),
        None,
    )
    columns = set()
    for statement in model.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.value, ast.Call):
            call = statement.value
            if call.args and isinstance(call.args[0], ast.Call):
                type_name = getattr(call.args[0].func, "id", "")
                if type_name.startswith("Encrypted"):
                    columns.add(f"{table}.{statement.target.id}")
    return columns


_made: list = []


@pytest.fixture(autouse=True)
def _close_databases():
    yield
    while _made:
        _made.pop().extensions["db.engine"].dispose()


def app_with(url: str, data_key: str):
    """An app on `url` holding `data_key` (its connections closed after the test)."""
    made = create_app(make_settings(database_url=url, data_key=data_key))
    _made.append(made)
    return made


def store_under_old_key(url: str) -> dict:
    """Values in four domains' encrypted columns (core, messaging, accounts, reports)."""
    app = app_with(url, OLD)
    now = factories.NOW
    with app.app_context(), session_scope(app) as session:
        for n in range(VISITS):
            session.add(Visit(id=f"{n:064d}", data=f'{{"n": {n}}}', expires_at=now))
        for n in range(5):
            outbox.enqueue(session, to=f"+1217555{n:04d}", body=f"text {n}", now=now)
        user = factories.user(session, app.config["HAVEN_SETTINGS"])
        user.totp_secret = "JBSWY3DPEHPK3PXP"
        report = Report(
            lookup_key="k" * 64,
            form_key="f" * 64,
            created_at=now,
            last_activity_at=now,
            kinds=[next(iter(choices.KINDS))],
            happened=next(iter(choices.HAPPENED)),
            area=next(iter(choices.areas())),
            role=next(iter(choices.ROLES)),
            text="what happened, in her words",
        )
        report.photos = [
            ReportPhoto(
                media_type="image/png", width=1, height=1, data=b"\x89PNG" * 50, added_at=now
            )
        ]
        session.add(report)
    app.extensions["db.engine"].dispose()
    return read_everything(app_with(url, OLD))


def read_everything(app) -> dict:
    with app.app_context(), session_scope(app) as session:
        found = {
            "visits": sorted((v.id, v.data) for v in session.scalars(select(Visit))),
            "outbox": sorted((m.recipient, m.body) for m in session.scalars(select(OutboxMessage))),
            "totp": sorted(u.totp_secret or "" for u in session.scalars(select(User))),
            "reports": [r.text for r in session.scalars(select(Report))],
            "photos": [p.data for p in session.scalars(select(ReportPhoto))],
        }
    app.extensions["db.engine"].dispose()
    return found


def values_count(original: dict) -> int:
    """Each visit, each message's number and text, the second-factor secret, the report, the
    photo."""
    return len(original["visits"]) + 2 * len(original["outbox"]) + 3


def test_rotate_moves_every_value_to_the_newest_secret(migrated_app):
    url = migrated_app.config["HAVEN_SETTINGS"].database_url
    before = store_under_old_key(url)
    rotating = app_with(url, f"{NEW},{OLD}")
    runner = rotating.test_cli_runner()

    checked = runner.invoke(args=["keys", "check"])
    assert checked.exit_code == 1
    assert f"values under older secrets: {values_count(before)}" in checked.output
    assert "values under the newest secret: 0" in checked.output

    rotated = runner.invoke(args=["keys", "rotate", "--batch", "7"])
    assert rotated.exit_code == 0, rotated.output
    assert f"re-encrypted {values_count(before)} values" in rotated.output

    again = runner.invoke(args=["keys", "check"])
    assert again.exit_code == 0, again.output
    assert "values under older secrets: 0" in again.output
    assert f"values under the newest secret: {values_count(before)}" in again.output
    rotating.extensions["db.engine"].dispose()

    assert read_everything(app_with(url, NEW)) == before


def test_a_second_rotation_rewrites_nothing(migrated_app):
    url = migrated_app.config["HAVEN_SETTINGS"].database_url
    store_under_old_key(url)
    runner = app_with(url, f"{NEW},{OLD}").test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    second = runner.invoke(args=["keys", "rotate"])
    assert "re-encrypted 0 values" in second.output


def test_a_value_no_secret_opens_is_counted_and_left_alone(migrated_app):
    url = migrated_app.config["HAVEN_SETTINGS"].database_url
    stranger = app_with(url, secrets.token_urlsafe(40))
    with stranger.app_context(), session_scope(stranger) as session:
        session.add(Visit(id="s" * 64, data="{}", expires_at=factories.NOW))
    stranger.extensions["db.engine"].dispose()
    runner = app_with(url, f"{NEW},{OLD}").test_cli_runner()
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 1
    assert "1 could not be read with any secret" in rotated.output
    checked = runner.invoke(args=["keys", "check"])
    assert "values no secret opens: 1" in checked.output
    # It is still there for the right secret.
    assert read_everything(stranger)["visits"] == [("s" * 64, "{}")]


def test_rotation_killed_halfway_loses_nothing_and_finishes_when_run_again(migrated_app):
    url = migrated_app.config["HAVEN_SETTINGS"].database_url
    before = store_under_old_key(url)
    environment = command_environment(url, f"{NEW},{OLD}")
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen(
        [str(flask), "--app", "webapp", "keys", "rotate", "--batch", "2", "--pause", "0.15"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    watcher = app_with(url, f"{NEW},{OLD}")
    runner = watcher.test_cli_runner()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:
            newest = _count(runner.invoke(args=["keys", "check"]).output, "newest secret")
            if newest >= 6:
                break
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        output = process.communicate()[0].decode()
    assert process.returncode == -signal.SIGKILL, output
    halfway = runner.invoke(args=["keys", "check"]).output
    assert _count(halfway, "newest secret") >= 6
    assert _count(halfway, "older secrets") > 0, "the rotation finished before it was killed"
    assert read_everything(watcher) == before

    finished = runner.invoke(args=["keys", "rotate"])
    assert finished.exit_code == 0, finished.output
    assert runner.invoke(args=["keys", "check"]).exit_code == 0
    watcher.extensions["db.engine"].dispose()
    assert read_everything(app_with(url, NEW)) == before


def _count(output: str, what: str) -> int:
    """A figure of `keys check`: "values under the newest secret: 12"."""
    line = next(
        line for line in output.splitlines() if line.startswith("values under") and what in line
    )
    return int(line.rsplit(":", 1)[1])


def test_a_value_changed_since_it_was_read_is_not_overwritten(migrated_app):
    """The app may write a value between the rotation's read and its write: its write wins."""
    url = migrated_app.config["HAVEN_SETTINGS"].database_url
    store_under_old_key(url)
    app = app_with(url, f"{NEW},{OLD}")
    old, new = keys_for(f"{OLD}")[0], keys_for(f"{NEW}")[0]
    table = Visit.__table__
    stale = old.encrypt(b'{"n": "as read before the app changed it"}').decode("ascii")
    with app.app_context(), session_scope(app) as session:
        reseal(session, table, ("0" * 64,), table.c.data, stale, old, new)
    assert dict(read_everything(app_with(url, OLD))["visits"])["0" * 64] == '{"n": 0}'


def test_rotation_shows_a_progress_bar_on_a_terminal_only(templates):
    with templates.copy("sqlite", seeded=False) as url:
        _bar_on_a_terminal_only(url)


def _bar_on_a_terminal_only(url: str) -> None:
    before = store_under_old_key(url)
    environment = command_environment(url, f"{NEW},{OLD}")

    quiet, output = run_on_a_terminal(["keys", "rotate", "--quiet"], environment)
    assert "re-encrypting" not in quiet
    assert f"re-encrypted {values_count(before)} values" in output

    shown, output = run_on_a_terminal(["keys", "rotate"], environment)
    assert "re-encrypting" in shown
    assert re.search(r"\b(\d+)/\1\b", shown), "the bar ends full"
    assert "re-encrypting" not in output, "the bar belongs to the terminal, not to the results"
