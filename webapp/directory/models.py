"""Directory records mapped onto the HSDS tables (webapp/directory/tables.py)."""

from __future__ import annotations

import uuid

from webapp.db import Base
from webapp.directory.tables import TABLES


def new_id() -> str:
    return str(uuid.uuid4())


class Organization(Base):
    """An HSDS organization."""

    __table__ = TABLES["organization"]

    def __repr__(self) -> str:
        return f"<Organization {self.id}>"
