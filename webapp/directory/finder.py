"""What a survivor's search returns: published services, in her language, nearest first.

Plain arguments in, plain results out (no request, no session cookie): the view decides what
comes from the form. A device location is used for this one answer and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from webapp.directory import freshness, geo, listing, search, weekly
from webapp.directory.errors import UnknownPostcode
from webapp.directory.results import Found, describe
from webapp.directory.tables import TABLES

PER_PAGE = 10
# Searches are counted this far (or a page past the one shown): "more than 1,000" is all a
# person needs, and counting every match of a common word at 100,000 services is not free.
COUNT_TO = 1000


@dataclass(frozen=True)
class Query:
    text: str = ""
    category: str = ""
    language: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    open_now: bool = False
    round_the_clock: bool = False
    page: int = 1


@dataclass
class Answer:
    results: list[Found]
    total: int
    page: int
    pages: int
    more: bool = False  # more than `total` services match (and more than `pages` pages)


def find(
    session: Session,
    query: Query,
    *,
    locale: str,
    now: datetime,
    time_zone: str,
    stale_since: date | None = None,
) -> Answer:
    """One page of matching services; raise UnknownPostcode for a postal code we cannot place.

    With `stale_since` (a freshness.cutoff), services last confirmed on that day or before come
    after the confirmed ones, except near a place, where the nearest comes first whatever its
    age (its page tells her to call before going).

    Without a place the database filters (open now and round the clock from the weekly-hours
    index), counts, orders and pages. Near a place, only the places around it are read while
    they fill the page; only a last page reads every candidate's place.
    """
    candidates, order, counted = _candidates(session, query, stale_since, now, time_zone)
    origin = _origin(query)
    if origin is not None:
        nearest = _nearest_page(session, candidates, counted, origin, query.page)
        if nearest is not None:
            distances, total, page, more = nearest
            results = describe(session, list(distances), locale=locale)
            for result in results:
                result.distance_km = distances[result.id]
                result.open_now = True if query.open_now else None
            return Answer(results, total, page, _pages(total, page)[0], more)
        return _all_by_distance(session, candidates, order, origin, query, locale)
    ordered = select(candidates.c.id).order_by(*order)
    counting = {"count_to": COUNT_TO, "counted": counted}
    wanted = max(query.page, 1)
    chosen, total, more = search.page_of(session, ordered, wanted, PER_PAGE, **counting)
    pages, page = _pages(total, wanted)
    if not chosen and total:  # past the last page (counted exactly): show the last one
        chosen, total, more = search.page_of(session, ordered, page, PER_PAGE, **counting)
    results = describe(session, chosen, locale=locale)
    for result in results:
        result.open_now = True if query.open_now else None
    return Answer(results, total, page, pages, more)


def _all_by_distance(session, candidates, order, origin, query: Query, locale: str) -> Answer:
    """Every candidate's place read, nearest first, then those without one (by name)."""
    rows = session.execute(select(candidates.c.id, candidates.c.name).order_by(*order))
    names = dict(rows.all())  # not dict(rows): a Result has keys(), its column names
    distances = _distances(session, candidates, origin)
    ids = sorted(names, key=lambda i: (i not in distances, distances.get(i, 0.0), names[i], i))
    pages, page = _pages(len(ids), query.page)
    results = describe(session, ids[(page - 1) * PER_PAGE : page * PER_PAGE], locale=locale)
    for result in results:
        result.distance_km = distances.get(result.id)
        result.open_now = True if query.open_now else None
    return Answer(results, len(ids), page, pages)


# From a town's centre outwards: in a city a page is often found within a few kilometres.
SEARCH_RADII_KM = (3, 10, 25, 100, 400, 1600)


def _nearest_page(
    session: Session, candidates, counted: Select, origin: tuple[float, float], wanted: int
):
    """The page's services nearest `origin` by distance, read from ever wider boxes around it.

    Every service within `radius` of the origin lies in the box, so once the box holds a full
    page of them no service outside can come earlier. None when even the widest box cannot
    fill the page (the caller then reads every candidate's place). Candidates are counted as
    far as COUNT_TO or a page past the one asked for (the box is read from the index on
    latitude and longitude).
    """
    enough = max(COUNT_TO, max(wanted, 1) * PER_PAGE)
    total = session.scalar(select(func.count()).select_from(counted.limit(enough + 1).subquery()))
    more = total > enough
    total = min(total, enough)
    pages, page = _pages(total, wanted)
    needed = page * PER_PAGE
    if needed > total:  # the last page: it holds the services without a place, known only after
        return None
    links, locations = TABLES["service_at_location"], TABLES["location"]
    for radius in SEARCH_RADII_KM:
        south, north, west, east = geo.bounding_box(*origin, radius)
        rows = session.execute(
            select(candidates.c.id, candidates.c.name, locations.c.latitude, locations.c.longitude)
            .join(links, links.c.service_id == candidates.c.id)
            .join(locations, links.c.location_id == locations.c.id)
            .where(
                locations.c.latitude.between(south, north),
                locations.c.longitude.between(west, east),
            )
        )
        nearest: dict[str, tuple[float, str]] = {}
        for service_id, name, lat, lon in rows:
            km = geo.distance_km(*origin, lat, lon)
            if km <= radius and km < nearest.get(service_id, (km + 1, ""))[0]:
                nearest[service_id] = (km, name)
        if len(nearest) >= needed:
            ranked = sorted(nearest.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
            chosen = ranked[needed - PER_PAGE : needed]
            return {service_id: km for service_id, (km, _name) in chosen}, total, page, more
    return None


def _pages(total: int, wanted: int) -> tuple[int, int]:
    """How many pages `total` results fill, and the page to show (the last one at most)."""
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return pages, min(max(wanted, 1), pages)


def _origin(query: Query) -> tuple[float, float] | None:
    if query.latitude is not None and query.longitude is not None:
        return query.latitude, query.longitude
    if query.postcode.strip():
        place = geo.find_postcode(query.postcode)
        if place is None:
            raise UnknownPostcode(query.postcode)
        return place.latitude, place.longitude
    return None


def _candidates(
    session: Session,
    query: Query,
    stale_since: date | None,
    now: datetime,
    time_zone: str,
):
    """The published services the query selects, as a subquery (id, name, rank, stale); its
    order: confirmed ones first, then best match, name and id; and the same services as a
    statement to count (without the rank, and with words from the search documents alone).

    Open now and round the clock are lookups in the weekly-hours index (webapp.directory.weekly).
    """
    services = TABLES["service"]
    match = search.matching(session, query.text)
    rank = match.rank if match is not None else literal(0.0)
    stale = literal(0)
    if stale_since:
        # Tied to the match's rank (times 0), so PostgreSQL sorts after the match: sorting every
        # service by staleness first led its planner into a loop over all of them, two to four
        # times slower at 100,000 services (bench/directory.py).
        stale = freshness.stale_order(stale_since) + 0 * rank
    columns = (services.c.id, services.c.name, rank.label("rank"), stale.label("stale"))
    filters = _filters(session, query, now, time_zone)
    if match is None:
        kept = filters(services.c.id)
        statement = select(*columns).where(*kept)
        counted = select(services.c.id).where(*kept)
    else:
        documents = match.documents.join(services, services.c.id == match.service_id)
        statement = (
            select(*columns).select_from(documents).where(match.condition, *match.filtered(filters))
        )
        counted = match.count_of(filters)
    candidates = statement.subquery("candidates")
    best_first = [candidates.c.rank.desc()] if match is not None else []
    order = [candidates.c.stale, *best_first, candidates.c.name, candidates.c.id]
    return candidates, order, counted


def _filters(session: Session, query: Query, now: datetime, time_zone: str) -> search.Filters:
    """Conditions on a column of service ids: published, and the query's filters (each a set
    of service ids, read here once whatever column they are put to)."""
    kept = []
    if query.category:
        attributes, terms = TABLES["attribute"], TABLES["taxonomy_term"]
        kept.append(
            select(attributes.c.link_id)
            .join(terms, attributes.c.taxonomy_term_id == terms.c.id)
            .where(terms.c.code == query.category)
        )
    if query.language:
        languages = TABLES["language"]
        kept.append(select(languages.c.service_id).where(languages.c.code == query.language))
    if query.open_now or query.round_the_clock:
        zones = weekly.zones_in_use(session)
        if query.open_now:
            kept.append(weekly.open_now(session, now, time_zone, zones))
        if query.round_the_clock:
            kept.append(weekly.round_the_clock(now, time_zone, zones))
    return listing.published_in(kept)


def _distances(session: Session, candidates, origin: tuple[float, float]) -> dict[str, float]:
    links, locations = TABLES["service_at_location"], TABLES["location"]
    rows = session.execute(
        select(links.c.service_id, locations.c.latitude, locations.c.longitude)
        .join(locations, links.c.location_id == locations.c.id)
        .join(candidates, candidates.c.id == links.c.service_id)
        .where(locations.c.latitude.is_not(None), locations.c.longitude.is_not(None))
    )
    nearest: dict[str, float] = {}
    for service_id, lat, lon in rows:
        km = geo.distance_km(origin[0], origin[1], lat, lon)
        nearest[service_id] = min(km, nearest.get(service_id, km))
    return nearest
