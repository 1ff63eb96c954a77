"""service corrections: survivors' anonymous "something here is wrong"

Revision ID: 3c07dc9ec399
Revises: 013b5d9ca524
Create Date: 2026-12-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c07dc9ec399"
down_revision = "013b5d9ca524"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_corrections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('phone', 'address', 'hours', 'closed', 'other')",
            name=op.f("ck_service_corrections_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'handled', 'dismissed')",
            name=op.f("ck_service_corrections_status"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_corrections_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_service_corrections_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_corrections")),
    )
    op.create_index(
        op.f("ix_service_corrections_service_id"), "service_corrections", ["service_id"]
    )
    op.create_index(
        "ix_service_corrections_status", "service_corrections", ["status", "received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_service_corrections_status", table_name="service_corrections")
    op.drop_index(op.f("ix_service_corrections_service_id"), table_name="service_corrections")
    op.drop_table("service_corrections")
