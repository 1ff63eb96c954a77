"""service search

Revision ID: 06589a61232d
Revises: 76f03c25f02c
Create Date: 2026-11-22 04:37:59.350599
"""

import sqlalchemy as sa
from alembic import op

revision = "06589a61232d"
down_revision = "76f03c25f02c"
branch_labels = None
depends_on = None


# The index itself: FTS5 with external content kept in step by triggers on SQLite, a GIN
# expression index on PostgreSQL. Bodies are already folded (lower case, no accents).
INDEX = {
    "sqlite": [
        """CREATE VIRTUAL TABLE service_search_fts USING fts5(
            body, content='service_search', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')""",
        """CREATE TRIGGER service_search_ai AFTER INSERT ON service_search BEGIN
            INSERT INTO service_search_fts(rowid, body) VALUES (new.id, new.body); END""",
        """CREATE TRIGGER service_search_ad AFTER DELETE ON service_search BEGIN
            INSERT INTO service_search_fts(service_search_fts, rowid, body)
            VALUES ('delete', old.id, old.body); END""",
        """CREATE TRIGGER service_search_au AFTER UPDATE ON service_search BEGIN
            INSERT INTO service_search_fts(service_search_fts, rowid, body)
            VALUES ('delete', old.id, old.body);
            INSERT INTO service_search_fts(rowid, body) VALUES (new.id, new.body); END""",
    ],
    "postgresql": [
        "CREATE INDEX ix_service_search_body ON service_search "
        "USING gin (to_tsvector('simple', body))",
    ],
}
DROP_INDEX = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS service_search_ai",
        "DROP TRIGGER IF EXISTS service_search_ad",
        "DROP TRIGGER IF EXISTS service_search_au",
        "DROP TABLE IF EXISTS service_search_fts",
    ],
    "postgresql": ["DROP INDEX IF EXISTS ix_service_search_body"],
}


def _run(statements: dict) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "service_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_search_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_search")),
        sa.UniqueConstraint("service_id", name=op.f("uq_service_search_service_id")),
    )
    _run(INDEX)


def downgrade() -> None:
    _run(DROP_INDEX)
    op.drop_table("service_search")
