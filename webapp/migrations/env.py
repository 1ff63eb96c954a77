"""Alembic environment: the URL comes from Haven's settings, the metadata from its models."""

from alembic import context

from webapp import models  # noqa: F401  (every model registers on Base.metadata)
from webapp.db import Base, make_engine, modelled

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by dropping it: with foreign keys on, SQLite would
            # cascade that drop into every table that points at it (user_roles, sessions...).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the transaction SQLAlchemy began, so Alembic owns its own
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=modelled,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
    engine.dispose()


def _check_foreign_keys(connection) -> None:
    """With the checks off during the migration, check every reference once at its end."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"migration left broken references in {', '.join(tables)}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
