"""Change requests and their field changes; what moderators allow each organization."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.crypto import EncryptedText
from webapp.db import Base, UtcDateTime


class Status(StrEnum):
    PENDING = "pending"  # waits for a moderator; nothing of it is published
    LIVE = "live"  # applied at once (low-risk, trusted organization), still to be reviewed
    APPROVED = "approved"  # applied, reviewed
    REJECTED = "rejected"  # never applied (or, when it was live, put back)
    WITHDRAWN = "withdrawn"  # its editor took it back before review


OPEN = (Status.PENDING, Status.LIVE)


class Action(StrEnum):
    UPDATE = "update"
    ADD = "add"
    REMOVE = "remove"


class ChangeRequest(Base):
    """One submission of an editor's form: changes to one record, reviewed together."""

    __tablename__ = "change_requests"
    __table_args__ = (Index("ix_change_requests_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resource: Mapped[str] = mapped_column(String(32))  # HSDS table, e.g. service, phone
    record_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(8), default=Action.UPDATE)
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str | None] = mapped_column(Text)

    fields: Mapped[list[FieldChange]] = relationship(
        back_populates="change",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="FieldChange.id",
    )

    def __repr__(self) -> str:
        return f"<ChangeRequest {self.id} {self.resource} {self.status}>"


class FieldChange(Base):
    """One field's value before and after (JSON, sealed: a hidden shelter's street may be one).

    `language` is empty for the record's own text, else the translation's language;
    `source_digest` is the digest of the source text a translation was made from.
    """

    __tablename__ = "field_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(
        ForeignKey("change_requests.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="")
    before: Mapped[str | None] = mapped_column(EncryptedText())
    after: Mapped[str | None] = mapped_column(EncryptedText())
    source_digest: Mapped[str | None] = mapped_column(String(64))

    change: Mapped[ChangeRequest] = relationship(back_populates="fields")

    def __repr__(self) -> str:
        return f"<FieldChange {self.change_id} {self.field} {self.language or '-'}>"


class OrganizationPolicy(Base):
    """What moderators allow an organization: low-risk changes published before review."""

    __tablename__ = "organization_policies"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    quick_changes: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<OrganizationPolicy {self.organization_id} quick={self.quick_changes}>"
