"""What routing knows of an advocate: languages, skills and weekly shifts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.callbacks.errors import BadShift
from webapp.callbacks.models import AdvocateLanguage, AdvocateSkill, Shift

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class Profile:
    languages: list[str]
    skills: list[str]
    shifts: list[Shift]


def set_languages_and_skills(
    session: Session, user_id: int, languages: Iterable[str], skills: Iterable[str]
) -> None:
    """Replace what this advocate is routed by."""
    session.execute(delete(AdvocateLanguage).where(AdvocateLanguage.user_id == user_id))
    session.execute(delete(AdvocateSkill).where(AdvocateSkill.user_id == user_id))
    session.add_all(AdvocateLanguage(user_id=user_id, language=code) for code in set(languages))
    session.add_all(AdvocateSkill(user_id=user_id, skill=skill) for skill in set(skills))
    session.flush()


def add_shifts(
    session: Session,
    user_id: int,
    weekdays: Iterable[int],
    *,
    starts_minute: int,
    ends_minute: int,
    time_zone: str,
) -> list[Shift]:
    """Weekly windows (weekday 0 is Monday, minutes after midnight in `time_zone`)."""
    if not 0 <= starts_minute < ends_minute <= MINUTES_A_DAY:
        raise BadShift("a shift must end after it starts, within one day")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadShift(f"unknown time zone {time_zone!r}") from None
    shifts = [
        Shift(
            user_id=user_id,
            weekday=weekday,
            starts_minute=starts_minute,
            ends_minute=ends_minute,
            time_zone=time_zone,
        )
        for weekday in weekdays
    ]
    session.add_all(shifts)
    session.flush()
    return shifts


def profile_of(session: Session, user_id: int) -> Profile:
    languages = session.scalars(
        select(AdvocateLanguage.language)
        .where(AdvocateLanguage.user_id == user_id)
        .order_by(AdvocateLanguage.language)
    )
    skills = session.scalars(
        select(AdvocateSkill.skill)
        .where(AdvocateSkill.user_id == user_id)
        .order_by(AdvocateSkill.skill)
    )
    shifts = session.scalars(
        select(Shift).where(Shift.user_id == user_id).order_by(Shift.weekday, Shift.id)
    )
    return Profile(list(languages), list(skills), list(shifts))
