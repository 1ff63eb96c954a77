"""Anonymous reports, their threads, photos and consents; partner agencies and their staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.crypto import EncryptedBytes, EncryptedText
from webapp.db import Base, UtcDateTime, new_id


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


class Report(Base):
    """What a survivor or a witness told us, found only by its codename's lookup key.

    No column names the reporter: no address, browser, account or codename. The text and
    every message are encrypted with DATA_KEY; the photos too.
    """

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Argon2id of the codename with REPORT_PEPPER (codenames.lookup_key).
    lookup_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash of the form's ticket: the same form sent twice makes this one report.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Retention counts from here: writing, an answer, a visit with the codename.
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    kinds: Mapped[list] = mapped_column(JSON)
    happened: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(16), default="new")

    messages: Mapped[list[ReportMessage]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReportMessage.id",
    )
    photos: Mapped[list[ReportPhoto]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ReportPhoto.id"
    )
    consents: Mapped[list[ReportConsent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.status}>"


class ReportMessage(Base):
    """One message of a report's thread: the reporter's, or an advocate's reply."""

    __tablename__ = "report_messages"
    __table_args__ = (CheckConstraint("sender IN ('reporter', 'advocate')", name="sender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    # The advocate who wrote it (kept for the audit; never shown to the reporter).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(EncryptedText())
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())

    report: Mapped[Report] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<ReportMessage {self.id} report={self.report_id} {self.sender}>"


class ReportPhoto(Base):
    """A photo re-encoded without any metadata, stored encrypted."""

    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    media_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(EncryptedBytes())
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<ReportPhoto {self.id} report={self.report_id} {self.media_type}>"


class ReportConsent(Base):
    """The reporter's leave for one partner agency to see one report, until she revokes it."""

    __tablename__ = "report_consents"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("partner_agencies.id", ondelete="CASCADE"), primary_key=True
    )
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ReportConsent report={self.report_id} agency={self.agency_id}>"


class AgencyMessage(Base):
    """One message between the advocates and a partner agency about a report shared with it.

    Readable by that agency only while the reporter's consent stands; never shown to her.
    """

    __tablename__ = "report_agency_messages"
    __table_args__ = (
        CheckConstraint("side IN ('advocate', 'partner')", name="side"),
        Index("ix_report_agency_messages_report_agency", "report_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("partner_agencies.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(EncryptedText())
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<AgencyMessage {self.id} report={self.report_id} agency={self.agency_id}>"


class AgencyRead(Base):
    """A partner agency's staff member opened a shared report: shown to the reporter."""

    __tablename__ = "report_agency_reads"
    __table_args__ = (Index("ix_report_agency_reads_report_agency", "report_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("partner_agencies.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    read_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<AgencyRead report={self.report_id} agency={self.agency_id}>"
