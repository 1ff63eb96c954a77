"""What can go wrong when Haven sends a message; every reason is safe to store and show."""

from __future__ import annotations


class MessagingError(Exception):
    """Root of the messaging domain's errors."""


class OutboxError(MessagingError):
    """The outbox cannot accept this message."""


class UnsupportedKind(OutboxError):
    """No backend sends messages of this kind."""


class EmptyMessage(OutboxError):
    """A message needs a recipient and a body."""


class SendError(MessagingError):
    """A provider refused or failed a message; `summary` is safe to store and show."""

    def __init__(self, code: int | None, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    @property
    def summary(self) -> str:
        return self.reason if self.code is None else f"{self.code} {self.reason}"


class PermanentSendError(SendError):
    """Sending this message again cannot succeed."""


class TransientSendError(SendError):
    """Sending this message again later may succeed."""


class UncertainSendError(TransientSendError):
    """No answer came: the provider may have the message already (see outbox's look-up)."""
