"""private notebooks: opaque, chained and receipted records

Revision ID: a4d7e2f19c30
Revises: a4d2e8c1f7b3
Create Date: 2027-01-20 23:30:00

`notebooks` holds a lookup id and the Argon2id hash of an access secret, both derived in the
survivor's browser from a passphrase the server never sees; `notebook_records` every write as
AES-GCM ciphertext, with its hash chain and the server's signed receipt time.
"""

import sqlalchemy as sa
from alembic import op

revision = "a4d7e2f19c30"
down_revision = "a4d2e8c1f7b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notebooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lookup_id", sa.String(length=64), nullable=False),
        sa.Column("access_hash", sa.String(length=255), nullable=False),
        sa.Column("kdf_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notebooks")),
        sa.UniqueConstraint("lookup_id", name=op.f("uq_notebooks_lookup_id")),
    )
    op.create_table(
        "notebook_records",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notebook_id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("cipher_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["notebook_id"],
            ["notebooks.id"],
            name=op.f("fk_notebook_records_notebook_id_notebooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_notebook_records")),
        sa.UniqueConstraint(
            "notebook_id",
            "record_id",
            "version",
            name=op.f("uq_notebook_records_notebook_id"),
        ),
    )
    op.create_index(
        op.f("ix_notebook_records_notebook_id"), "notebook_records", ["notebook_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notebook_records_notebook_id"), table_name="notebook_records")
    op.drop_table("notebook_records")
    op.drop_table("notebooks")
