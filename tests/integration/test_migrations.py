"""Alembic migrations on SQLite and PostgreSQL: they build the schema the models describe."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from tests.conftest import make_settings
from webapp import create_app
from webapp.cli import alembic_config
from webapp.db import Base, modelled, session_scope
from webapp.directory.search import matching

OUR_TABLES = {"outbox_messages"}


@pytest.fixture
def app(database_url, clock):
    app = create_app(make_settings(database_url=database_url), clock=clock)
    yield app
    app.extensions["db.engine"].dispose()


def run_db(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output


def table_names(app) -> set[str]:
    return set(inspect(app.extensions["db.engine"]).get_table_names())


def test_upgrade_creates_the_tables(app):
    run_db(app, "upgrade")

    assert table_names(app) >= OUR_TABLES | {"alembic_version"}
    indexes = inspect(app.extensions["db.engine"]).get_indexes("outbox_messages")
    assert {"ix_outbox_messages_due", "ix_outbox_messages_provider_id"} <= {
        index["name"] for index in indexes
    }


def test_the_migrations_match_the_models(app):
    run_db(app, "upgrade")

    with app.extensions["db.engine"].connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": modelled}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_upgrade_again(app):
    run_db(app, "upgrade")
    run_db(app, "downgrade", "base")
    assert not table_names(app) & OUR_TABLES

    run_db(app, "upgrade")
    assert table_names(app) >= OUR_TABLES


def test_the_migrations_have_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_advocate_languages_and_skills_move_out_of_users_and_back(app):
    run_db(app, "upgrade", "6c1de8df0039")
    engine = app.extensions["db.engine"]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash, created_at, "
                "languages, skills) VALUES (7, 'ana@haven.test', '', 'x', :at, :langs, :skills)"
            ),
            {"at": "2026-11-28 00:00:00+00", "langs": '["vi", "es"]', "skills": '["legal"]'},
        )
        connection.execute(text("INSERT INTO user_roles (user_id, role) VALUES (7, 'advocate')"))
    run_db(app, "upgrade")
    with engine.connect() as connection:
        languages = connection.execute(text("SELECT user_id, language FROM advocate_languages"))
        skills = connection.execute(text("SELECT user_id, skill FROM advocate_skills"))
        assert sorted(languages) == [(7, "es"), (7, "vi")]
        assert list(skills) == [(7, "legal")]
    assert "languages" not in {c["name"] for c in inspect(engine).get_columns("users")}
    with engine.connect() as connection:
        roles = list(connection.execute(text("SELECT user_id, role FROM user_roles")))
    assert roles == [(7, "advocate")], "rebuilding users must not cascade into its references"

    run_db(app, "downgrade", "6c1de8df0039")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT languages, skills FROM users WHERE id = 7")).one()
    assert [json.loads(v) if isinstance(v, str) else v for v in row] == [["es", "vi"], ["legal"]]


def test_search_documents_folded_before_arabic_folding_are_folded_again(app, tmp_path):
    """A deployment's stored documents still hold الاستشارة as written until the migration."""
    run_db(app, "upgrade")
    service = {
        "id": "4d5e6f70-8192-4a3b-9c4d-5e6f708192a3",
        "name": "Counselling",
        "status": "active",
        "description": "الاستشارة النفسية للناجيات",
        "organization": {
            "id": "5e6f7081-92a3-4b4c-8d5e-6f708192a3b4",
            "name": "Prairie Counselling",
            "description": "Counselling.",
        },
    }
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([service]))
    imported = app.test_cli_runner().invoke(args=["directory", "import", str(feed)])
    assert imported.exit_code == 0, imported.output
    with app.extensions["db.engine"].begin() as connection:
        connection.execute(text("UPDATE service_search SET body = 'الاستشارة النفسية للناجيات'"))

    def found(words: str) -> list[str]:
        with session_scope(app) as session:
            return list(session.scalars(matching(session, words).services()))

    assert found("استشارة") == []
    run_db(app, "downgrade", "9c3d7e51a2f4")
    run_db(app, "upgrade")
    assert found("استشارة") == [service["id"]]
