"""Directory records mapped onto the HSDS tables (webapp/directory/tables.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import EncryptedText
from webapp.db import Base, UtcDateTime
from webapp.directory.tables import TABLES


class Organization(Base):
    """An HSDS organization."""

    __table__ = TABLES["organization"]

    def __repr__(self) -> str:
        return f"<Organization {self.id}>"


class OrganizationMembership(Base):
    """An editor may change this organization's listings."""

    __tablename__ = "organization_memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<OrganizationMembership user={self.user_id} organization={self.organization_id}>"


class InvitedMembership(Base):
    """An organization whose listings an invitation's editor may change once it is accepted."""

    __tablename__ = "invited_memberships"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<InvitedMembership {self.invitation_id} organization={self.organization_id}>"


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


class FieldTranslation(Base):
    """A text field of a directory record in another language, and who wrote it."""

    __tablename__ = "field_translations"
    __table_args__ = (UniqueConstraint("resource", "record_id", "field", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(8))
    # The digest (changes.editing.digest) of the source text this was translated from, when
    # known: a different digest today means the source changed since, and this is outdated.
    source_digest: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<FieldTranslation {self.resource} {self.record_id} {self.field} {self.language}>"


class RecordSetting(Base):
    """A directory record's source language and whether the public may see it."""

    __tablename__ = "record_settings"
    # Every public list leaves out drafts: found by status, not by reading every setting.
    __table_args__ = (Index("ix_record_settings_status", "resource", "status", "record_id"),)

    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_language: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[str] = mapped_column(String(16), default="published")

    def __repr__(self) -> str:
        return f"<RecordSetting {self.resource} {self.record_id} {self.status}>"


class CorrectionKind(StrEnum):
    """What a survivor says is wrong with a listing."""

    PHONE = "phone"
    ADDRESS = "address"
    HOURS = "hours"
    CLOSED = "closed"
    OTHER = "other"


class CorrectionStatus(StrEnum):
    OPEN = "open"
    HANDLED = "handled"
    DISMISSED = "dismissed"


class Correction(Base):
    """ "Something here is wrong": a survivor's anonymous correction of a published service.

    Nothing here says who sent it: no address, visit, cookie or browser, and only the hour it
    arrived (so it cannot be matched with an access line); the id is random, so neither tells
    the order of arrival. Her words are encrypted, and erased by `purge` a while after a
    moderator handled them.
    """

    __tablename__ = "service_corrections"
    __table_args__ = (
        CheckConstraint("kind IN ('phone', 'address', 'hours', 'closed', 'other')", name="kind"),
        CheckConstraint("status IN ('open', 'handled', 'dismissed')", name="status"),
        Index("ix_service_corrections_status", "status", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[str | None] = mapped_column(EncryptedText())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=CorrectionStatus.OPEN.value)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<Correction {self.id} {self.kind} {self.status}>"


class ServiceStaleness(Base):
    """A published service not confirmed for STALE_AFTER_DAYS, as the worker's round found it.

    The row lives while the listing stays stale: a confirm (or a newer `assured_date` from an
    import) ends it, and with it the notices, so the next time it goes stale is news again.
    With UNPUBLISH_AFTER_DAYS set, `counting_from` is the day moderators could first see when
    it would go (today + that many days, shown in the portal), and `unpublished_at` when it
    went: such a service is kept from the public (webapp.directory.listing) until confirmed.
    """

    __tablename__ = "service_staleness"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    flagged_on: Mapped[date] = mapped_column(Date())
    counting_from: Mapped[date | None] = mapped_column(Date())
    unpublished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<ServiceStaleness {self.service_id} unpublished={self.unpublished_at is not None}>"


class StaleNotice(Base):
    """An editor was told once that this stale listing needs confirming."""

    __tablename__ = "stale_notices"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service_staleness.service_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<StaleNotice {self.service_id} user={self.user_id}>"


class ServiceHours(Base):
    """One weekly opening of a service, as seconds of the local week: the open-now index.

    Derived from the service's schedules by `webapp.directory.weekly` whenever they (or the
    address that gives their zone) change. Weekly schedules of every week become one row per
    day they open on (`opens`..`closes`, seconds since Monday 00:00 local, `closes` past the
    week's end for an opening that runs into Monday); monthly schedules and those of every
    other week are kept as a row naming their schedule, read by the rules at search time.
    `zone` is None for the deployment's TIME_ZONE.
    """

    __tablename__ = "service_hours"
    __table_args__ = (
        # Everything "open now" tests, and the service it names: read from the index alone.
        Index(
            "ix_service_hours_open",
            "zone",
            "day",
            "opens",
            "closes",
            "valid_from",
            "valid_to",
            "service_id",
        ),
        Index("ix_service_hours_service_id", "service_id"),
        # The few rows of rules read at search time, found without reading the others.
        Index(
            "ix_service_hours_schedule_id",
            "schedule_id",
            sqlite_where=text("schedule_id IS NOT NULL"),
            postgresql_where=text("schedule_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    zone: Mapped[str | None] = mapped_column(String(64))
    day: Mapped[int | None] = mapped_column()  # weekday the opening starts on, 0 is Monday
    opens: Mapped[int | None] = mapped_column()
    closes: Mapped[int | None] = mapped_column()
    whole_day: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date | None] = mapped_column(Date())
    valid_to: Mapped[date | None] = mapped_column(Date())
    schedule_id: Mapped[str | None] = mapped_column(String(36))  # a rule read at search time

    def __repr__(self) -> str:
        return f"<ServiceHours {self.service_id} day={self.day}>"
