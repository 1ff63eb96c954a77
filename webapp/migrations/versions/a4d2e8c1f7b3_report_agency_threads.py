"""report threads between advocates and partner agencies

Revision ID: a4d2e8c1f7b3
Revises: f3b81c6d2e47
Create Date: 2026-11-28 23:30:00

`report_agency_messages` holds what advocates and a partner agency write to each other about a
report shared with that agency (encrypted with DATA_KEY); it goes with the report.
"""

import sqlalchemy as sa
from alembic import op

revision = "a4d2e8c1f7b3"
down_revision = "f3b81c6d2e47"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_agency_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "side IN ('advocate', 'partner')", name=op.f("ck_report_agency_messages_side")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["partner_agencies.id"],
            name=op.f("fk_report_agency_messages_agency_id_partner_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_report_agency_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_agency_messages_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_agency_messages")),
    )
    with op.batch_alter_table("report_agency_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_agency_messages_report_agency", ["report_id", "agency_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_agency_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_report_agency_messages_report_agency")
    op.drop_table("report_agency_messages")
