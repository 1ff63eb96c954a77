"""The weekly-hours index: when each service opens, as seconds of its local week.

"Open now" and "open round the clock" become index lookups on `service_hours` instead of
reading every candidate's schedules at search time. The rows say exactly what
`webapp.directory.hours` says of the same schedules (tests/unit/directory/test_weekly.py
compares them): an opening belongs to the local day it starts, valid_from/dtstart and
valid_to/until bound that day, and a schedule is read in the zone of its service's first
address with a known postal code, else in the deployment's TIME_ZONE (a row's `zone` is then
None, so changing TIME_ZONE needs no rebuild).

`rebuild` runs wherever schedules or addresses are written: an import, an approved change,
the migration that made the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from webapp.directory import derived, geo, hours, hsds
from webapp.directory.errors import ScheduleError
from webapp.directory.models import ServiceHours
from webapp.directory.tables import TABLES
from webapp.directory.values import to_text

DAY_SECONDS = 86_400
# What decides whether a schedule is open: its shape, without its ids or its description.
OPENING_FIELDS = (
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "wkst",
    "opens_at",
    "closes_at",
    *hours.DATE_FIELDS,
)
EMPTY = dict.fromkeys(("day", "opens", "closes", "valid_from", "valid_to", "schedule_id")) | {
    "whole_day": False
}
PARSING_ZONE = "UTC"  # a rule's days and times do not depend on its zone


def rebuild(session: Session, service_ids: Iterable[str] | None = None) -> int:
    """Rewrite the weekly hours of these services (every service when None); rows written."""
    return derived.rebuild(session, ServiceHours, service_ids, _rebuild_batch)


def _rebuild_batch(session: Session, ids: list[str]) -> int:
    schedules = TABLES["schedule"]
    zones = service_zones(session, ids)
    query = select(schedules).where(schedules.c.service_id.in_(ids)).order_by(schedules.c.id)
    rows = [
        made
        for schedule in session.execute(query)
        for made in rows_of(schedule._mapping, zones.get(schedule.service_id))
    ]
    if rows:
        session.execute(insert(ServiceHours), rows)
    return len(rows)


def service_zones(session: Session, ids: list[str]) -> dict[str, str | None]:
    """Each service's zone: that of its first address (by id) with a postal code we place."""
    addresses, links = TABLES["address"], TABLES["service_at_location"]
    query = (
        select(links.c.service_id, addresses.c.postal_code)
        .join(addresses, links.c.location_id == addresses.c.location_id)
        .where(links.c.service_id.in_(ids), addresses.c.postal_code.is_not(None))
        .order_by(addresses.c.id)
    )
    first: dict[str, str] = {}
    for service_id, postal_code in session.execute(query):
        first.setdefault(service_id, postal_code)
    zones = {}
    for service_id, postal_code in first.items():
        place = geo.find_postcode(postal_code) if postal_code else None
        zones[service_id] = place.time_zone if place else None
    return zones


def read_schedule(values, zone: str) -> hours.Schedule | None:
    """A stored schedule row as `hours` reads it, or None when it cannot be read."""
    fields = {f.name: f for f in hsds.tabular_layout()["schedule"].fields}
    texts = {name: to_text(fields[name], values[name]) for name in OPENING_FIELDS}
    try:
        return hours.Schedule.from_hsds(texts, zone)
    except ScheduleError:
        return None


def rows_of(values, zone: str | None) -> list[dict]:
    """The `service_hours` rows of one stored schedule row."""
    schedule = read_schedule(values, zone or PARSING_ZONE)
    parsed = hours.rule(schedule) if schedule else None
    if parsed is None:  # hours cannot tell: never open, never round the clock
        return []
    base = dict(EMPTY, service_id=values["service_id"], zone=zone)
    if parsed.monthly or schedule.interval > 1:
        return [base | {"schedule_id": values["id"]}]
    starts = [bound for bound in (schedule.valid_from, schedule.dtstart) if bound]
    ends = [bound for bound in (schedule.valid_to, schedule.until) if bound]
    opens, closes = (int(moment.total_seconds()) for moment in (parsed.start, parsed.end))
    base |= {
        "whole_day": (opens, closes) == (0, DAY_SECONDS),
        "valid_from": max(starts, default=None),
        "valid_to": min(ends, default=None),
    }
    return [
        base
        | {"day": day, "opens": day * DAY_SECONDS + opens, "closes": day * DAY_SECONDS + closes}
        for day in sorted({weekday for _n, weekday in parsed.byday})
    ]


def _valid_on(day: date):
    return and_(
        or_(ServiceHours.valid_from.is_(None), ServiceHours.valid_from <= day),
        or_(ServiceHours.valid_to.is_(None), ServiceHours.valid_to >= day),
    )


def _in_zone(zone: str | None):
    return ServiceHours.zone.is_(None) if zone is None else ServiceHours.zone == zone


def _local(now: datetime, zone: str | None, default_zone: str) -> datetime:
    return now.astimezone(hours.zone_of(zone or default_zone)).replace(tzinfo=None)


# The zones the table holds, one index probe each (a "loose index scan" of the index on zone):
# reading every row to group them cost a quarter of a second at 100,000 services.
ZONES = text(
    "WITH RECURSIVE zones(zone) AS ("
    " SELECT min(zone) FROM service_hours"
    " UNION ALL"
    " SELECT (SELECT min(zone) FROM service_hours WHERE zone > zones.zone)"
    " FROM zones WHERE zones.zone IS NOT NULL"
    ") SELECT zone FROM zones WHERE zone IS NOT NULL"
    " UNION ALL SELECT NULL WHERE EXISTS (SELECT 1 FROM service_hours WHERE zone IS NULL)"
)


def zones_in_use(session: Session) -> dict[str | None, bool]:
    """The zones the table holds, each with whether it holds rules read at search time."""
    # Not DISTINCT: SQLite would then read the index on zone whole, in order, for a few rows.
    ruled = select(ServiceHours.zone).where(ServiceHours.schedule_id.is_not(None))
    with_rules = set(session.scalars(ruled))
    return {zone: zone in with_rules for zone in session.scalars(ZONES)}


def open_at(session: Session, now: datetime, default_zone: str, zones: dict) -> list:
    """SQL conditions (any one) for the `service_hours` rows of openings under way at `now`;
    the rules read at search time are checked here, and their services named."""
    conditions = []
    for zone in zones:
        local = _local(now, zone, default_zone)
        today = local.date()
        into_day = int((local - datetime.combine(today, hours.MIDNIGHT)).total_seconds())
        for started, back in ((today, 0), (today - hours.DAY, DAY_SECONDS)):
            second = started.weekday() * DAY_SECONDS + back + into_day
            conditions.append(
                and_(
                    _in_zone(zone),
                    ServiceHours.day == started.weekday(),
                    ServiceHours.opens <= second,
                    ServiceHours.closes > second,
                    _valid_on(started),
                )
            )
    ruled = _open_by_rule(session, now, default_zone, [z for z, has in zones.items() if has])
    if ruled:
        conditions.append(ServiceHours.service_id.in_(sorted(ruled)))
    return conditions


def _open_by_rule(session, now: datetime, default_zone: str, zones: list) -> set[str]:
    if not zones:
        return set()
    schedules = TABLES["schedule"]
    query = select(ServiceHours.zone, schedules).join(
        schedules, schedules.c.id == ServiceHours.schedule_id
    )
    found = set()
    for row in session.execute(query):
        schedule = read_schedule(row._mapping, row.zone or default_zone)
        if schedule and hours.is_open([schedule], now):
            found.add(row.service_id)
    return found


def open_now(session: Session, now: datetime, default_zone: str, zones: dict):
    """SELECT of the ids of services open at `now` (`zones` as `zones_in_use` gives them)."""
    conditions = open_at(session, now, default_zone, zones)
    return select(ServiceHours.service_id).where(or_(False, *conditions))


def round_the_clock(now: datetime, default_zone: str, zones: dict):
    """SELECT of the ids of services whose whole-day weekly openings valid today (in their
    zone) cover all seven days."""
    valid = [
        and_(_in_zone(zone), _valid_on(_local(now, zone, default_zone).date())) for zone in zones
    ]
    return (
        select(ServiceHours.service_id)
        .where(ServiceHours.whole_day.is_(True), or_(False, *valid))
        .group_by(ServiceHours.service_id)
        .having(func.count(ServiceHours.day.distinct()) == 7)
    )
