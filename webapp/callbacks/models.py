"""Callback requests, and what routing knows of the advocates who answer them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import EncryptedText
from webapp.db import Base, UtcDateTime


class Shift(Base):
    """A weekly window when an advocate is available, in their own time zone."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    starts_minute: Mapped[int] = mapped_column(Integer)
    ends_minute: Mapped[int] = mapped_column(Integer)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")

    def __repr__(self) -> str:
        return f"<Shift {self.id} user={self.user_id} day={self.weekday}>"


class AdvocateLanguage(Base):
    """A language an advocate can take a call in (ISO 639, e.g. `es`)."""

    __tablename__ = "advocate_languages"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)

    def __repr__(self) -> str:
        return f"<AdvocateLanguage user={self.user_id} {self.language}>"


class AdvocateSkill(Base):
    """Something an advocate is trained for, that a callback may ask for (e.g. `legal`)."""

    __tablename__ = "advocate_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)

    def __repr__(self) -> str:
        return f"<AdvocateSkill user={self.user_id} {self.skill}>"


class AdvocateContact(Base):
    """The advocate's own phone: alerts go to it, and the bridged call rings it first."""

    __tablename__ = "advocate_contacts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str] = mapped_column(EncryptedText())

    def __repr__(self) -> str:
        return f"<AdvocateContact user={self.user_id}>"


class Presence(Base):
    """An advocate who marked themselves on or off shift in the console, until a time."""

    __tablename__ = "advocate_presence"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    on_shift: Mapped[bool] = mapped_column(Boolean)
    until: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<Presence user={self.user_id} on={self.on_shift}>"


class RequestStatus(StrEnum):
    WAITING = "waiting"  # in the queue; callable inside one of its windows
    CLAIMED = "claimed"  # one advocate holds a lease on it
    CLOSED = "closed"
    CANCELLED = "cancelled"  # by the survivor, with her receipt


class CallbackRequest(Base):
    """A survivor's request for a call. Everything she wrote is encrypted, none of it in repr."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        Index("ix_callback_requests_queue", "status", "asked_at"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in RequestStatus)), name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(8), default="web")
    # When she asked: her place in line, which a requeue keeps.
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.WAITING.value)
    language: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(32))
    time_zone: Mapped[str] = mapped_column(String(64))
    windows: Mapped[list] = mapped_column(JSON)
    number: Mapped[str | None] = mapped_column(EncryptedText())
    name: Mapped[str | None] = mapped_column(EncryptedText())
    voicemail_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    voicemail_text: Mapped[str | None] = mapped_column(EncryptedText())
    text_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    question: Mapped[str | None] = mapped_column(EncryptedText())
    answer: Mapped[str | None] = mapped_column(EncryptedText())
    if_dropped: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    # The window an alert last went out for (its opening), so each opening alerts once.
    alerted_for: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    outcome: Mapped[str | None] = mapped_column(String(24))
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<CallbackRequest {self.id} {self.status} lang={self.language}>"


class CallAttempt(Base):
    """What an advocate did with a claimed request: an outcome, and notes (encrypted)."""

    __tablename__ = "call_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True
    )
    advocate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(24))
    notes: Mapped[str | None] = mapped_column(EncryptedText())

    def __repr__(self) -> str:
        return f"<CallAttempt {self.id} request={self.request_id} {self.outcome}>"


class CallLeg(Base):
    """One leg of a bridged call (the advocate's phone, or the survivor's) as Twilio reports it.

    Status callbacks may arrive twice or out of order: `sequence` (Twilio's SequenceNumber)
    only moves forward, and so does the status.
    """

    __tablename__ = "call_legs"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True
    )
    advocate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    leg: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=-1)
    answered_by: Mapped[str | None] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<CallLeg {self.leg} {self.status}>"
