"""survivor sessions on the server (visits)

Revision ID: 9c3d7e51a2f4
Revises: 5e1f0c2a9b7d
Create Date: 2026-11-28 18:00:00

The survivor session moves from the cookie into this table: the cookie keeps an opaque token,
the row (found by the token's SHA-256) holds the session encrypted with DATA_KEY. Sessions
held in cookies before this migration are simply not found: their holders start afresh.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c3d7e51a2f4"
down_revision = "5e1f0c2a9b7d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_expires_at"), "visits", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_visits_expires_at"), table_name="visits")
    op.drop_table("visits")
