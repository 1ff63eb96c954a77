"""The public HSDS 3 read API under /api/hsds: published, public directory data only."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC

from flask import Blueprint, Response, abort, jsonify, request, url_for
from sqlalchemy import select

from webapp.db import get_session
from webapp.directory import hsds, translated
from webapp.directory.errors import ValueProblem
from webapp.directory.exchange import PRIVACY, nested
from webapp.directory.geo import distance_km, find_postcode
from webapp.directory.models import LocationPrivacy, RecordSetting
from webapp.directory.search import match_subquery, page_of
from webapp.directory.tables import TABLES
from webapp.directory.values import parse_datetime
from webapp.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/hsds")
limiter.limit("120 per minute")(bp)
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?")


@bp.after_request
def readable_elsewhere(response):
    """Other sites' scripts may read the directory; nothing here depends on cookies."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/")
def base():
    return jsonify(
        version="3.0",
        profile=url_for("api.base", _external=True),
        openapi_url=url_for("api.openapi", _external=True),
    )


@bp.get("/openapi.json")
def openapi():
    """The HSDS 3 OpenAPI description this API follows."""
    return Response((hsds.SCHEMA_DIR / "openapi.json").read_bytes(), mimetype="application/json")


def _drafts(resource: str) -> select:
    return select(RecordSetting.record_id).where(
        RecordSetting.resource == resource, RecordSetting.status == "draft"
    )


def _paging() -> tuple[int, int]:
    try:
        page = max(int(request.args.get("page", 1)), 1)
        per_page = min(max(int(request.args.get("per_page", DEFAULT_PER_PAGE)), 1), MAX_PER_PAGE)
    except ValueError:
        abort(400)
    return page, per_page


def _page(ids: list[str], table: str, page: int, per_page: int):
    chosen = ids[(page - 1) * per_page : page * per_page]
    return _page_of(chosen, len(ids), table, page, per_page)


def _page_of(chosen: list[str], total: int, table: str, page: int, per_page: int):
    rows = _public_tree(table, set(chosen))
    contents = [nested.build(rows, table, record_id) for record_id in chosen]
    if request.args.get("format") == "ndjson":
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in contents)
        return _in_language(Response(lines, mimetype="application/x-ndjson"))
    total_pages = max(math.ceil(total / per_page), 1)
    return _in_language(
        jsonify(
            total_items=total,
            total_pages=total_pages,
            page_number=page,
            size=len(contents),
            first_page=page == 1,
            last_page=page >= total_pages,
            empty=not contents,
            contents=contents,
        )
    )


def _language() -> str | None:
    """`lang=es`: text translated where a translation exists (HSDS has no such parameter).

    Without it records come as written, so what a partner imports stays the source text.
    """
    value = request.args.get("lang")
    if value is None:
        return None
    if not LANGUAGE.fullmatch(value):
        abort(400)
    return translated.language_code(value)


def _in_language(response: Response) -> Response:
    if (language := _language()) is not None:
        response.headers["Content-Language"] = language.replace("_", "-")
    return response


def _public_tree(table: str, ids: set[str]) -> dict:
    rows = nested.load_tree(get_session(), table, ids)
    if (language := _language()) is not None:
        translated.localize(get_session(), rows, language, [t for t in rows if t in TABLES])
    location_ids = [row["id"] for row in rows.get("location", [])]
    settings = get_session().scalars(
        select(LocationPrivacy).where(LocationPrivacy.location_id.in_(location_ids))
    )
    rows[PRIVACY] = [
        {"location_id": p.location_id, "visibility": p.visibility, "public_area": p.public_area}
        for p in settings
    ]
    return rows


def _detail(table: str, record_id: str):
    drafts = set(get_session().scalars(_drafts(table)))
    item = (
        None
        if record_id in drafts
        else nested.build(_public_tree(table, {record_id}), table, record_id)
    )
    return _in_language(jsonify(item)) if item else abort(404)


def _service_query():
    """The published services the request's filters and search select, best match first."""
    services = TABLES["service"]
    query = select(services.c.id).where(services.c.id.not_in(_drafts("service")))
    if request.args.get("organization_id"):
        query = query.where(services.c.organization_id == request.args["organization_id"])
    if request.args.get("modified_after"):
        try:
            since = parse_datetime(request.args["modified_after"])
        except ValueProblem:
            abort(400)
        query = query.where(services.c.last_modified >= since.astimezone(UTC))
    if request.args.get("taxonomy_term_id"):
        attributes = TABLES["attribute"]
        query = query.where(
            services.c.id.in_(
                select(attributes.c.link_id).where(
                    attributes.c.taxonomy_term_id == request.args["taxonomy_term_id"]
                )
            )
        )
    matches = match_subquery(get_session(), request.args.get("search", ""))
    if matches is not None:
        query = query.join(matches, matches.c.service_id == services.c.id).order_by(
            matches.c.rank.desc()
        )
    return query.order_by(services.c.id)


@bp.get("/services")
def services():
    """Filtering, counting and paging happen in the database, whatever the directory's size."""
    page, per_page = _paging()
    chosen, total = page_of(get_session(), _service_query(), page, per_page)
    return _page_of(chosen, total, "service", page, per_page)


@bp.get("/services/<record_id>")
def service(record_id: str):
    return _detail("service", record_id)


@bp.get("/organizations")
def organizations():
    table = TABLES["organization"]
    query = (
        select(table.c.id).where(table.c.id.not_in(_drafts("organization"))).order_by(table.c.id)
    )
    return _page(list(get_session().scalars(query)), "organization", *_paging())


@bp.get("/organizations/<record_id>")
def organization(record_id: str):
    return _detail("organization", record_id)


@bp.get("/service_at_locations")
def service_at_locations():
    """With `postcode` (and `proximity` in metres), nearest first; hidden places are never near."""
    links, locations = TABLES["service_at_location"], TABLES["location"]
    service_ids = set(get_session().scalars(_service_query()))
    query = (
        select(links.c.id, links.c.service_id, locations.c.latitude, locations.c.longitude)
        .join(locations, links.c.location_id == locations.c.id)
        .order_by(links.c.id)
    )
    rows = [row for row in get_session().execute(query) if row.service_id in service_ids]
    if request.args.get("postcode"):
        rows = _near(rows, request.args["postcode"], request.args.get("proximity"))
    return _page([row.id for row in rows], "service_at_location", *_paging())


def _near(rows, postcode: str, proximity: str | None):
    place = find_postcode(postcode)
    if place is None:
        abort(400)
    try:
        limit_km = float(proximity) / 1000 if proximity else None
    except ValueError:
        abort(400)
    placed = [
        (distance_km(place.latitude, place.longitude, row.latitude, row.longitude), row)
        for row in rows
        if row.latitude is not None and row.longitude is not None
    ]
    return [
        row
        for km, row in sorted(placed, key=lambda p: (p[0], p[1].id))
        if limit_km is None or km <= limit_km
    ]


@bp.get("/service_at_locations/<record_id>")
def service_at_location(record_id: str):
    return _detail("service_at_location", record_id)


@bp.get("/taxonomies")
def taxonomies():
    table = TABLES["taxonomy"]
    return _page(
        list(get_session().scalars(select(table.c.id).order_by(table.c.id))), "taxonomy", *_paging()
    )


@bp.get("/taxonomies/<record_id>")
def taxonomy(record_id: str):
    return _detail("taxonomy", record_id)


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    table = TABLES["taxonomy_term"]
    query = select(table.c.id).order_by(table.c.id)
    if request.args.get("taxonomy_id"):
        query = query.where(table.c.taxonomy_id == request.args["taxonomy_id"])
    if request.args.get("parent_id"):
        query = query.where(table.c.parent_id == request.args["parent_id"])
    return _page(list(get_session().scalars(query)), "taxonomy_term", *_paging())


@bp.get("/taxonomy_terms/<record_id>")
def taxonomy_term(record_id: str):
    return _detail("taxonomy_term", record_id)
