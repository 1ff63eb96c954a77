"""postgresql search vector

Revision ID: 727ac3dceb35
Revises: 06589a61232d
Create Date: 2026-11-22

PostgreSQL: keep each document's tsvector in a stored generated column and index that, so
matching and ranking read it instead of parsing every matching body again.
"""

from alembic import op

revision = "727ac3dceb35"
down_revision = "06589a61232d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_service_search_body")
    op.execute(
        "ALTER TABLE service_search ADD COLUMN body_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED"
    )
    op.execute("CREATE INDEX ix_service_search_body_tsv ON service_search USING gin (body_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_service_search_body_tsv")
    op.execute("ALTER TABLE service_search DROP COLUMN IF EXISTS body_tsv")
    op.execute(
        "CREATE INDEX ix_service_search_body ON service_search "
        "USING gin (to_tsvector('simple', body))"
    )
