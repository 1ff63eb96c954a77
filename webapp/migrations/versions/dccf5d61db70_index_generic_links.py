"""index generic links: attributes.link_id and metadata.resource_id, read for every nested record

Revision ID: dccf5d61db70
Revises: 727ac3dceb35
Create Date: 2026-11-22 05:59:04.134498
"""

from alembic import op

revision = "dccf5d61db70"
down_revision = "727ac3dceb35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attributes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attributes_link_id"), ["link_id"], unique=False)
    with op.batch_alter_table("metadata", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metadata_resource_id"), ["resource_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("metadata", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metadata_resource_id"))
    with op.batch_alter_table("attributes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attributes_link_id"))
