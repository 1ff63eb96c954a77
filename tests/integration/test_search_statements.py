"""A page of search results costs the same few SQL statements whatever it holds.

Nested records are read one statement per kind, by the ids on the page (never one per result),
so a page of one service and a page of ten cost the same.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, text

from tests.conftest import csrf_token, unlock
from webapp.db import session_scope

NAME = re.compile(r"<a href=\"/places/([0-9a-f-]{36})\"><strong[ >]")

API_MOST = 30  # the page, its nested tables (about twenty kinds), translations, privacy
PLACES_MOST = 16  # the survivor's session, the page, what a card shows, translations


@contextmanager
def statements(app):
    """The SQL statements run inside the block, as a list filled on the way."""
    engine, seen = app.extensions["db.engine"], []

    def count(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_an_api_page_of_one_or_ten_services_costs_the_same_statements(seeded_app):
    client, counted = seeded_app.test_client(), {}
    for per_page in (1, 10):
        with statements(seeded_app) as seen:
            answer = client.get(f"/api/hsds/services?per_page={per_page}")
        assert answer.get_json()["size"] == per_page
        counted[per_page] = len(seen)
    assert counted[1] == counted[10] <= API_MOST, counted


def test_a_page_of_one_or_ten_places_costs_the_same_statements(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    counted = {}
    for words, expected in (("StrongHearts", 1), ("", 10)):
        with statements(seeded_app) as seen:
            answer = client.post(
                "/places", data={"csrf_token": token, "q": words}, follow_redirects=True
            )
        assert len(set(NAME.findall(answer.get_data(as_text=True)))) == expected
        counted[expected] = len(seen)
    assert counted[1] == counted[10] <= PLACES_MOST, counted


def test_after_analyze_a_page_reads_its_phones_and_hours_by_index(seeded_app):
    """Links a directory leaves empty in every row (a phone of a place, the hours of a
    contact) are indexed only where they are set: an index full of NULLs told SQLite's planner,
    once ANALYZE had counted it, that each id matched every row, and it read whole tables of
    phones and schedules for every page (17 ms each at 100,000 services)."""
    engine, seen = seeded_app.extensions["db.engine"], []
    postgresql = engine.dialect.name == "postgresql"
    with session_scope(seeded_app) as session:
        session.execute(text("ANALYZE"))

    def keep(_connection, _cursor, statement, parameters, *_args):
        if statement.startswith(("SELECT phones.", "SELECT schedules.")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert seeded_app.test_client().get("/api/hsds/services?per_page=10").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(seen) == 2, seen
    with engine.begin() as connection:
        if postgresql:  # its planner prices a tiny table's scan lowest: can an index serve?
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
        for statement, parameters in seen:
            plan = "\n".join(
                str(row[-1]) for row in connection.exec_driver_sql(explain + statement, parameters)
            )
            assert "Seq Scan" not in plan and "SCAN " not in plan, plan
