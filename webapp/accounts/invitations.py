"""Invitations: a single-use link that makes a staff account, or widens one its owner signs in to.

The link carries a random token; only a keyed hash of it is stored, so a copy of the table opens
nothing. Unknown, used, withdrawn and expired tokens are refused alike (`InvitationUnusable`):
the answer tells someone trying links nothing about which ones exist.

An email that already has an account is never given a new password through a link (whoever
holds the link would take the account over): the invitation widens that account only when its
owner, signed in with both steps, accepts it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.accounts import audit, operations
from webapp.accounts.errors import (
    InvitationForAnotherAccount,
    InvitationNotPending,
    InvitationUnusable,
)
from webapp.accounts.models import Invitation, User
from webapp.accounts.passwords import PasswordHasher
from webapp.crypto import derive_key

TOKEN_BYTES = 32


def token_hash(secret_key: str, token: str) -> str:
    """What is stored of a link's token: random enough that a keyed hash is all it needs."""
    key = derive_key(secret_key, "haven invitation token")
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def invite(
    session: Session,
    *,
    email: str,
    role: str,
    now: datetime,
    lifetime: timedelta,
    secret_key: str,
    actor_id: int | None,
) -> tuple[Invitation, str]:
    """A new invitation and its token, which is shown once and never stored."""
    email = operations.checked_email(email)
    operations.check_roles([role])
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        email=email,
        role=role,
        token_hash=token_hash(secret_key, token),
        invited_by=actor_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(invitation)
    session.flush()
    existing = operations.find_user(session, email)
    audit.record(
        session,
        "invitation.created",
        now=now,
        actor_id=actor_id,
        subject_id=existing.id if existing else None,
        invitation_id=invitation.id,
        role=role,
    )
    return invitation, token


def open_invitation(session: Session, token: str, *, now: datetime, secret_key: str) -> Invitation:
    """The pending invitation this token belongs to; InvitationUnusable for any other token."""
    wanted = token_hash(secret_key, token) if token else None
    found = session.scalar(select(Invitation).where(Invitation.token_hash == wanted))
    if found is None or found.status(now) != "pending":
        raise InvitationUnusable()
    return found


def accept_with_new_account(
    session: Session,
    hasher: PasswordHasher,
    invitation: Invitation,
    password: str,
    *,
    now: datetime,
) -> User:
    """Make the invited account with this password (the password rules apply), spending the link.

    Its second factor is enrolled next, as at any first sign-in.
    """
    user = operations.create_user(
        session,
        hasher,
        email=invitation.email,
        password=password,
        roles=[invitation.role],
        now=now,
        actor_id=invitation.invited_by,
    )
    _spend(session, invitation, user, now)
    return user


def accept_into_account(
    session: Session, invitation: Invitation, user: User, *, now: datetime
) -> None:
    """Widen the signed-in owner's own account with the invitation's role, spending the link."""
    if user.email != invitation.email or not user.is_active:
        raise InvitationForAnotherAccount()
    wanted = user.role_names | {invitation.role}
    operations.set_roles(session, user, wanted, now=now, actor_id=user.id)
    _spend(session, invitation, user, now)


def _spend(session: Session, invitation: Invitation, user: User, now: datetime) -> None:
    """Mark the link used; of two tabs accepting at once, one UPDATE wins and the other fails."""
    spent = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now, used_by=user.id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise InvitationUnusable()
    set_committed_value(invitation, "used_at", now)
    set_committed_value(invitation, "used_by", user.id)
    audit.record(
        session,
        "invitation.accepted",
        now=now,
        actor_id=user.id,
        subject_id=user.id,
        invitation_id=invitation.id,
    )


def withdraw(session: Session, invitation_id: int, *, now: datetime, actor_id: int) -> None:
    """Take back a pending invitation: its link leads nowhere from now on."""
    withdrawn = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    if withdrawn.rowcount != 1:
        raise InvitationNotPending()
    if (loaded := session.get(Invitation, invitation_id)) is not None:
        set_committed_value(loaded, "withdrawn_at", now)
    audit.record(
        session, "invitation.withdrawn", now=now, actor_id=actor_id, invitation_id=invitation_id
    )


def invitations_for_role(session: Session, role: str) -> list[Invitation]:
    """Every invitation to this role, newest first."""
    query = (
        select(Invitation)
        .where(Invitation.role == role)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return list(session.scalars(query))
