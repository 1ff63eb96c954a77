"""The weekly-hours index says what the schedule rules say: open now, round the clock.

The rules (`webapp.directory.hours`, read per schedule in the zone of the service's first
address with a known ZIP code, else TIME_ZONE) are the reference; the index must give the same
services at every instant tried: on the seed directory and on generated schedules with
overnight hours, whole days, dates they hold from and to, monthly rules, every other week,
unreadable rows and services in six zones, across the spring daylight-saving change.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from tests import factories
from webapp.db import new_id, session_scope
from webapp.directory import geo, hours, weekly
from webapp.directory.models import ServiceHours
from webapp.directory.tables import TABLES

DEFAULT_ZONE = "America/Chicago"
ZIPS = ("10001", "60614", "94110", "80202", "85004", "96813")  # NY, Chicago, SF, Denver, AZ, HI
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Around the US spring change (2027-03-14), at odd minutes and on the quarter hours.
START = datetime(2027, 3, 10, 0, 0, tzinfo=UTC)
INSTANTS = [START + timedelta(minutes=53 * n) for n in range(170)] + [
    START + timedelta(days=4, hours=h, minutes=m) for h in range(24) for m in (0, 15, 30, 59)
]


def by_rules(session, now: datetime) -> tuple[set[str], set[str]]:
    """The services open at `now`, and those open round the clock, as the rules read them."""
    schedules, addresses = TABLES["schedule"], TABLES["address"]
    links = TABLES["service_at_location"]
    first_zip: dict[str, str] = {}
    for service_id, code in session.execute(
        select(links.c.service_id, addresses.c.postal_code)
        .join(addresses, addresses.c.location_id == links.c.location_id)
        .where(addresses.c.postal_code.is_not(None))
        .order_by(addresses.c.id)
    ):
        first_zip.setdefault(service_id, code)
    opened, days = set(), {}
    for row in session.execute(select(schedules)):
        place = (
            geo.find_postcode(first_zip[row.service_id]) if row.service_id in first_zip else None
        )
        zone = place.time_zone if place else DEFAULT_ZONE
        schedule = weekly.read_schedule(row._mapping, zone)
        if schedule is None:
            continue
        if hours.is_open([schedule], now):
            opened.add(row.service_id)
        today = now.astimezone(hours.zone_of(zone)).date()
        days.setdefault(row.service_id, set()).update(hours.whole_days([schedule], today))
    return opened, {service_id for service_id, found in days.items() if len(found) == 7}


def by_index(session, now: datetime) -> tuple[set[str], set[str]]:
    zones = weekly.zones_in_use(session)
    opened = set(session.scalars(weekly.open_now(session, now, DEFAULT_ZONE, zones)))
    always = set(session.scalars(weekly.round_the_clock(now, DEFAULT_ZONE, zones)))
    return opened, always


def assert_same_answers(session, instants=INSTANTS) -> int:
    """Compare at every instant; the number of (instant, open service) pairs seen."""
    seen = 0
    for now in instants:
        expected = by_rules(session, now)
        assert by_index(session, now) == expected, now
        seen += len(expected[0])
    return seen


def test_the_seed_directory_reads_the_same_from_the_index(seeded_app):
    with session_scope(seeded_app) as session:
        assert session.scalar(select(func.count()).select_from(ServiceHours)) > 0
        seen = assert_same_answers(session)
        assert seen > 0, "some seed service is open at some instant tried"


def clock_time(rng: random.Random) -> str | None:
    return rng.choice(
        [
            None,
            "00:00",
            "23:59",
            "24:00",
            f"{rng.randrange(24):02d}:{rng.choice(('00', '15', '30', '45'))}",
        ]
    )


def generated_schedule(rng: random.Random) -> dict:
    """A schedule row of one of the shapes publishers write (some unreadable on purpose)."""
    day = START.date() + timedelta(days=rng.randrange(-3, 12))
    kind = rng.choice(("weekly", "weekly", "weekly", "whole", "monthly", "fortnight", "bad"))
    values: dict = {"freq": "WEEKLY"}
    if kind in ("weekly", "whole", "fortnight"):
        chosen = [d for d in DAYS if rng.random() < 0.6] or ["MO"]
        values["byday"] = ",".join(DAYS if kind == "whole" and rng.random() < 0.7 else chosen)
    if kind == "whole":
        values |= {"opens_at": "00:00", "closes_at": rng.choice(("23:59", "00:00", None))}
    else:
        values |= {"opens_at": clock_time(rng), "closes_at": clock_time(rng)}
    if kind == "monthly":
        values |= {"freq": "MONTHLY"}
        values |= rng.choice(({"byday": "-1FR"}, {"byday": "2MO,3WE"}, {"bymonthday": "10,-1"}))
    if kind == "fortnight":
        values |= {"interval": 2, "dtstart": day}
    if kind == "bad":
        values |= rng.choice(({"byday": "XX"}, {"freq": "DAILY"}, {"bymonthday": "40"}))
    if rng.random() < 0.3:
        values["valid_from"] = day
    if rng.random() < 0.3:
        values["valid_to"] = day + timedelta(days=rng.randrange(0, 6))
    if rng.random() < 0.1:
        values["until"] = day + timedelta(days=2)
    return values


def generate(session, rng: random.Random, count: int) -> list[str]:
    services = []
    for n in range(count):
        service_id = factories.service(session, name=f"Generated {n}")
        if rng.random() < 0.8:
            factories.location(session, service_id, postal_code=rng.choice(ZIPS))
        for _ in range(rng.choice((1, 1, 2, 3))):
            values = generated_schedule(rng)
            session.execute(
                TABLES["schedule"].insert().values(id=new_id(), service_id=service_id, **values)
            )
        services.append(service_id)
    return services


def test_generated_schedules_read_the_same_from_the_index(db):
    rng = random.Random(15)  # noqa: S311 (reproducible test data)
    generate(db, rng, 120)
    weekly.rebuild(db)
    kinds = db.execute(
        select(
            func.count(ServiceHours.schedule_id),
            func.count(ServiceHours.valid_to),
            func.count(ServiceHours.id),
        )
    ).one()
    assert all(kinds), "rules, dated rows and weekly rows are all in the index"
    assert assert_same_answers(db) > 0


def test_the_index_follows_changed_schedules_and_places(db):
    rng = random.Random(16)  # noqa: S311 (reproducible test data)
    services = generate(db, rng, 40)
    weekly.rebuild(db)
    schedules, addresses = TABLES["schedule"], TABLES["address"]
    links = TABLES["service_at_location"]
    changed = services[::3]
    db.execute(delete(schedules).where(schedules.c.service_id.in_(changed)))
    for service_id in changed:
        values = generated_schedule(rng)
        db.execute(schedules.insert().values(id=new_id(), service_id=service_id, **values))
    moved = services[1::3]
    located = select(links.c.location_id).where(links.c.service_id.in_(moved))
    db.execute(
        update(addresses).where(addresses.c.location_id.in_(located)).values(postal_code="96813")
    )
    assert weekly.rebuild(db, changed + moved) >= 0
    assert_same_answers(db, INSTANTS[::4])
