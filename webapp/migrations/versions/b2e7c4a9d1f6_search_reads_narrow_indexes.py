"""indexes a search reads instead of rows

Revision ID: b2e7c4a9d1f6
Revises: a5d2e8f1c3b9
Create Date: 2026-11-29 03:00:00

Issue 15: a search leaves out the services kept from the public by their ids (found by status)
and reads each match's service id from a narrow index on the search documents; the survivor's
search orders its matches by a covering index on services, and a category is read from the
attributes' index alone. "Open now" reads the weekly hours from their index alone, and the rows
that name a rule are found without reading the others. Links that may be empty are indexed only
where they are set (webapp.directory.tables): an index of NULLs made SQLite's planner, after
ANALYZE, read whole tables of phones and schedules for a page of ten services.
"""

import sqlalchemy as sa
from alembic import op

revision = "b2e7c4a9d1f6"
down_revision = "a5d2e8f1c3b9"
branch_labels = None
depends_on = None


# (table, column) of every HSDS link that may be empty, as webapp.directory.tables indexes it.
MAYBE_EMPTY_LINKS = (
    ("services", "program_id"),
    ("locations", "organization_id"),
    ("phones", "contact_id"),
    ("phones", "organization_id"),
    ("phones", "location_id"),
    ("phones", "service_at_location_id"),
    ("phones", "service_id"),
    ("contacts", "organization_id"),
    ("contacts", "service_at_location_id"),
    ("contacts", "service_id"),
    ("contacts", "location_id"),
    ("addresses", "location_id"),
    ("schedules", "service_id"),
    ("schedules", "service_at_location_id"),
    ("schedules", "location_id"),
    ("funding", "service_id"),
    ("funding", "organization_id"),
    ("service_areas", "service_id"),
    ("required_documents", "service_id"),
    ("languages", "service_id"),
    ("languages", "phone_id"),
    ("languages", "location_id"),
    ("accessibility", "location_id"),
    ("taxonomy_terms", "taxonomy_id"),
)


def _link_indexes(partial: bool) -> None:
    for table, column in MAYBE_EMPTY_LINKS:
        name = f"ix_{table}_{column}"
        where = sa.text(f"{column} IS NOT NULL") if partial else None
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


OPEN = ["zone", "day", "opens", "closes"]


def upgrade() -> None:
    _link_indexes(partial=True)
    op.drop_index("ix_service_hours_open", table_name="service_hours")
    columns = [*OPEN, "valid_from", "valid_to", "service_id"]
    op.create_index("ix_service_hours_open", "service_hours", columns)
    op.create_index("ix_services_listing", "services", ["id", "assured_date", "name"])
    op.create_index("ix_attributes_term_link", "attributes", ["taxonomy_term_id", "link_id"])
    op.create_index("ix_services_status", "services", ["status"], unique=False)
    op.create_index(
        "ix_service_search_id_service_id", "service_search", ["id", "service_id"], unique=False
    )
    rules = sa.text("schedule_id IS NOT NULL")
    op.create_index(
        "ix_service_hours_schedule_id",
        "service_hours",
        ["schedule_id"],
        sqlite_where=rules,
        postgresql_where=rules,
    )


def downgrade() -> None:
    _link_indexes(partial=False)
    op.drop_index("ix_service_hours_open", table_name="service_hours")
    op.create_index("ix_service_hours_open", "service_hours", OPEN)
    op.drop_index("ix_attributes_term_link", table_name="attributes")
    op.drop_index("ix_services_listing", table_name="services")
    op.drop_index("ix_service_hours_schedule_id", table_name="service_hours")
    op.drop_index("ix_service_search_id_service_id", table_name="service_search")
    op.drop_index("ix_services_status", table_name="services")
