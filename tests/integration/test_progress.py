"""Long commands show a bar on a terminal, nothing with --quiet or in a script, and say what
they did on standard output either way."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.conftest import TEMPLATE_DATA_KEY
from tests.terminal import REPO, command_environment, run_on_a_terminal
from webapp.db import session_scope
from webapp.directory.models import ServiceHours
from webapp.directory.search import ServiceSearch

FULL_BAR = re.compile(r"\b(\d+)/\1\b")


@pytest.fixture
def environment(templates):
    """A seeded SQLite copy: how a bar is drawn does not depend on the database."""
    with templates.copy("sqlite", seeded=True) as url:
        yield command_environment(url, TEMPLATE_DATA_KEY)


def in_a_script(arguments: list[str], environment: dict) -> subprocess.CompletedProcess:
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "webapp", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("arguments", "label", "result"),
    [
        (["directory", "reindex"], "reindexing", r"reindexed \d+ services"),
        (["directory", "export", "{tmp}/all.json"], "exporting", r"exported \d+ services"),
        (["purge"], "purging", r"sessions ended: \d+"),
        (["seed"], "seeding", r"Directory: \d+ services loaded"),
    ],
)
def test_a_long_command_shows_its_progress_on_a_terminal_only(
    environment, tmp_path, arguments, label, result
):
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]

    shown, output = run_on_a_terminal(arguments, environment)
    assert label in shown and FULL_BAR.search(shown), shown
    assert re.search(result, output) and label not in output

    quiet, output = run_on_a_terminal([*arguments, "--quiet"], environment)
    assert label not in quiet and re.search(result, output)


def test_in_a_script_nothing_but_the_result(environment):
    scripted = in_a_script(["directory", "reindex"], environment)
    assert scripted.returncode == 0, scripted.stderr
    assert "reindexing" not in scripted.stderr + scripted.stdout
    assert re.fullmatch(r"reindexed \d+ services\n", scripted.stdout)


def test_reindex_rebuilds_a_document_and_the_weekly_hours_of_every_service(seeded_app):
    url = seeded_app.config["HAVEN_SETTINGS"].database_url
    with session_scope(seeded_app) as session:
        before = session.scalar(select(func.count()).select_from(ServiceSearch))
        hours = session.scalar(select(func.count()).select_from(ServiceHours))
        session.execute(ServiceSearch.__table__.delete())
        session.execute(ServiceHours.__table__.delete())
    ran = in_a_script(["directory", "reindex"], command_environment(url, TEMPLATE_DATA_KEY))
    assert f"reindexed {before} services" in ran.stdout
    with session_scope(seeded_app) as session:
        assert session.scalar(select(func.count()).select_from(ServiceSearch)) == before > 0
        assert session.scalar(select(func.count()).select_from(ServiceHours)) == hours > 0
        # The planner's statistics were refreshed: it chooses indexes by them.
        if session.get_bind().dialect.name == "postgresql":
            analyzed = text(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'service_search'"
            )
        else:
            analyzed = text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'service_search'")
        assert session.scalar(analyzed) is not None


def test_an_import_shows_its_stages(environment, tmp_path):
    exported = tmp_path / "all.json"
    assert in_a_script(["directory", "export", str(exported)], environment).returncode == 0
    shown, output = run_on_a_terminal(["directory", "import", str(exported)], environment)
    assert "importing" in shown and "checking and saving" in shown and FULL_BAR.search(shown)
    assert "refreshing the statistics" in shown
    assert output.startswith("imported ")
