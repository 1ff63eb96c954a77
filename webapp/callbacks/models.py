"""When advocates are available, and which languages and skills a callback can be routed by."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


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
