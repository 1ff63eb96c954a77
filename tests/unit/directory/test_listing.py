"""What the public may see of the directory: one rule for the finder, the API and the portal."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy import text, update

from tests import factories
from webapp.directory import listing, search
from webapp.directory.models import ServiceStaleness
from webapp.directory.tables import TABLES


def test_only_active_services_that_are_not_drafts_are_published(db):
    shown = factories.service(db, name="Open door")
    closed = factories.service(db, name="Closed door", status="inactive")
    hidden = factories.service(db, name="Draft door", draft=True)
    published = set(db.scalars(listing.published("service")))
    assert shown in published and not published & {closed, hidden}
    assert listing.is_published(db, "service", shown)
    assert not listing.is_published(db, "service", closed)
    assert not listing.is_published(db, "service", hidden)
    assert not listing.is_published(db, "service", "no-such-id")


def test_service_filters_narrow_the_published_services(db):
    mine = factories.organization(db, name="Mine")
    legal = factories.service(db, name="Legal clinic", organization_id=mine)
    shelter = factories.service(db, name="Night shelter", organization_id=mine)
    elsewhere = factories.service(db, name="Legal line")
    factories.service(db, name="Legal draft", organization_id=mine, draft=True)

    def ids(**wanted) -> list[str]:
        return list(db.scalars(listing.service_ids(db, listing.ServiceFilter(**wanted))))

    assert set(ids(organization_id=mine)) == {legal, shelter}
    assert set(ids(search="legal")) >= {legal, elsewhere}
    assert ids(search="legal", organization_id=mine) == [legal]
    services = TABLES["service"]
    db.execute(
        update(services)
        .where(services.c.id == legal)
        .values(last_modified=datetime(2030, 1, 1, tzinfo=UTC))
    )
    assert ids(modified_after=datetime(2029, 12, 31, tzinfo=UTC)) == [legal]


WORDS = ("shelter", "legal", "aid", "counselling", "children", "night", "court")


def _reference(db, wanted: listing.ServiceFilter, hidden: set[str], category: set[str]) -> list:
    """The ranking as the search was first written: every match joined to its service, the
    rank computed by the database, published and filtered here, best first, then by id."""
    expression = search.matching(db, wanted.search).expression
    if db.get_bind().dialect.name == "postgresql":
        ranked = text(
            "SELECT s.service_id, ts_rank(s.body_tsv, to_tsquery('simple', :e)), v.organization_id"
            " FROM service_search s JOIN services v ON v.id = s.service_id"
            " WHERE s.body_tsv @@ to_tsquery('simple', :e)"
        )
    else:
        ranked = text(
            "SELECT s.service_id, -bm25(service_search_fts), v.organization_id"
            " FROM service_search_fts f JOIN service_search s ON s.id = f.rowid"
            " JOIN services v ON v.id = s.service_id WHERE service_search_fts MATCH :e"
        )
    rows = [
        (rank, service_id)
        for service_id, rank, organization_id in db.execute(ranked, {"e": expression})
        if service_id not in hidden
        and (not wanted.taxonomy_term_id or service_id in category)
        and (not wanted.organization_id or organization_id == wanted.organization_id)
    ]
    return [service_id for _rank, service_id in sorted(rows, key=lambda r: (-r[0], r[1]))]


def test_every_page_of_a_search_is_the_reference_ranking_without_the_hidden_services(db):
    """Generated services with few words (many equal ranks, broken by id), drafts, inactive
    and unpublished ones, a category and an organization: page after page, the search gives
    exactly the reference's services in the reference's order, and counts them exactly."""
    rng = random.Random(15)  # noqa: S311 (reproducible test data)
    mine = factories.organization(db, name="Mine")
    term = factories.category(db)
    hidden, category = set(), set()
    for number in range(120):
        words = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
        kind = rng.random()
        service_id = factories.service(
            db,
            name=f"Place {number}",
            description=words,
            organization_id=mine if number % 3 == 0 else None,
            status="inactive" if kind < 0.08 else "active",
            draft=0.08 <= kind < 0.16,
        )
        if 0.16 <= kind < 0.22:
            db.add(
                ServiceStaleness(
                    service_id=service_id,
                    flagged_on=date(2026, 1, 1),
                    unpublished_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            )
        if kind < 0.22:
            hidden.add(service_id)
        if rng.random() < 0.4:
            category.add(service_id)
            factories.put_in(db, service_id, term)
    db.flush()
    assert hidden and category
    for words in ("shelter", "legal aid", "counsel", "night court", "children shelter"):
        for extra in ({}, {"taxonomy_term_id": term}, {"organization_id": mine}):
            wanted = listing.ServiceFilter(search=words, **extra)
            expected = _reference(db, wanted, hidden, category)
            found, page, total = [], 1, None
            while page == 1 or len(found) < total:
                chosen, total = listing.service_page(db, wanted, page, 7)
                assert chosen, (words, extra, page)
                found += chosen
                page += 1
            assert found == expected and total == len(expected), (words, extra)
            assert listing.service_page(db, wanted, page + 3, 7) == ([], total)
