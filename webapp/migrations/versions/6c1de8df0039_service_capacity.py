"""service capacity: HSDS 3.1's service_capacity and unit (beds free in a shelter)

Revision ID: 6c1de8df0039
Revises: dccf5d61db70
Create Date: 2026-11-22 06:27:08.097134
"""

import sqlalchemy as sa
from alembic import op

revision = "6c1de8df0039"
down_revision = "dccf5d61db70"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("scheme", sa.Text(), nullable=True),
        sa.Column("identifier", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
    )
    op.create_table(
        "service_capacity",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("available", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_capacity_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_service_capacity_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_capacity")),
    )
    with op.batch_alter_table("service_capacity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_capacity_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_capacity_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_capacity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_capacity_unit_id"))
        batch_op.drop_index(batch_op.f("ix_service_capacity_service_id"))
    op.drop_table("service_capacity")
    op.drop_table("units")
