"""Database engine, the declarative base and one session per request."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, current_app, g
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Dialect,
    MetaData,
    any_,
    create_engine,
    event,
    literal,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Past this many values, `one_of` sends PostgreSQL one array instead of a parameter each.
MANY_VALUES = 32


def new_id() -> str:
    """A random UUID in text form: the id of a new HSDS record, agency or the like."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime in UTC on every database (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no place in a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: no error or log line ever shows a statement's values (a survivor's
    # search words, a phone number): the statement alone says what failed.
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def one_of(session: Session, column, values: Collection[str]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL, past `MANY_VALUES`, as one array (`= ANY(...)`).

    Measured on PostgreSQL (a phone lookup by service ids): a hundred ids sent as a hundred
    parameters took 3.3 ms, as one array 1.5; up to twenty the list was about 15% quicker.
    SQLite takes its list as it is (a JSON list read by `json_each` was slower).
    """
    if len(values) > MANY_VALUES and session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def init_app(app: Flask, url: str) -> None:
    engine = make_engine(url)
    app.extensions["db.engine"] = engine
    app.extensions["db.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.after_request(_commit_request_session)
    app.teardown_appcontext(_end_request_session)


def get_session() -> Session:
    """The session of this request; the request boundary commits or rolls back once."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db.sessionmaker"]()
    return g.db_session


def keep_on_refusal() -> None:
    """Commit this request's changes even when it answers 4xx.

    For what a refusal itself must record, such as a failed sign-in in the audit log.
    """
    g.db_keep_on_refusal = True


def _commit_request_session(response):
    """Commit before the response leaves, so a failed commit is an error the client sees.

    Only a success (2xx, 3xx) commits: a view that flushed and then refused (4xx) leaves
    nothing half-done, unless it called `keep_on_refusal`. A server error always rolls back.
    """
    db_session = g.get("db_session")
    if db_session is None:
        return response
    status = response.status_code
    if status < 400 or (status < 500 and g.get("db_keep_on_refusal", False)):
        db_session.commit()
    else:
        db_session.rollback()  # now, not at teardown: the session store writes after this
    return response


def _end_request_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for CLI commands and workers: commit on success, roll back on error."""
    db_session = app.extensions["db.sessionmaker"]()
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise
    finally:
        db_session.close()


# Search indexes only one database has (SQLite's FTS5 tables, PostgreSQL's GIN index):
# migrations create them by hand, and comparisons with the models leave them out.
UNMODELLED = {
    "table": ("service_search_fts",),
    "index": ("ix_service_search_body",),
    "column": ("body_tsv",),
}


def modelled(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's include_name hook: False for database objects the models do not describe."""
    return not (name and name.startswith(UNMODELLED.get(type_, ())))
