"""location privacy

Revision ID: b454dae46874
Revises: ceb35546de61
Create Date: 2026-11-22 04:31:28.865053
"""

import sqlalchemy as sa
from alembic import op

revision = "b454dae46874"
down_revision = "ceb35546de61"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # exact_place holds webapp.crypto.EncryptedText tokens: a confidential location's address.
    op.create_table(
        "location_privacy",
        sa.Column("location_id", sa.String(length=36), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("public_area", sa.Text(), nullable=True),
        sa.Column("exact_place", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_privacy_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_location_privacy")),
    )


def downgrade() -> None:
    op.drop_table("location_privacy")
