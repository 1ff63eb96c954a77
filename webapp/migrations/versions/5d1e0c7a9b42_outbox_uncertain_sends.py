"""outbox: when a message was last handed over, and whether the provider may have it already

Revision ID: 5d1e0c7a9b42
Revises: e80a36bd0de9
Create Date: 2027-01-13 10:00:00

A send whose answer never came (a read timeout, or a worker killed mid-send) may have reached
the provider. Such a message is `uncertain`: before it is sent again, the provider's own list of
messages since `tried_at` is asked whether it is there already.
"""

import sqlalchemy as sa
from alembic import op

revision = "5d1e0c7a9b42"
down_revision = "e80a36bd0de9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("tried_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("uncertain", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("uncertain")
        batch.drop_column("tried_at")
