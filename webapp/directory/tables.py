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
    return Column(
        field.name,
        kind,
        *keys,
        primary_key=field.name in layout.primary_key,
        nullable=not field.required and field.name not in layout.primary_key,
        index=bool(keys) or GENERIC_LINKS.get(layout.name) == field.name,
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
    return tables


TABLES: dict[str, Table] = _build()
# "Near a ZIP code" reads the places inside a box around it: a range on this index.
Index(
    "ix_locations_latitude_longitude", TABLES["location"].c.latitude, TABLES["location"].c.longitude
)
