"""Alembic migrations on SQLite and PostgreSQL: they build the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.conftest import make_settings
from webapp import create_app
from webapp.cli import alembic_config
from webapp.db import Base, modelled

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
