"""What the public may see of the directory: one rule for the finder, the API and the portal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from tests import factories
from webapp.directory import listing
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
