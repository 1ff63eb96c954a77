"""Staff sessions kept on the server: a random token in the cookie, its hash in the table."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.accounts.models import StaffSession, User

IDLE_LIMIT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """A new session (a new id at every sign-in); returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(id=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now)
    )
    session.flush()
    return token


def find_session(session: Session, token: str, *, now: datetime) -> StaffSession | None:
    """The live session for `token`, ending it first if it has idled, aged out or lost its user."""
    found = session.get(StaffSession, _token_hash(token)) if token else None
    if found is None or found.ended_at is not None:
        return None
    reason = _expiry_reason(found, now)
    if reason:
        found.ended_at, found.end_reason = now, reason
        session.flush()
        return None
    found.last_seen_at = now
    return found


def _expiry_reason(found: StaffSession, now: datetime) -> str | None:
    if not found.user.is_active:
        return "disabled"
    if now - found.last_seen_at > IDLE_LIMIT:
        return "idle"
    if now - found.created_at > ABSOLUTE_LIMIT:
        return "absolute"
    return None


def end_session(session: Session, token: str, *, now: datetime, reason: str = "logout") -> None:
    found = session.get(StaffSession, _token_hash(token)) if token else None
    if found is not None and found.ended_at is None:
        found.ended_at, found.end_reason = now, reason
        session.flush()


def end_all_sessions(session: Session, user_id: int, *, now: datetime, reason: str) -> int:
    """End every live session of one user; returns how many were open."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def live_sessions(session: Session, user_id: int) -> list[StaffSession]:
    return list(
        session.scalars(
            select(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
            .order_by(StaffSession.created_at.desc())
        )
    )
