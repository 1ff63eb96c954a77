"""refold search documents

Revision ID: e7a4c19b2d38
Revises: b7e2c4d9a1f0
Create Date: 2026-12-02 10:00:00

Search documents are stored folded, and folding now drops Arabic articles and the clitics
before them (issue 10): every document is written again, so a search for استشارة finds the
الاستشارة already stored. Nothing in the schema changes. Downgrading leaves the documents as
they are: the older folding still finds every word that has no Arabic prefix.
"""

from alembic import op
from sqlalchemy.orm import Session

from webapp.directory import search

revision = "e7a4c19b2d38"
down_revision = "b7e2c4d9a1f0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Inside the migration's own transaction: the session joins it and never commits it.
    session = Session(bind=op.get_bind())
    search.reindex(session)
    session.close()


def downgrade() -> None:
    pass
