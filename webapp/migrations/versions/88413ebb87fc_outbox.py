"""outbox

Revision ID: 88413ebb87fc
Revises:
Create Date: 2026-11-22 03:14:44.456084
"""

import sqlalchemy as sa
from alembic import op

revision = "88413ebb87fc"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recipient and body hold webapp.crypto.EncryptedText tokens; the datetimes are UTC.
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')",
            name=op.f("ck_outbox_messages_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        "ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_messages_provider_id"), "outbox_messages", ["provider_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_messages_provider_id"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
