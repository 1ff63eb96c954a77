"""Outbound messages: the outbox, its worker and the SMS backends."""
