"""listings not confirmed for a while, and which editors were told

Revision ID: f3b81c6d2e47
Revises: 9b10032c4be8
Create Date: 2027-01-12 16:00:00

`service_staleness` holds a row per published service found stale by the worker's round (and,
when unpublishing is configured, since when it counts and when it was unpublished);
`stale_notices` the editors told about it, once per time it goes stale.
"""

import sqlalchemy as sa
from alembic import op

revision = "f3b81c6d2e47"
down_revision = "9b10032c4be8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_staleness",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("counting_from", sa.Date(), nullable=True),
        sa.Column("unpublished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_staleness_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_staleness")),
    )
    op.create_table(
        "stale_notices",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service_staleness.service_id"],
            name=op.f("fk_stale_notices_service_id_service_staleness"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_stale_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "user_id", name=op.f("pk_stale_notices")),
    )


def downgrade() -> None:
    op.drop_table("stale_notices")
    op.drop_table("service_staleness")
