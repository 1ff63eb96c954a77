"""The HSDS 3 tables, built from the tabular layout so every HSDS field is kept as declared."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Index, String, Table, Text

from webapp.db import Base, UtcDateTime
from webapp.directory import hsds

# Children that point at their parent by a generic link rather than a foreign key: indexed too.
GENERIC_LINKS = {"attribute": "link_id", "metadata": "resource_id"}
SQL_TYPES = {"number": Float, "date": Date, "datetime": UtcDateTime, "time": lambda: String(32)}


def table_name(layout: hsds.Table) -> str:
    """The SQL table: the CSV file's name, e.g. `services`, `service_at_location`."""
    return layout.path.removesuffix(".csv")


def _column(layout: hsds.Table, field: hsds.Field, references: dict[str, str]) -> Column:
    if field.format == "uuid":
        kind = String(36)
    else:
        kind = SQL_TYPES.get(field.type, Text)()
    keys = (
        [ForeignKey(references[field.name], ondelete="CASCADE")] if field.name in references else []
    )
    nullable = not field.required and field.name not in layout.primary_key
    linked = bool(keys) or GENERIC_LINKS.get(layout.name) == field.name
    return Column(
        field.name,
        kind,
        *keys,
        primary_key=field.name in layout.primary_key,
        nullable=nullable,
        index=linked and not nullable,
        info={"partial_index": linked and nullable},
    )


def _partial_indexes(table: Table) -> None:
    """A link that may be empty is indexed where it is not: most such links are empty in every
    row (a phone belongs to a service, rarely to a place), and an index full of NULLs told
    SQLite's planner (after ANALYZE) that each id matches every row, so it read whole tables."""
    for column in table.columns:
        if column.info.get("partial_index"):
            where = column.is_not(None)
            Index(
                f"ix_{table.name}_{column.name}",
                column,
                sqlite_where=where,
                postgresql_where=where,
            )


def _build() -> dict[str, Table]:
    layouts = hsds.tabular_layout()
    tables = {}
    for name, layout in layouts.items():
        references = {
            key.fields[0]: f"{table_name(layouts[key.resource])}.{key.reference_fields[0]}"
            for key in layout.foreign_keys
        }
        columns = [_column(layout, field, references) for field in layout.fields]
        tables[name] = Table(table_name(layout), Base.metadata, *columns)
        _partial_indexes(tables[name])
    return tables


TABLES: dict[str, Table] = _build()
# "Near a ZIP code" reads the places inside a box around it: a range on this index.
Index(
    "ix_locations_latitude_longitude", TABLES["location"].c.latitude, TABLES["location"].c.longitude
)
# Services kept from the public are found by status (listing.hidden_services).
Index("ix_services_status", TABLES["service"].c.status)
# What the survivor's search orders its matches by (confirmed first, then by name), read from
# an index rather than from each service's row.
Index(
    "ix_services_listing",
    TABLES["service"].c.id,
    TABLES["service"].c.assured_date,
    TABLES["service"].c.name,
)
# The services in a category, read from the index alone.
Index(
    "ix_attributes_term_link",
    TABLES["attribute"].c.taxonomy_term_id,
    TABLES["attribute"].c.link_id,
)
