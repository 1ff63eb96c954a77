"""Directory records. The organization is here first because staff memberships point at it."""

from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


def new_id() -> str:
    return str(uuid.uuid4())


class Organization(Base):
    """An HSDS organization; the directory issue adds the rest of its fields."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<Organization {self.id}>"
