"""Who answers: advocates and supervisors on shift, their languages and skills, and their alerts.

An advocate is on shift inside one of their weekly shifts (in their own time zone), unless they
marked themselves off in the console; and whenever they marked themselves on, until the time
they gave. Alerts are texts to the advocate's own phone that say nothing about the survivor:
they go through the outbox, in the same transaction as the event that causes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User, UserRole
from webapp.callbacks.models import (
    AdvocateContact,
    AdvocateLanguage,
    AdvocateSkill,
    CallbackRequest,
    Presence,
    Shift,
)
from webapp.messaging import outbox

# Names nothing about the survivor, in case the advocate's phone is seen.
ALERT = "Haven: a callback request is waiting. Open the console to see it."
ESCALATION = "Haven: a callback request has waited too long. Open the console."


def on_shift(session: Session, role: str, now: datetime) -> set[int]:
    """Ids of the active users with `role` who are on shift at `now`."""
    holders = set(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.disabled_at.is_(None))
        )
    )
    marked = {
        p.user_id: p.on_shift
        for p in session.scalars(
            select(Presence).where(Presence.user_id.in_(holders), Presence.until > now)
        )
    }
    by_shift = {
        shift.user_id
        for shift in session.scalars(select(Shift).where(Shift.user_id.in_(holders)))
        if _covers(shift, now)
    }
    return {u for u in holders if marked.get(u, u in by_shift)}


def _covers(shift: Shift, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(shift.time_zone))
    minute = local.hour * 60 + local.minute
    return local.weekday() == shift.weekday and shift.starts_minute <= minute < shift.ends_minute


def people(session: Session, user_ids: Iterable[int]) -> list[User]:
    """These staff members, by name, for a supervisor's list of who is on shift."""
    ids = sorted(set(user_ids))
    found = session.scalars(select(User).where(User.id.in_(ids)))
    return sorted(found, key=lambda user: (user.display_name or user.email).casefold())


def mark(session: Session, user_id: int, *, on_shift: bool, hours: float, now: datetime) -> None:
    """The advocate's own word in the console: on (or off) shift for the next `hours`."""
    presence = session.get(Presence, user_id) or Presence(user_id=user_id)
    presence.on_shift, presence.until = on_shift, now + timedelta(hours=hours)
    session.add(presence)
    session.flush()


def who_may_answer(session: Session, request: CallbackRequest, users: Iterable[int]) -> set[int]:
    """Those of `users` who speak the request's language (and have its skill, if it asks one)."""
    users = set(users)
    speaks = set(
        session.scalars(
            select(AdvocateLanguage.user_id).where(
                AdvocateLanguage.user_id.in_(users), AdvocateLanguage.language == request.language
            )
        )
    )
    if not request.topic:
        return speaks
    skilled = set(
        session.scalars(
            select(AdvocateSkill.user_id).where(
                AdvocateSkill.user_id.in_(speaks), AdvocateSkill.skill == request.topic
            )
        )
    )
    return skilled


def set_phone(session: Session, user_id: int, phone: str) -> None:
    contact = session.get(AdvocateContact, user_id) or AdvocateContact(user_id=user_id)
    contact.phone = phone
    session.add(contact)
    session.flush()


def phone_of(session: Session, user_id: int) -> str | None:
    contact = session.get(AdvocateContact, user_id)
    return contact.phone if contact else None


def alert(session: Session, user_ids: Iterable[int], body: str, now: datetime) -> int:
    """Queue `body` to each of these staff members' phones; returns how many were queued."""
    ids = sorted(set(user_ids))
    contacts = session.scalars(select(AdvocateContact).where(AdvocateContact.user_id.in_(ids)))
    queued = 0
    for contact in contacts:
        outbox.enqueue(session, to=contact.phone, body=body, now=now)
        queued += 1
    return queued
