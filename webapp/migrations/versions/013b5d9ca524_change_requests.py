"""change requests: editors' field-level changes, their review, and what each organization may
publish before review; translations remember the source text they were made from

Revision ID: 013b5d9ca524
Revises: e7a4c19b2d38
Create Date: 2026-11-28 19:20:54.078640
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "013b5d9ca524"
down_revision = "e7a4c19b2d38"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=True),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_change_requests_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_change_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_change_requests_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_requests_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_change_requests_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            "ix_change_requests_status_created_at", ["status", "created_at"], unique=False
        )

    op.create_table(
        "organization_policies",
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("quick_changes", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_policies_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["users.id"],
            name=op.f("fk_organization_policies_set_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_policies")),
    )
    op.create_table(
        "field_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("source_digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["change_requests.id"],
            name=op.f("fk_field_changes_change_id_change_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_changes")),
    )
    with op.batch_alter_table("field_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_changes_change_id"), ["change_id"], unique=False)

    with op.batch_alter_table("field_translations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_digest", sa.String(length=64), nullable=True))
    _stamp_translations()


# HSDS resource -> table, as webapp/directory/tables.py names them today.
TABLE_NAMES = {
    "organization": "organizations",
    "program": "programs",
    "service": "services",
    "service_at_location": "service_at_location",
    "location": "locations",
    "phone": "phones",
    "contact": "contacts",
    "schedule": "schedules",
    "funding": "funding",
    "service_area": "service_areas",
    "required_document": "required_documents",
    "language": "languages",
    "accessibility": "accessibility",
    "taxonomy_term": "taxonomy_terms",
    "cost_option": "cost_options",
    "taxonomy": "taxonomies",
    "unit": "units",
    "service_capacity": "service_capacity",
}


def _digest(value) -> str:
    """webapp.directory.translated.digest as of this revision."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:20]


def _stamp_translations() -> None:
    """Each stored translation is taken to match the source text it stands beside today."""
    connection = op.get_bind()
    translations = sa.table(
        "field_translations",
        sa.column("id", sa.Integer),
        sa.column("resource", sa.String),
        sa.column("record_id", sa.String),
        sa.column("field", sa.String),
        sa.column("source_digest", sa.String),
    )
    rows = connection.execute(
        sa.select(
            translations.c.id,
            translations.c.resource,
            translations.c.record_id,
            translations.c.field,
        )
    ).all()
    sources: dict[tuple[str, str, str], object] = {}
    for resource in {row.resource for row in rows} & set(TABLE_NAMES):
        fields = {row.field for row in rows if row.resource == resource}
        table = sa.table(TABLE_NAMES[resource], sa.column("id"), *map(sa.column, fields))
        for record in connection.execute(sa.select(table)).mappings():
            for name in fields:
                sources[resource, record["id"], name] = record[name]
    for row in rows:
        source = sources.get((row.resource, row.record_id, row.field))
        if source is not None:
            connection.execute(
                translations.update()
                .where(translations.c.id == row.id)
                .values(source_digest=_digest(source))
            )


def downgrade() -> None:
    with op.batch_alter_table("field_translations", schema=None) as batch_op:
        batch_op.drop_column("source_digest")

    with op.batch_alter_table("field_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_changes_change_id"))

    op.drop_table("field_changes")
    op.drop_table("organization_policies")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_change_requests_status_created_at")
        batch_op.drop_index(batch_op.f("ix_change_requests_service_id"))
        batch_op.drop_index(batch_op.f("ix_change_requests_organization_id"))

    op.drop_table("change_requests")
