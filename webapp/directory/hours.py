"""Opening hours from HSDS 3 schedules: is a service open at a given instant?

Times are wall-clock times in the schedule's IANA zone: HSDS 3.0's numeric `timezone`, like an
offset written on `opens_at`, cannot follow daylight saving time, so Haven keeps a zone per
location or service and drops such offsets. Of the RRULE, only FREQ (WEEKLY, MONTHLY), INTERVAL,
BYDAY, BYMONTHDAY, WKST, DTSTART and UNTIL are read; COUNT, BYWEEKNO and BYYEARDAY are ignored.

An opening belongs to the day it starts (Friday 20:00-02:00 is open early on Saturday), and
`dtstart`, `until`, `valid_from` and `valid_to`, all inclusive, bound that day. A temporary
closure is the regular schedule with `valid_to` the day before it plus a copy with `valid_from`
the day the service reopens: in between `is_open` is False, as the hours are known. It is None
only when no schedule is usable (unsupported freq, unreadable days, one time missing).
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.directory.errors import ScheduleError

DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)
END_OF_DAY = {MIDNIGHT, time(23, 59), time(23, 59, 59)}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY_PART = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?")
DATE_FIELDS = ("valid_from", "valid_to", "until", "dtstart")
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """The opening-hours part of one HSDS schedule, in an IANA or fixed-offset zone."""

    time_zone: str
    freq: str | None = None
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    until: date | None = None
    dtstart: date | None = None
    interval: int = 1
    wkst: str | None = None
    description: str | None = None

    def __post_init__(self):
        zone_of(self.time_zone)
        if self.interval < 1:
            raise ScheduleError("interval", self.interval)

    @classmethod
    def from_hsds(cls, fields: dict, time_zone: str) -> Schedule:
        """Build from HSDS values as found in JSON or CSV; empty strings mean absent."""
        times = {name: _read(fields, name, _wall_clock) for name in ("opens_at", "closes_at")}
        dates = {name: _read(fields, name, date.fromisoformat) for name in DATE_FIELDS}
        codes = {name: _code(fields.get(name)) for name in ("freq", "byday", "bymonthday", "wkst")}
        return cls(
            time_zone=time_zone,
            interval=_read(fields, "interval", _whole_number) or 1,
            description=_text(fields.get("description")),
            **times,
            **dates,
            **codes,
        )


def offset_zone(hours: float | str) -> str:
    """Turn an HSDS `timezone` UTC offset in hours ("3", "-5", "5.5") into "+03:00" form."""
    minutes = round(float(hours) * 60)
    return "{}{:02d}:{:02d}".format("-" if minutes < 0 else "+", *divmod(abs(minutes), 60))


@functools.lru_cache(maxsize=512)
def zone_of(name: str) -> tzinfo:
    """Resolve an IANA zone name, or a fixed offset such as "+03:00" or "UTC-05:00"."""
    if match := OFFSET.fullmatch(name.strip()):
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset < DAY:
            return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("time_zone", name) from None


def is_open(schedules: Iterable[Schedule], at: datetime) -> bool | None:
    """Whether any schedule covers the aware instant `at`; None when no schedule is usable."""
    if at.utcoffset() is None:
        raise ValueError("is_open needs a timezone-aware datetime")
    rules = [parsed for parsed in map(rule, schedules) if parsed is not None]
    return any(parsed.covers(at) for parsed in rules) if rules else None


def is_always_open(schedules: Iterable[Schedule], on: date | None = None) -> bool:
    """Whether whole-day weekly schedules cover all seven days (valid on `on`, when given)."""
    return len(whole_days(schedules, on)) == 7


def whole_days(schedules: Iterable[Schedule], on: date | None = None) -> set[int]:
    """The weekdays (0 is Monday) that whole-day weekly schedules cover, valid on `on`."""
    days: set[int] = set()
    for parsed in filter(None, map(rule, schedules)):
        every_week = not parsed.monthly and parsed.schedule.interval == 1
        whole_day = (parsed.start, parsed.end) == (timedelta(0), DAY)
        if every_week and whole_day and (on is None or parsed.in_bounds(on)):
            days.update(weekday for _, weekday in parsed.byday)
    return days


@dataclass(frozen=True)
class _Rule:
    """A usable schedule, parsed: window as offsets from local midnight, days it starts on."""

    schedule: Schedule
    start: timedelta
    end: timedelta
    monthly: bool
    byday: tuple[tuple[int, int], ...]
    monthdays: tuple[int, ...]
    week_start: int

    def covers(self, at: datetime) -> bool:
        """Whether an opening that started today or yesterday (local) is under way at `at`."""
        # Naive wall-clock arithmetic is what makes DST days right: 09:00 stays 09:00
        # whether the day lasts 23, 24 or 25 hours.
        local = at.astimezone(zone_of(self.schedule.time_zone)).replace(tzinfo=None)
        return any(
            self.start <= local - datetime.combine(day, MIDNIGHT) < self.end and self.starts_on(day)
            for day in (local.date(), local.date() - DAY)
        )

    def starts_on(self, day: date) -> bool:
        return self.in_bounds(day) and self.in_interval(day) and self.on_listed_day(day)

    def in_bounds(self, day: date) -> bool:
        s = self.schedule
        starts = [bound for bound in (s.valid_from, s.dtstart) if bound]
        ends = [bound for bound in (s.valid_to, s.until) if bound]
        return all(bound <= day for bound in starts) and all(day <= bound for bound in ends)

    def in_interval(self, day: date) -> bool:
        first, interval = self.schedule.dtstart, self.schedule.interval
        if interval == 1:
            return True
        if self.monthly:
            return ((day.year - first.year) * 12 + day.month - first.month) % interval == 0
        weeks = (_week_of(day, self.week_start) - _week_of(first, self.week_start)).days // 7
        return weeks % interval == 0

    def on_listed_day(self, day: date) -> bool:
        # With both lists, BYDAY limits BYMONTHDAY (RFC 5545): FR + 13 is Friday the 13th.
        return (not self.byday or any(_nth_weekday(day, n, wd) for n, wd in self.byday)) and (
            not self.monthdays or any(_month_day(day, m) for m in self.monthdays)
        )


@functools.lru_cache(maxsize=4096)
def rule(s: Schedule) -> _Rule | None:
    """Parse a schedule, or None when Haven cannot tell its hours from it."""
    freq = s.freq or ("WEEKLY" if s.byday else None)
    window = _window(s.opens_at, s.closes_at)
    if freq not in ("WEEKLY", "MONTHLY") or window is None or (s.interval > 1 and not s.dtstart):
        return None
    monthly = freq == "MONTHLY"
    try:
        byday = _byday(s.byday)
        monthdays = _monthdays(s.bymonthday) if monthly else ()
        week_start = WEEKDAYS.index(s.wkst or "MO")
    except ValueError:
        return None
    if not monthly and any(n for n, _ in byday):
        return None
    if not byday and not monthdays:  # RFC 5545: the day then comes from DTSTART.
        if s.dtstart is None:
            return None
        byday = () if monthly else ((0, s.dtstart.weekday()),)
        monthdays = (s.dtstart.day,) if monthly else ()
    return _Rule(s, *window, monthly, byday, monthdays, week_start)


def _window(opens: time | None, closes: time | None) -> tuple[timedelta, timedelta] | None:
    """Opening and closing as offsets from local midnight, or None when unknown."""
    # No times means all day; a lone time only counts when it completes a whole day
    # (00:00 to nothing); anything else with one time missing is unknown.
    if opens is None or closes is None:
        whole_day = (opens or MIDNIGHT) == MIDNIGHT and (closes or MIDNIGHT) in END_OF_DAY
        return (timedelta(0), DAY) if whole_day else None
    start = _since_midnight(opens)
    # 23:59 is how many publishers write midnight; closing at or before opening is overnight.
    end = DAY if closes in END_OF_DAY - {MIDNIGHT} else _since_midnight(closes)
    return start, end + DAY if end <= start else end


def _byday(value: str | None) -> tuple[tuple[int, int], ...]:
    """Parse "MO,-1FR" into (occurrence in month, weekday) pairs; occurrence 0 means all."""
    matches = [BYDAY_PART.fullmatch(part) for part in value.split(",")] if value else []
    if not all(matches):
        raise ValueError(f"byday {value!r}")
    return tuple((int(m[1] or 0), WEEKDAYS.index(m[2])) for m in matches)


def _monthdays(value: str | None) -> tuple[int, ...]:
    days = tuple(int(part) for part in value.split(",")) if value else ()
    if not all(1 <= abs(day) <= 31 for day in days):
        raise ValueError(f"bymonthday {value!r}")
    return days


def _nth_weekday(day: date, n: int, weekday: int) -> bool:
    if day.weekday() != weekday:
        return False
    if n < 0:
        return (calendar.monthrange(day.year, day.month)[1] - day.day) // 7 + 1 == -n
    return n == 0 or (day.day - 1) // 7 + 1 == n


def _month_day(day: date, monthday: int) -> bool:
    length = calendar.monthrange(day.year, day.month)[1]
    return day.day == (monthday if monthday > 0 else length + monthday + 1)


def _week_of(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)


def _text(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _code(value: object) -> str | None:
    return (_text(value) or "").upper().replace(" ", "") or None


def _read(fields: dict, name: str, parse: Callable[[str], T]) -> T | None:
    text = _text(fields.get(name))
    try:
        return parse(text) if text else None
    except ValueError:
        raise ScheduleError(name, text) from None


def _wall_clock(text: str) -> time:
    # Some publishers write midnight at the end of the day as 24:00, which ISO parsers refuse.
    return MIDNIGHT if text[:5] == "24:00" else time.fromisoformat(text).replace(tzinfo=None)


def _whole_number(text: str) -> int:
    number = float(text)
    if not number.is_integer() or number < 1:
        raise ValueError(text)
    return int(number)
