"""Check records against each other and the directory, write them in one go, read them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory import hsds, privacy, search, weekly
from webapp.directory.errors import ImportFailed, Problem
from webapp.directory.exchange import EXTENSION_FILES, PRIVACY, Batch, Record, haven
from webapp.directory.tables import TABLES

CHUNK = 500


def dependency_order() -> list[str]:
    """Tables so that every table comes after the tables it refers to."""
    layouts, ordered = hsds.tabular_layout(), []
    while len(ordered) < len(layouts):
        for name, layout in layouts.items():
            needs = {key.resource for key in layout.foreign_keys} - {name}
            if name not in ordered and needs <= set(ordered):
                ordered.append(name)
    return ordered


def merge(records: Iterable[Record]) -> tuple[dict[str, dict[str, Record]], list[Problem]]:
    """One record per table and id; copies may fill each other's gaps but not disagree."""
    merged: dict[str, dict[str, Record]] = {}
    problems = []
    for record in records:
        seen = merged.setdefault(record.table, {})
        first = seen.get(record.values.get("id"))
        if first is None:
            seen[record.values.get("id")] = record
            continue
        for name, value in record.values.items():
            if value is None:
                continue
            if first.values.get(name) is None:
                first.values[name] = value
            elif first.values[name] != value:
                problems.append(record.problem(name, "another copy of this record says otherwise"))
    return merged, problems


def check(
    session: Session, merged: dict[str, dict[str, Record]]
) -> tuple[list[Problem], list[Problem]]:
    """Problems (the import stops) and warnings (an optional link to nothing is dropped)."""
    problems, warnings = [], []
    layouts = hsds.tabular_layout()
    for table, records in merged.items():
        for record in records.values():
            problems += [
                record.problem(field.name, "required, but empty")
                for field in layouts[table].fields
                if field.required
                and record.values.get(field.name) is None
                and field.name not in record.invalid
            ]
        required = {field.name for field in layouts[table].fields if field.required}
        for key in layouts[table].foreign_keys:
            for record, found in _dangling(session, merged, records, key):
                if key.fields[0] in required:
                    problems.append(found)
                else:
                    record.values[key.fields[0]] = None
                    warnings.append(
                        Problem(
                            found.file,
                            found.row,
                            found.field,
                            found.reason + "; the link was left out",
                        )
                    )
    return problems, warnings


def _dangling(session, merged, records, key: hsds.ForeignKey) -> list[tuple[Record, Problem]]:
    name = key.fields[0]
    wanted = {r.values[name] for r in records.values() if r.values.get(name) is not None}
    missing = wanted - set(merged.get(key.resource, {}))
    missing -= _stored_ids(session, key.resource, missing)
    return [
        (
            record,
            record.problem(
                name, f"refers to {key.resource} {record.values[name]}, which is not there"
            ),
        )
        for record in records.values()
        if record.values.get(name) in missing
    ]


def _stored_ids(session: Session, table: str, ids: set[str]) -> set[str]:
    column, found, pending = TABLES[table].c.id, set(), sorted(ids)
    for start in range(0, len(pending), CHUNK):
        found |= set(
            session.scalars(select(column).where(column.in_(pending[start : start + CHUNK])))
        )
    return found


@dataclass
class Saved:
    """What an import wrote, and what it had to leave out."""

    counts: dict[str, int]
    warnings: list[Problem]


def save(session: Session, batch: Batch) -> Saved:
    """Check everything, then upsert by id; raise ImportFailed and write nothing on any problem."""
    if batch.incomplete:  # links into a file read only in part would bury the real problem
        raise ImportFailed(batch.problems)
    merged, problems = merge(batch.records)
    found, warnings = check(session, merged)
    hidden, privacy_writes = privacy.apply(session, merged, batch.privacy)
    problems = batch.problems + problems + found + hidden + _undescribed(session, merged, batch)
    if problems:
        raise ImportFailed(problems)
    layouts, counts = hsds.tabular_layout(), {}
    for table in dependency_order():
        rows = merged.get(table, {})
        if rows:
            _upsert(session, table, layouts[table], rows)
            counts[table] = len(rows)
    for write in privacy_writes:
        write()
    haven.save(session, batch)
    session.flush()
    search.reindex(session, _touched_services(session, merged, batch))
    weekly.rebuild(session, _services_with_new_hours(session, merged))
    return Saved(counts, warnings)


def _upsert(session: Session, table: str, layout: hsds.Table, rows: dict[str, Record]) -> None:
    sql_table = TABLES[table]
    stored = _stored_ids(session, table, set(rows))
    full = {i: {f: r.values.get(f) for f in layout.field_names} for i, r in rows.items()}
    new = [values for row_id, values in full.items() if row_id not in stored]
    if new:
        session.execute(sql_table.insert(), new)
    for row_id in sorted(stored):
        session.execute(sql_table.update().where(sql_table.c.id == row_id).values(full[row_id]))


def _undescribed(session: Session, merged: dict, batch: Batch) -> list[Problem]:
    """Translations or settings for records that are neither in the input nor stored."""
    wanted: dict[str, set[str]] = {}
    for _file, _number, row in batch.translations + batch.settings:
        wanted.setdefault(row["table"], set()).add(row["record_id"])
    known = {
        (table, record_id)
        for table, ids in wanted.items()
        for record_id in (ids & set(merged.get(table, {}))) | _stored_ids(session, table, ids)
    }
    return haven.dangling(batch.translations, known, haven.TRANSLATIONS_FILE) + haven.dangling(
        batch.settings, known, haven.RECORDS_FILE
    )


def _touched_services(session: Session, merged: dict, batch: Batch) -> set[str]:
    """Services whose search document may have changed with this import."""
    touched = set(merged.get("service", {}))
    touched |= {
        r.values["link_id"] for r in merged.get("attribute", {}).values() if r.values.get("link_id")
    }
    touched |= {row["record_id"] for _f, _n, row in batch.translations if row["table"] == "service"}
    organizations = set(merged.get("organization", {}))
    if organizations:
        services = TABLES["service"]
        query = select(services.c.id).where(services.c.organization_id.in_(organizations))
        touched |= set(session.scalars(query))
    return touched & _stored_ids(session, "service", touched)


def _services_with_new_hours(session: Session, merged: dict) -> set[str]:
    """Services whose weekly hours may have changed: their schedules, or the places (and so
    the time zones) they are at."""
    touched = set(merged.get("service", {}))
    touched |= {
        r.values["service_id"]
        for r in merged.get("schedule", {}).values()
        if r.values.get("service_id")
    }
    locations = {r.values.get("location_id") for r in merged.get("address", {}).values()} | set(
        merged.get("location", {})
    )
    links = TABLES["service_at_location"]
    touched |= {
        r.values["service_id"]
        for r in merged.get("service_at_location", {}).values()
        if r.values.get("service_id")
    }
    ids = sorted(locations - {None})
    for start in range(0, len(ids), CHUNK):
        query = select(links.c.service_id).where(
            links.c.location_id.in_(ids[start : start + CHUNK])
        )
        touched |= set(session.scalars(query))
    return touched & _stored_ids(session, "service", touched)


def load_all(session: Session) -> dict[str, list[dict]]:
    """Every public directory row by table, ordered by id (so exports are stable).

    `PRIVACY` holds each confidential location's visibility and public area, never its place.
    """
    rows = {
        table: [dict(row._mapping) for row in session.execute(select(sql).order_by(sql.c.id))]
        for table, sql in TABLES.items()
    }
    rows[PRIVACY] = [
        {"location_id": p.location_id, "visibility": p.visibility, "public_area": p.public_area}
        for p in sorted(privacy.public_settings(session).values(), key=lambda p: p.location_id)
    ]
    rows[EXTENSION_FILES] = haven.export_rows(session)
    return rows
