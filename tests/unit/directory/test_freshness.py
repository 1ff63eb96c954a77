"""When a listing counts as stale, how long ago it was confirmed, the worker's round repeated,
and the survivor's search putting confirmed listings first in every order but nearest-first."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from tests import factories
from webapp.directory import finder, freshness
from webapp.directory.tables import TABLES

TODAY = date(2027, 7, 6)


@pytest.mark.parametrize(
    ("assured", "stale"),
    [
        (None, True),
        (date(2027, 1, 7), True),  # 180 days: stale from that day
        (date(2027, 1, 8), False),  # 179 days
        (TODAY, False),
    ],
)
def test_a_listing_is_stale_from_the_180th_day_or_when_never_confirmed(assured, stale):
    assert freshness.is_stale(assured, TODAY, 180) is stale


@pytest.mark.parametrize(
    ("assured", "months"),
    [
        (date(2027, 1, 6), 6),
        (date(2027, 1, 7), 5),  # a day short of six months
        (date(2026, 7, 6), 12),
        (date(2027, 6, 20), 1),  # never "0 months ago"
    ],
)
def test_months_since_counts_whole_months(assured, months):
    assert freshness.months_since(assured, TODAY) == months


def shelter(db, name: str, assured: date | None, *, point=(39.80, -89.64)) -> str:
    """A service open round the clock at a point, confirmed on `assured`."""
    service_id = factories.service(db, name=name, description="Open all night, lantern room.")
    factories.location(db, service_id, point=point)
    services = TABLES["service"]
    db.execute(update(services).where(services.c.id == service_id).values(assured_date=assured))
    factories.schedule(
        db,
        service_id,
        freq="WEEKLY",
        byday="MO,TU,WE,TH,FR,SA,SU",
        opens_at="00:00",
        closes_at="23:59",
    )
    return service_id


def names(answer: finder.Answer) -> list[str]:
    return [str(result.name) for result in answer.results]


def test_confirmed_listings_come_first_except_nearest_first(db):
    shelter(db, "Alder house", date(2026, 1, 1), point=(39.80, -89.64))
    shelter(db, "Beech house", TODAY, point=(39.90, -89.64))
    shelter(db, "Cherry house", None, point=(39.81, -89.64))
    since = freshness.cutoff(TODAY, 180)
    now = factories.NOW.replace(year=2027, month=7, day=6)

    def find(**query):
        return names(
            finder.find(
                db,
                finder.Query(text="lantern", **query),
                locale="en",
                now=now,
                time_zone="America/Chicago",
                stale_since=since,
            )
        )

    assert find() == ["Beech house", "Alder house", "Cherry house"]
    assert find(open_now=True) == ["Beech house", "Alder house", "Cherry house"]
    assert find(round_the_clock=True) == ["Beech house", "Alder house", "Cherry house"]
    assert find(latitude=39.80, longitude=-89.64) == ["Alder house", "Cherry house", "Beech house"]
    unranked = finder.find(
        db, finder.Query(text="lantern"), locale="en", now=now, time_zone="America/Chicago"
    )
    assert names(unranked) == ["Alder house", "Beech house", "Cherry house"], "without a cutoff"


def test_the_round_repeated_flags_and_notices_nothing_twice(db, db_app):
    organization = factories.organization(db, name="Riverside")
    service_id = factories.service(db, organization_id=organization, name="Night line")
    editor = factories.editor(db, db_app.config["HAVEN_SETTINGS"], [organization])
    rounds = [
        freshness.tick(
            db, today=TODAY, now=factories.NOW, stale_after_days=180, unpublish_after_days=0
        )
        for _ in range(2)
    ]
    assert [(n.user_id, n.service_id) for n in rounds[0].notices] == [(editor.id, service_id)]
    assert rounds[1].notices == [] and rounds[1].unpublished == []
    freshness.confirm(db, service_id, today=TODAY, now=factories.NOW)
    again = freshness.tick(
        db, today=TODAY, now=factories.NOW, stale_after_days=180, unpublish_after_days=0
    )
    assert again.notices == [], "confirmed today: not stale"
