"""Account operations: plain arguments and a session in, flushed changes and audit events out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.accounts import audit, secondfactor
from webapp.accounts.errors import EmailTaken, InvalidCode, InvalidEmail, UnknownRole, WeakPassword
from webapp.accounts.models import RecoveryCode, Role, User, UserRole
from webapp.accounts.passwords import PasswordHasher, password_problems
from webapp.accounts.sessions import end_all_sessions

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = frozenset(role.value for role in Role)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def checked_email(email: str) -> str:
    """The email normalised, if it is one we can use to sign in; InvalidEmail otherwise."""
    email = normalise_email(email)
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidEmail(email)
    return email


def check_roles(roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = wanted - ROLES
    if unknown:
        raise UnknownRole(", ".join(sorted(unknown)))
    return wanted


def create_user(
    session: Session,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    roles: Iterable[str],
    now: datetime,
    display_name: str = "",
    actor_id: int | None = None,
) -> User:
    """A new staff account, second factor still to enrol at first sign-in."""
    email = checked_email(email)
    wanted = check_roles(roles)
    problems = password_problems(password, email=email)
    if problems:
        raise WeakPassword(problems)
    if find_user(session, email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        display_name=display_name.strip()[:120],
        password_hash=hasher.hash(password),
        created_at=now,
        roles=[UserRole(role=role) for role in sorted(wanted)],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        now=now,
        actor_id=actor_id,
        subject_id=user.id,
        roles=sorted(wanted),
    )
    return user


def set_roles(
    session: Session, user: User, roles: Iterable[str], *, now: datetime, actor_id: int | None
) -> None:
    wanted = check_roles(roles)
    if wanted == user.role_names:
        return
    user.roles = [UserRole(role=role) for role in sorted(wanted)]
    session.flush()
    audit.record(
        session,
        "user.roles_changed",
        now=now,
        actor_id=actor_id,
        subject_id=user.id,
        roles=sorted(wanted),
    )


def disable_user(session: Session, user: User, *, now: datetime, actor_id: int | None) -> None:
    """Disable an account; every open session of it ends at its next request or sooner."""
    if user.disabled_at is not None:
        return
    user.disabled_at = now
    ended = end_all_sessions(session, user.id, now=now, reason="disabled")
    audit.record(
        session, "user.disabled", now=now, actor_id=actor_id, subject_id=user.id, count=ended
    )


def enable_user(session: Session, user: User, *, now: datetime, actor_id: int | None) -> None:
    if user.disabled_at is None:
        return
    user.disabled_at = None
    audit.record(session, "user.enabled", now=now, actor_id=actor_id, subject_id=user.id)


def reset_mfa(session: Session, user: User, *, now: datetime, actor_id: int | None) -> None:
    """Forget the second factor: the next sign-in enrols a new one. Open sessions end."""
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enrolled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(session, user.id, now=now, reason="mfa_reset")
    audit.record(session, "mfa.reset", now=now, actor_id=actor_id, subject_id=user.id)


def check_password(
    session: Session, hasher: PasswordHasher, email: str, password: str
) -> User | None:
    """The active user these credentials belong to; an unknown email costs the same time."""
    user = find_user(session, email)
    if user is None:
        hasher.dummy_verify(password)
        return None
    if not hasher.verify(user.password_hash, password) or not user.is_active:
        return None
    if hasher.needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def enrol_totp(
    session: Session, user: User, secret: str, code: str, *, now: datetime, secret_key: str
) -> list[str]:
    """Keep the secret once a code from it is shown to work; returns recovery codes, shown once."""
    step = secondfactor.matching_step(secret, code, now=now, last_step=None)
    if step is None:
        raise InvalidCode()
    user.totp_secret, user.totp_last_step, user.mfa_enrolled_at = secret, step, now
    codes = secondfactor.new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=secondfactor.recovery_hash(secret_key, c))
        for c in codes
    )
    session.flush()
    audit.record(session, "mfa.enrolled", now=now, actor_id=user.id, subject_id=user.id)
    return codes


def verify_second_factor(
    session: Session, user: User, code: str, *, now: datetime, secret_key: str
) -> str:
    """Accept a fresh TOTP code or an unused recovery code, each once; returns which it was."""
    if user.totp_secret is None:
        raise InvalidCode()
    step = secondfactor.matching_step(
        user.totp_secret, code, now=now, last_step=user.totp_last_step
    )
    if step is not None:
        user.totp_last_step = step
        return "totp"
    if secondfactor.looks_like_recovery_code(code):
        wanted = secondfactor.recovery_hash(secret_key, code)
        found = session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == wanted,
                RecoveryCode.used_at.is_(None),
            )
        )
        if found is not None:
            found.used_at = now
            return "recovery"
    raise InvalidCode()
