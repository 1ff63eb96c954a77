"""What the public may see of the directory, and the filters every public list shares.

"Published" is decided here once, for the survivor's search, the HSDS API and the portal: a
record is published unless its record setting says draft, and a service also needs the HSDS
status `active` (inactive, defunct and temporarily closed services are not offered) and not to
have been unpublished for going unconfirmed too long (webapp.directory.freshness).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import CompoundSelect, Select, func, select, union_all
from sqlalchemy.orm import Session

from webapp.db import one_of
from webapp.directory import geo, search, translated
from webapp.directory.exchange import PRIVACY, nested
from webapp.directory.models import LocationPrivacy, RecordSetting, ServiceStaleness
from webapp.directory.tables import TABLES

ACTIVE = "active"


def drafts(resource: str) -> Select:
    """The ids of this resource's records kept from the public (HSDS table name, e.g. service)."""
    return select(RecordSetting.record_id).where(
        RecordSetting.resource == resource, RecordSetting.status == "draft"
    )


def published_conditions(resource: str) -> list:
    """The WHERE conditions a record of this resource (HSDS table name) must meet to be shown."""
    table = TABLES[resource]
    if resource == "service":
        return _published_only(table.c.id)
    return [table.c.id.not_in(drafts(resource))]


def hidden_services() -> CompoundSelect:
    """The ids of the services kept from the public: drafts, services not `active`, and those
    unpublished for going unconfirmed too long (until a confirm).

    Few, and each part found by an index, so a search leaves them out of its matches without
    reading the services it finds.
    """
    services = TABLES["service"]
    return union_all(
        drafts("service"),
        # Two ranges rather than `!=`, which no index can answer.
        select(services.c.id).where(services.c.status < ACTIVE),
        select(services.c.id).where(services.c.status > ACTIVE),
        unpublished_services(),
    )


def unpublished_services() -> Select:
    """The ids of services unpublished for going unconfirmed too long (until a confirm)."""
    return select(ServiceStaleness.service_id).where(ServiceStaleness.unpublished_at.is_not(None))


def published(resource: str) -> Select:
    """The ids of this resource's records the public may see, in id order."""
    table = TABLES[resource]
    return select(table.c.id).where(*published_conditions(resource)).order_by(table.c.id)


def is_published(session: Session, resource: str, record_id: str) -> bool:
    table = TABLES[resource]
    query = published(resource).where(table.c.id == record_id)
    return session.scalar(query) is not None


@dataclass(frozen=True)
class ServiceFilter:
    """The HSDS API's service filters (all optional)."""

    search: str = ""
    organization_id: str = ""
    modified_after: datetime | None = None
    taxonomy_term_id: str = ""


def service_ids(session: Session, wanted: ServiceFilter) -> Select:
    """The ids of the published services `wanted` selects, best match first, then by id."""
    return _ordered(search.matching(session, wanted.search, ranked_apart=True), _filters(wanted))


def _ordered(match: search.Match | None, filters: search.Filters) -> Select:
    if match is None:
        services = TABLES["service"]
        return select(services.c.id).where(*filters(services.c.id)).order_by(services.c.id)
    return (
        select(match.service_id)
        .select_from(match.documents)
        .where(match.condition, *match.filtered(filters))
        .order_by(*match.best_first, match.service_id)
    )


def service_page(
    session: Session, wanted: ServiceFilter, page: int, per_page: int
) -> tuple[list[str], int]:
    """One page of `service_ids`, and how many there are in all (exactly).

    With words, the match is ranked and counted from the search documents alone (the services
    are read only for a filter on their own fields), and the count rides along with the page:
    one pass over the matches, not two. A page past the last one counts apart.
    """
    match = search.matching(session, wanted.search, ranked_apart=True)
    filters = _filters(wanted)
    query = _ordered(match, filters)
    if match is None:
        chosen, total, _more = search.page_of(session, query, page, per_page)
        return chosen, total
    rows = session.execute(
        query.add_columns(func.count().over()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    if page == 1:
        return [], 0
    return [], session.scalar(select(func.count()).select_from(match.count_of(filters).subquery()))


def _published_only(service_id) -> list:
    """The condition on a column of service ids that keeps the published services only."""
    return [service_id.not_in(hidden_services())]


def published_in(sets: list[Select]) -> search.Filters:
    """Filters keeping the published services that are in every one of `sets` (SELECTs of
    service ids), whatever column of service ids they are put to."""
    return lambda service_id: _published_only(service_id) + [service_id.in_(s) for s in sets]


def _filters(wanted: ServiceFilter) -> search.Filters:
    """Published, and what `wanted` asks for."""
    services = TABLES["service"]
    sets = []
    own = []
    if wanted.organization_id:
        own.append(services.c.organization_id == wanted.organization_id)
    if wanted.modified_after is not None:
        own.append(services.c.last_modified >= wanted.modified_after.astimezone(UTC))
    if own:
        sets.append(select(services.c.id).where(*own))
    if wanted.taxonomy_term_id:
        attributes = TABLES["attribute"]
        sets.append(
            select(attributes.c.link_id).where(
                attributes.c.taxonomy_term_id == wanted.taxonomy_term_id
            )
        )
    return published_in(sets)


def service_at_location_ids(
    session: Session,
    wanted: ServiceFilter,
    near: tuple[float, float] | None,
    within_km: float | None,
) -> list[str]:
    """Links of the selected services to their places; near a point, nearest first.

    A place without coordinates (a hidden shelter has none) is never near anything.
    """
    links, locations = TABLES["service_at_location"], TABLES["location"]
    chosen = set(session.scalars(service_ids(session, wanted)))
    query = (
        select(links.c.id, links.c.service_id, locations.c.latitude, locations.c.longitude)
        .join(locations, links.c.location_id == locations.c.id)
        .order_by(links.c.id)
    )
    rows = [row for row in session.execute(query) if row.service_id in chosen]
    if near is None:
        return [row.id for row in rows]
    return [row.id for row in _nearest(rows, near, within_km)]


def _nearest(rows: Iterable, origin: tuple[float, float], within_km: float | None) -> list:
    placed = [
        (geo.distance_km(*origin, row.latitude, row.longitude), row)
        for row in rows
        if row.latitude is not None and row.longitude is not None
    ]
    return [
        row
        for km, row in sorted(placed, key=lambda pair: (pair[0], pair[1].id))
        if within_km is None or km <= within_km
    ]


@dataclass
class PublicTree:
    """Records with everything nested in them (rows by table), and the languages of their texts:
    how many translatable texts of each language they hold (empty when not asked for one)."""

    rows: dict
    languages: Counter[str] = field(default_factory=Counter)


def public_tree(session: Session, table: str, ids: set[str], *, language: str | None) -> PublicTree:
    """These records with everything nested in them, as the public may see them.

    In `language` where a translation exists (records as written when None). Confidential
    places carry their visibility and public area, never their exact place.
    """
    rows = nested.load_tree(session, table, ids)
    languages: Counter[str] = Counter()
    if language is not None:
        languages = translated.localize(session, rows, language, [t for t in rows if t in TABLES])
    location_ids = [row["id"] for row in rows.get("location", [])]
    privacy = session.scalars(
        select(LocationPrivacy).where(one_of(session, LocationPrivacy.location_id, location_ids))
    )
    rows[PRIVACY] = [
        {"location_id": p.location_id, "visibility": p.visibility, "public_area": p.public_area}
        for p in privacy
    ]
    return PublicTree(rows, languages)
