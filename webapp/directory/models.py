"""Directory records mapped onto the HSDS tables (webapp/directory/tables.py)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import EncryptedText
from webapp.db import Base
from webapp.directory.tables import TABLES


def new_id() -> str:
    return str(uuid.uuid4())


class Organization(Base):
    """An HSDS organization."""

    __table__ = TABLES["organization"]

    def __repr__(self) -> str:
        return f"<Organization {self.id}>"


class Visibility(StrEnum):
    PUBLIC = "public"
    AREA_ONLY = "area_only"
    HIDDEN = "hidden"


class LocationPrivacy(Base):
    """How much of a location the public may see; its exact place is kept here, encrypted.

    The HSDS tables hold only what may be published: a confidential location has no address
    rows there and no coordinates (hidden) or coarse ones (area only).
    """

    __tablename__ = "location_privacy"

    location_id: Mapped[str] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    visibility: Mapped[str] = mapped_column(String(16))
    public_area: Mapped[str | None] = mapped_column(Text)
    exact_place: Mapped[str | None] = mapped_column(EncryptedText())

    def __repr__(self) -> str:
        return f"<LocationPrivacy {self.location_id} {self.visibility}>"
