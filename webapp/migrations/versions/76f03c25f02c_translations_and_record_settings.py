"""translations and record settings

Revision ID: 76f03c25f02c
Revises: b454dae46874
Create Date: 2026-11-22 04:36:40.192355
"""

import sqlalchemy as sa
from alembic import op

revision = "76f03c25f02c"
down_revision = "b454dae46874"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_translations")),
        sa.UniqueConstraint(
            "resource",
            "record_id",
            "field",
            "language",
            name=op.f("uq_field_translations_resource"),
        ),
    )
    with op.batch_alter_table("field_translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_translations_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "record_settings",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("source_language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("resource", "record_id", name=op.f("pk_record_settings")),
    )


def downgrade() -> None:
    op.drop_table("record_settings")
    with op.batch_alter_table("field_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_translations_record_id"))

    op.drop_table("field_translations")
