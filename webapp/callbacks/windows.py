"""The times a survivor said are safe for a call, in her own time zone.

A window is a set of weekdays (0 is Monday) and a span of minutes after midnight, local time;
a span may not cross midnight (two windows do that). Daylight saving is the zone's business:
"Mondays 18:00-20:00 in America/Chicago" means that wall-clock time every Monday, whatever
UTC offset it has that day. A wall-clock time skipped by a change (02:30 on the spring-forward
night) starts at the first instant after the gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.callbacks.errors import BadWindow

MINUTES_A_DAY = 24 * 60
# Far enough ahead to find the next opening of any weekly window.
DAYS_AHEAD = 8


@dataclass(frozen=True)
class Window:
    days: frozenset[int]
    start: int  # minutes after local midnight
    end: int

    @classmethod
    def of(cls, days: Iterable[int], start: int, end: int) -> Window:
        chosen = frozenset(days)
        if not chosen or not chosen <= frozenset(range(7)):
            raise BadWindow("days")
        if not 0 <= start < end <= MINUTES_A_DAY:
            raise BadWindow("hours")
        return cls(chosen, start, end)

    def as_json(self) -> dict:
        return {"days": sorted(self.days), "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, value: dict) -> Window:
        return cls.of(value["days"], value["start"], value["end"])


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadWindow("time_zone") from None


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time; one skipped by a change is the change itself."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    for _ in range(24 * 60):  # a gap is an hour, at most a day: the first wall time that exists
        instant = wall.replace(tzinfo=zone).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            return instant
        wall += timedelta(minutes=1)
    raise BadWindow("time_zone")


Span = tuple[datetime, datetime]


def spans(windows: Iterable[Window], zone_name: str, now: datetime) -> list[Span]:
    """Every window's occurrences from yesterday to DAYS_AHEAD days on, as UTC spans, sorted."""
    zone = zone_of(zone_name)
    today = now.astimezone(zone).date()
    found = []
    for window in windows:
        for offset in range(-1, DAYS_AHEAD):
            day = today + timedelta(days=offset)
            if day.weekday() in window.days:
                found.append((_local(day, window.start, zone), _local(day, window.end, zone)))
    return sorted(found)


def current_span(windows, zone_name: str, now: datetime) -> Span | None:
    """The window `now` falls in (its start and end), or None."""
    return next(((a, b) for a, b in spans(windows, zone_name, now) if a <= now < b), None)


def next_opening(windows, zone_name: str, now: datetime) -> datetime | None:
    """When the next window opens after `now` (None when there are no windows)."""
    return next((a for a, _b in spans(windows, zone_name, now) if a > now), None)
