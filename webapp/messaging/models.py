"""The outbox table: every outbound message, written in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.crypto import EncryptedText
from webapp.db import Base, UtcDateTime


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One outbound message and its delivery state; recipient and body are encrypted."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{status}'" for status in OutboxStatus)),
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(EncryptedText())
    body: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # When the current round of attempts first handed it to the provider, and whether the
    # provider may have it already (no answer came): then it is looked for before a resend.
    tried_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    uncertain: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the provider said later (status callbacks): delivered, undelivered, failed.
    delivery_status: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return (
            f"<OutboxMessage id={self.id} kind={self.kind} status={self.status} "
            f"attempts={self.attempts}>"
        )
