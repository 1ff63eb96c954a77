"""advocate languages and skills move from users to the callbacks domain

Revision ID: 5e1f0c2a9b7d
Revises: 6c1de8df0039
Create Date: 2026-11-28 17:30:00

What routing knows of an advocate belongs to the callbacks domain, in tables of its own (one row
per language or skill, so a queue can be matched in SQL); the users table keeps identity only.
Existing values are copied both ways.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "5e1f0c2a9b7d"
down_revision = "6c1de8df0039"
branch_labels = None
depends_on = None

USERS = sa.table("users", sa.column("id", sa.Integer), sa.column("languages"), sa.column("skills"))
LANGUAGES = sa.table(
    "advocate_languages", sa.column("user_id", sa.Integer), sa.column("language", sa.String)
)
SKILLS = sa.table(
    "advocate_skills", sa.column("user_id", sa.Integer), sa.column("skill", sa.String)
)


def _values(raw) -> list[str]:
    """A JSON list as the users table held it (text on SQLite, json on PostgreSQL)."""
    if raw is None:
        return []
    listed = json.loads(raw) if isinstance(raw, str) else raw
    return sorted({str(value) for value in listed if value})


def upgrade() -> None:
    op.create_table(
        "advocate_languages",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_advocate_languages_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "language", name=op.f("pk_advocate_languages")),
    )
    op.create_table(
        "advocate_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_advocate_skills_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill", name=op.f("pk_advocate_skills")),
    )
    bind = op.get_bind()
    users = bind.execute(sa.select(USERS.c.id, USERS.c.languages, USERS.c.skills)).all()
    for user_id, languages, skills in users:
        for language in _values(languages):
            bind.execute(LANGUAGES.insert().values(user_id=user_id, language=language))
        for skill in _values(skills):
            bind.execute(SKILLS.insert().values(user_id=user_id, skill=skill))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("skills")
        batch.drop_column("languages")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("skills", sa.JSON(), nullable=True))
    bind = op.get_bind()
    held: dict[int, dict[str, list[str]]] = {}
    for user_id, language in bind.execute(sa.select(LANGUAGES.c.user_id, LANGUAGES.c.language)):
        held.setdefault(user_id, {"languages": [], "skills": []})["languages"].append(language)
    for user_id, skill in bind.execute(sa.select(SKILLS.c.user_id, SKILLS.c.skill)):
        held.setdefault(user_id, {"languages": [], "skills": []})["skills"].append(skill)
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("languages", sa.JSON),
        sa.column("skills", sa.JSON),
    )
    bind.execute(users.update().values(languages=[], skills=[]))
    for user_id, values in held.items():
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(languages=sorted(values["languages"]), skills=sorted(values["skills"]))
        )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("languages", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("skills", existing_type=sa.JSON(), nullable=False)
    op.drop_table("advocate_skills")
    op.drop_table("advocate_languages")
