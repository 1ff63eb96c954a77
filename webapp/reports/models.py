"""Partner agencies (police, prosecutors, victim services) and the staff who work for them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, new_id


class PartnerAgency(Base):
    """An agency that receives only what survivors chose to share with it."""

    __tablename__ = "partner_agencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<PartnerAgency {self.id}>"


class AgencyMembership(Base):
    """A partner user works for this agency and sees only what is shared with it."""

    __tablename__ = "agency_memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("partner_agencies.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<AgencyMembership user={self.user_id} agency={self.agency_id}>"
