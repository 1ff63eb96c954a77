"""weekly hours of each service, the open-now index

Revision ID: a5d2e8f1c3b9
Revises: a4d7e2f19c30
Create Date: 2026-11-28 23:30:00

`service_hours` holds each service's weekly openings as seconds of its local week (issue 15),
so "open now" and "round the clock" are index lookups; it is filled from the schedules stored.
Drafts are found by an index on record settings' status, which every public list reads, and
places near a ZIP code by an index on latitude and longitude.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from webapp.directory import weekly

revision = "a5d2e8f1c3b9"
down_revision = "a4d7e2f19c30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("opens", sa.Integer(), nullable=True),
        sa.Column("closes", sa.Integer(), nullable=True),
        sa.Column("whole_day", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("schedule_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_hours_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_hours")),
    )
    op.create_index(
        "ix_service_hours_open", "service_hours", ["zone", "day", "opens", "closes"], unique=False
    )
    op.create_index("ix_service_hours_service_id", "service_hours", ["service_id"], unique=False)
    op.create_index(
        "ix_record_settings_status",
        "record_settings",
        ["resource", "status", "record_id"],
        unique=False,
    )
    op.create_index(
        "ix_locations_latitude_longitude", "locations", ["latitude", "longitude"], unique=False
    )
    # Inside the migration's own transaction: the session joins it and never commits it.
    session = Session(bind=op.get_bind())
    weekly.rebuild(session)
    session.close()


def downgrade() -> None:
    op.drop_index("ix_locations_latitude_longitude", table_name="locations")
    op.drop_index("ix_record_settings_status", table_name="record_settings")
    op.drop_index("ix_service_hours_service_id", table_name="service_hours")
    op.drop_index("ix_service_hours_open", table_name="service_hours")
    op.drop_table("service_hours")
