"""What a survivor's search returns: published services, in her language, nearest first.

Plain arguments in, plain results out (no request, no session cookie): the view decides what
comes from the form. A device location is used for this one answer and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from webapp.directory import freshness, geo, hours, hsds, listing, search
from webapp.directory.errors import ScheduleError, UnknownPostcode
from webapp.directory.results import Found, describe
from webapp.directory.tables import TABLES
from webapp.directory.values import to_text

PER_PAGE = 10


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

    Without a place or "open now" the database counts, orders and pages. Near a place, only
    the places around it are read while they fill the page. Otherwise every candidate's place or
    schedules come back, joined in SQL (no list of ids is ever sent in, whatever their number).
    """
    candidates, order = _candidates(session, query, stale_since)
    origin = _origin(query)
    by_hours = query.open_now or query.round_the_clock
    if origin is None and not by_hours:
        ordered = select(candidates.c.id).order_by(*order)
        chosen, total = search.page_of(session, ordered, max(query.page, 1), PER_PAGE)
        pages, page = _pages(total, query.page)
        if not chosen and total:  # past the last page: show the last one
            chosen, total = search.page_of(session, ordered, page, PER_PAGE)
        return Answer(describe(session, chosen, locale=locale), total, page, pages)
    if origin is not None and not by_hours:
        nearest = _nearest_page(session, candidates, origin, query.page)
        if nearest is not None:
            distances, total, page = nearest
            results = describe(session, list(distances), locale=locale)
            for result in results:
                result.distance_km = distances[result.id]
            return Answer(results, total, page, _pages(total, page)[0])
    if by_hours:  # confirmed first, best match, then by name, as the database orders the others
        opened = _by_hours(session, candidates, query, now, time_zone)
        ids = sorted(opened, key=lambda i: (opened[i][2], -opened[i][0], opened[i][1], i))
        names = {service_id: name for service_id, (_rank, name, _stale) in opened.items()}
    else:
        rows = session.execute(select(candidates.c.id, candidates.c.name).order_by(*order))
        names = dict(rows.all())  # not dict(rows): a Result has keys(), its column names
        ids = list(names)
    distances = _distances(session, candidates, origin) if origin else {}
    if origin:  # nearest first, as _nearest_page orders them; then places unknown
        ids.sort(key=lambda i: (i not in distances, distances.get(i, 0.0), names[i], i))
    pages, page = _pages(len(ids), query.page)
    chosen = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
    results = describe(session, chosen, locale=locale)
    for result in results:
        result.distance_km = distances.get(result.id)
        result.open_now = True if query.open_now else None
    return Answer(results, len(ids), page, pages)


SEARCH_RADII_KM = (25, 100, 400, 1600)


def _nearest_page(session: Session, candidates, origin: tuple[float, float], wanted: int):
    """The page's services nearest `origin` by distance, read from ever wider boxes around it.

    Every service within `radius` of the origin lies in the box, so once the box holds a full
    page of them no service outside can come earlier. None when even the widest box cannot
    fill the page (the caller then reads every candidate's place).
    """
    total = session.scalar(select(func.count()).select_from(candidates))
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
            return {service_id: km for service_id, (km, _name) in chosen}, total, page
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


def _candidates(session: Session, query: Query, stale_since: date | None):
    """The published services the query selects, as a subquery (id, name, rank, stale); and its
    order: confirmed ones first, then best match, name and id."""
    services = TABLES["service"]
    matches = search.match_subquery(session, query.text)
    rank = matches.c.rank if matches is not None else literal(0.0)
    stale = literal(0)
    if stale_since:
        # Tied to the match's rank (times 0), so PostgreSQL sorts after the match: sorting every
        # service by staleness first led its planner into a loop over all of them, two to four
        # times slower at 100,000 services (bench/directory.py).
        stale = freshness.stale_order(stale_since) + 0 * rank
    statement = select(
        services.c.id, services.c.name, rank.label("rank"), stale.label("stale")
    ).where(*listing.published_conditions("service"))
    if matches is not None:
        statement = statement.join(matches, matches.c.service_id == services.c.id)
    if query.category:
        attributes, terms = TABLES["attribute"], TABLES["taxonomy_term"]
        statement = statement.where(
            services.c.id.in_(
                select(attributes.c.link_id)
                .join(terms, attributes.c.taxonomy_term_id == terms.c.id)
                .where(terms.c.code == query.category)
            )
        )
    if query.language:
        languages = TABLES["language"]
        statement = statement.where(
            services.c.id.in_(
                select(languages.c.service_id).where(languages.c.code == query.language)
            )
        )
    candidates = statement.subquery("candidates")
    best_first = [candidates.c.rank.desc()] if matches is not None else []
    return candidates, [candidates.c.stale, *best_first, candidates.c.name, candidates.c.id]


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


def _by_hours(session: Session, candidates, query: Query, now: datetime, time_zone: str) -> dict:
    """The candidates open at `now` and/or round the clock, each with its (rank, name, stale) for
    ordering; in one statement.

    Hours are read in the zone of the service's first address with a postal code (`time_zone`
    when there is none or it is not one we know). Many services share a schedule's shape
    ("MO,TU,WE,TH,FR 09:00-17:00"), so each shape is read once per zone and search.
    """
    schedules, addresses = TABLES["schedule"], TABLES["address"]
    links = TABLES["service_at_location"]
    postcode = (
        select(addresses.c.postal_code)
        .join(links, links.c.location_id == addresses.c.location_id)
        .where(links.c.service_id == candidates.c.id, addresses.c.postal_code.is_not(None))
        .order_by(addresses.c.id)
        .limit(1)
        .correlate(candidates)
        .scalar_subquery()
    )
    shape_columns = (schedules.c[name] for name in OPENING_FIELDS)
    statement = select(
        candidates.c.id,
        candidates.c.rank,
        candidates.c.name,
        candidates.c.stale,
        postcode,
        *shape_columns,
    ).join(schedules, schedules.c.service_id == candidates.c.id)
    read: dict[tuple, tuple[bool, set[int]]] = {}
    found: dict[str, tuple[float, str, int, bool, set[int]]] = {}
    for service_id, rank, name, stale, postal_code, *values in session.execute(statement):
        place = geo.find_postcode(postal_code) if postal_code else None
        shape = (place.time_zone if place else time_zone, *values)
        if shape not in read:
            read[shape] = _read_hours(shape, now)
        is_open, days = read[shape]
        *_known, was_open, had_days = found.get(service_id, (rank, name, stale, False, set()))
        found[service_id] = (rank, name, stale, was_open or is_open, had_days | days)
    return {
        service_id: (rank, name, stale)
        for service_id, (rank, name, stale, is_open, days) in found.items()
        if (is_open or not query.open_now) and (len(days) == 7 or not query.round_the_clock)
    }


def _read_hours(shape: tuple, now: datetime) -> tuple[bool, set[int]]:
    """Whether a schedule of this shape is open at `now`, and the whole days it covers."""
    zone, *values = shape
    fields = {f.name: f for f in hsds.tabular_layout()["schedule"].fields}
    named = zip(OPENING_FIELDS, values, strict=True)
    texts = {name: to_text(fields[name], value) for name, value in named}
    try:
        schedule = hours.Schedule.from_hsds(texts, zone)
    except ScheduleError:
        return False, set()
    today = now.astimezone(hours.zone_of(zone)).date()
    return bool(hours.is_open([schedule], now)), hours.whole_days([schedule], today)
