"""callback requests, call attempts and legs, advocates' phones and presence, deliveries

Revision ID: b7e2c4d9a1f0
Revises: 9c3d7e51a2f4
Create Date: 2026-11-28 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e2c4d9a1f0"
down_revision = "9c3d7e51a2f4"
branch_labels = None
depends_on = None

STATUSES = "status IN ('waiting', 'claimed', 'closed', 'cancelled')"


def _user(table: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "advocate_contacts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        _user("advocate_contacts"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_advocate_contacts")),
    )
    op.create_table(
        "advocate_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("on_shift", sa.Boolean(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        _user("advocate_presence"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_advocate_presence")),
    )
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("windows", sa.JSON(), nullable=False),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("voicemail_ok", sa.Boolean(), nullable=False),
        sa.Column("voicemail_text", sa.Text(), nullable=True),
        sa.Column("text_ok", sa.Boolean(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("if_dropped", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requeues", sa.Integer(), nullable=False),
        sa.Column("alerted_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(STATUSES, name=op.f("ck_callback_requests_status")),
        sa.ForeignKeyConstraint(
            ["claimed_by"],
            ["users.id"],
            name=op.f("fk_callback_requests_claimed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_callback_requests_idempotency_key")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_callback_requests_receipt_hash")),
    )
    op.create_index("ix_callback_requests_queue", "callback_requests", ["status", "asked_at"])
    op.create_index(
        op.f("ix_callback_requests_closed_at"), "callback_requests", ["closed_at"], unique=False
    )
    op.create_table(
        "call_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["users.id"],
            name=op.f("fk_call_attempts_advocate_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["callback_requests.id"],
            name=op.f("fk_call_attempts_request_id_callback_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_attempts")),
    )
    op.create_index(
        op.f("ix_call_attempts_request_id"), "call_attempts", ["request_id"], unique=False
    )
    op.create_table(
        "call_legs",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("advocate_id", sa.Integer(), nullable=True),
        sa.Column("leg", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("answered_by", sa.String(length=24), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["users.id"],
            name=op.f("fk_call_legs_advocate_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["callback_requests.id"],
            name=op.f("fk_call_legs_request_id_callback_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_call_legs")),
    )
    op.create_index(op.f("ix_call_legs_request_id"), "call_legs", ["request_id"], unique=False)
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("delivery_status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("delivery_status")
    op.drop_index(op.f("ix_call_legs_request_id"), table_name="call_legs")
    op.drop_table("call_legs")
    op.drop_index(op.f("ix_call_attempts_request_id"), table_name="call_attempts")
    op.drop_table("call_attempts")
    op.drop_index(op.f("ix_callback_requests_closed_at"), table_name="callback_requests")
    op.drop_index("ix_callback_requests_queue", table_name="callback_requests")
    op.drop_table("callback_requests")
    op.drop_table("advocate_presence")
    op.drop_table("advocate_contacts")
