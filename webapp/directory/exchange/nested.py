"""HSDS JSON: services with their related objects nested inside, as the HSDS API returns them.

Nesting carries the links (a phone inside a service belongs to that service), so link fields are
left out of the JSON, as in the HSDS examples. A record reached twice (an organization shared by
two services) is one record.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from sqlalchemy import exists, literal, or_, select, union_all

from webapp.db import one_of
from webapp.directory import hsds
from webapp.directory.errors import Problem
from webapp.directory.exchange import (
    EXTENSION_FILES,
    PRIVACY,
    Batch,
    Record,
    haven,
    privacy_problem,
)
from webapp.directory.tables import GENERIC_LINKS, TABLES
from webapp.directory.values import ValueProblem, parse, to_json

# Haven's extension on any record: {"source_language": "es", "status": "draft", "translations":
# [{"field", "language", "value", "origin"}...]}, and on a location "visibility", "public_area".
EXTENSION = "x_haven"
PRIVACY_KEYS = ("visibility", "public_area")
SETTING_KEYS = {"source_language": "en", "status": "published"}  # with their defaults
TRANSLATION_KEYS = ("field", "language", "value", "origin")


@functools.cache
def nesting() -> dict[str, list[tuple[str, str, bool]]]:
    """For each table: (property, child table, is a list) for every nested object its schema has."""
    found = {}
    for table in hsds.tabular_layout():
        schema = hsds.object_schema(table)
        found[table] = [
            (name, ref.removesuffix(".json"), prop.get("type") == "array")
            for name, prop in schema.get("properties", {}).items()
            if (ref := prop.get("$ref") or prop.get("items", {}).get("$ref"))
        ] + hsds.NESTED_3_1.get(table, [])
    return found


# The links below are read off the fixed HSDS layout, once each: a page of ten services asks
# for them over a thousand times.
@functools.cache
def parent_link(parent: str, child: str) -> str:
    """The child's field that holds its parent's id."""
    layout = hsds.tabular_layout()[child]
    keys = [key.fields[0] for key in layout.foreign_keys if key.resource == parent]
    return keys[0] if keys else GENERIC_LINKS[child]


@functools.cache
def object_link(parent: str, child: str) -> str:
    """The parent's field that holds the id of a single nested object."""
    layout = hsds.tabular_layout()[parent]
    return next(key.fields[0] for key in layout.foreign_keys if key.resource == child)


@functools.cache
def link_fields(table: str) -> frozenset[str]:
    layout = hsds.tabular_layout()[table]
    return frozenset({key.fields[0] for key in layout.foreign_keys}) | (
        {GENERIC_LINKS[table]} if table in GENERIC_LINKS else set()
    )


def read_services(source: Path) -> Batch:
    """Records from a JSON list of services, a single service, or an HSDS Page of services."""
    name = source.name
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Batch(problems=[Problem(name, None, None, f"not JSON: {error}")])
    services = document.get("contents", [document]) if isinstance(document, dict) else document
    batch = Batch()
    for number, service in enumerate(services, start=1):
        found = hsds.validation_errors(service, "service")
        batch.problems += [Problem(name, number, None, message) for message in found]
        if not found:
            _flatten("service", service, Record("service", {}, name, number), batch)
    return batch


def _flatten(table, item, record: Record, batch: Batch, link=None) -> None:
    layout, nested = hsds.tabular_layout()[table], {p: (c, many) for p, c, many in nesting()[table]}
    fields = {field.name: field for field in layout.fields}
    problems = batch.problems
    for key, raw in item.items():
        if key in nested:
            continue
        if key == EXTENSION:
            _read_extension(table, raw, record, item.get("id"), batch)
            continue
        if key not in fields:
            problems.append(record.problem(key, "not a field of " + table))
            continue
        try:
            record.values[key] = parse(fields[key], raw)
        except ValueProblem as reason:
            record.invalid.add(key)
            problems.append(record.problem(key, str(reason)))
    if link:
        record.values[link[0]] = link[1]
    batch.records.append(record)
    for key, (child, many) in nested.items():
        if key in item:
            items = item[key] if many else [item[key]]
            _children(table, record, key, child, items, many, batch)


def _read_extension(table: str, raw: object, record: Record, item_id: object, batch: Batch):
    """Haven's entry on a record, checked like any other field: where a problem is, is said."""
    if not isinstance(raw, dict):
        batch.problems.append(record.problem(EXTENSION, "must be an object"))
        return
    for key in sorted(set(raw) - set(PRIVACY_KEYS) - set(SETTING_KEYS) - {"translations"}):
        batch.problems.append(record.problem(f"{EXTENSION}.{key}", "not a Haven field"))
    if any(key in raw for key in PRIVACY_KEYS):
        if table != "location":
            batch.problems.append(record.problem(f"{EXTENSION}.visibility", "only on a location"))
        elif problem := privacy_problem(item_id, raw.get("visibility")):
            batch.problems.append(record.problem(f"{EXTENSION}.{problem[0]}", problem[1]))
        else:
            batch.privacy[str(item_id)] = (raw["visibility"], raw.get("public_area") or None)
    where = (record.file, record.row)
    if any(key in raw for key in SETTING_KEYS):
        row = {"table": table, "record_id": item_id} | {
            key: raw.get(key, default) for key, default in SETTING_KEYS.items()
        }
        if problem := haven.record_problem(row):
            batch.problems.append(record.problem(f"{EXTENSION}.{problem[0]}", problem[1]))
        else:
            batch.settings.append((*where, row))
    texts = raw.get("translations", [])
    if not isinstance(texts, list):
        batch.problems.append(record.problem(f"{EXTENSION}.translations", "must be a list"))
        return
    for index, text in enumerate(texts):
        prefix = f"{EXTENSION}.translations[{index}]"
        if not isinstance(text, dict):
            batch.problems.append(record.problem(prefix, "must be an object"))
            continue
        row = {"table": table, "record_id": item_id} | {k: text.get(k) for k in TRANSLATION_KEYS}
        if problem := haven.translation_problem(row):
            batch.problems.append(record.problem(f"{prefix}.{problem[0]}", problem[1]))
        else:
            batch.translations.append((*where, row))


def _children(table, record, key, child, items, many, batch: Batch) -> None:
    for index, child_item in enumerate(items):
        prefix = f"{record.prefix}{key}[{index}]." if many else f"{record.prefix}{key}."
        child_record = Record(child, {}, record.file, record.row, prefix)
        if many:
            link = (parent_link(table, child), record.values.get("id"))
        else:
            record.values[object_link(table, child)] = child_item.get("id")
            link = None
        _flatten(child, child_item, child_record, batch, link)


def nest_services(rows: dict[str, list[dict]]) -> list[dict]:
    """Every service as HSDS JSON with its related records inside, ordered by id."""
    index = _Index(rows)
    return [index.build("service", row) for row in rows.get("service", [])]


class _Index:
    """Rows by table and id, and children by the field that links them."""

    def __init__(self, rows: dict[str, list[dict]]):
        self.rows = rows
        self.by_id = {t: {r["id"]: r for r in rows[t]} for t in hsds.tabular_layout() if t in rows}
        self.privacy = {p["location_id"]: p for p in rows.get(PRIVACY, [])}
        extension = rows.get(EXTENSION_FILES, {})
        self.settings = {
            (r["table"], r["record_id"]): r for r in extension.get(haven.RECORDS_FILE, [])
        }
        self.translations: dict[tuple[str, str], list[dict]] = {}
        for r in extension.get(haven.TRANSLATIONS_FILE, []):
            texts = self.translations.setdefault((r["table"], r["record_id"]), [])
            texts.append({name: r[name] for name in TRANSLATION_KEYS})

    @functools.cache  # noqa: B019 (one index per export, dropped afterwards)
    def children(self, child: str, link: str) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for row in self.rows.get(child, []):
            if row.get(link) is not None:
                grouped.setdefault(row[link], []).append(row)
        return grouped

    def build(self, table: str, row: dict) -> dict:
        layout = hsds.tabular_layout()[table]
        skip = link_fields(table)
        item = {
            field.name: to_json(field, row[field.name])
            for field in layout.fields
            if field.name not in skip and row.get(field.name) is not None
        }
        for key, child, many in nesting()[table]:
            if many:
                found = self.children(child, parent_link(table, child)).get(row["id"], [])
                if found:
                    item[key] = [self.build(child, child_row) for child_row in found]
            elif target := self.by_id.get(child, {}).get(row.get(object_link(table, child))):
                item[key] = self.build(child, target)
        extension = self.extension(table, row["id"])
        if extension:
            item[EXTENSION] = extension
        return item

    def extension(self, table: str, record_id: str) -> dict:
        """Haven's entry on a record: a location's visibility, settings and translations."""
        found = {}
        if table == "location" and record_id in self.privacy:
            setting = self.privacy[record_id]
            found = {k: setting[k] for k in PRIVACY_KEYS if setting[k]}
        if setting := self.settings.get((table, record_id)):
            found |= {k: setting[k] for k in SETTING_KEYS}
        if texts := self.translations.get((table, record_id)):
            found["translations"] = texts
        return found


def load_tree(session, table: str, ids: set[str]) -> dict[str, list[dict]]:
    """The rows the nested JSON of these records needs, and nothing more, by table.

    At most one statement per table the records can hold, whatever their number: tables are
    read parents first, each by every link from its parents at once (a phone of the service, of
    its places and of their contacts in one statement); tables the directory leaves empty, or
    that nothing found so far can hold, are not read at all (one statement finds which hold
    any row).
    """
    loaded: dict[str, dict[str, dict]] = {}
    present = tables_with_rows(session, reachable(table)[1:]) | {table}
    for name in reachable(table):
        if name not in present:  # an HSDS table the directory does not use at all
            loaded[name] = {}
            continue
        # One list of ids per column: an attribute's `link_id` points at any of six parents,
        # and six ORed lists on one column made PostgreSQL read the whole table.
        sql, by_column = TABLES[name], {"id": set(ids) if name == table else set()}
        for parent, child_column, parent_column in parents(table)[name]:
            values = by_column.setdefault(child_column, set())
            values.update(row.get(parent_column) for row in loaded.get(parent, {}).values())
            values.discard(None)
        wanted = [one_of(session, sql.c[c], values) for c, values in by_column.items() if values]
        if not wanted:  # nothing above it was found: nothing to read
            loaded[name] = {}
            continue
        query = select(sql).where(or_(*wanted))
        loaded[name] = {r["id"]: r for r in (dict(row._mapping) for row in session.execute(query))}
    return {name: sorted(rows.values(), key=lambda r: r["id"]) for name, rows in loaded.items()}


def tables_with_rows(session, names: tuple[str, ...]) -> set[str]:
    """Which of these tables hold any row, in one statement (a probe of each)."""
    return set(session.scalars(_probes(names))) if names else set()


@functools.cache
def _probes(names: tuple[str, ...]):
    return union_all(
        *(select(literal(name)).where(exists().select_from(TABLES[name])) for name in names)
    )


@functools.cache
def reachable(table: str) -> tuple[str, ...]:
    """The tables nested (at any depth) in a record of `table`, itself first, each after every
    table it is nested in (the nesting has no cycles)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        seen.add(name)
        for _key, child, _many in nesting()[name]:
            if child not in seen:
                visit(child)
        order.append(name)

    visit(table)
    return tuple(reversed(order))


@functools.cache
def parents(table: str) -> dict[str, list[tuple[str, str, str]]]:
    """For each table reachable from `table`: (parent, its own column, the parent's column)
    of every link that nests it, e.g. ("location", "location_id", "id") for a phone."""
    found: dict[str, list[tuple[str, str, str]]] = {name: [] for name in reachable(table)}
    for parent in reachable(table):
        for _key, child, many in nesting()[parent]:
            if many:
                found[child].append((parent, parent_link(parent, child), "id"))
            else:
                found[child].append((parent, "id", object_link(parent, child)))
    return found


def build_all(rows: dict[str, list[dict]], table: str, record_ids: list[str]) -> list[dict]:
    """These records as HSDS JSON with what is nested inside each, in the order given."""
    index = _Index(rows)
    by_id = index.by_id.get(table, {})
    return [index.build(table, by_id[i]) for i in record_ids if i in by_id]


def build(rows: dict[str, list[dict]], table: str, record_id: str) -> dict | None:
    """One record as HSDS JSON with what is nested inside it."""
    index = _Index(rows)
    row = index.by_id.get(table, {}).get(record_id)
    return index.build(table, row) if row else None
