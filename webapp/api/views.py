"""The HSDS 3 read API's routes: published, public directory data only."""

from __future__ import annotations

import json
import math
import re

from flask import Response, abort, jsonify, request

from webapp.api.blueprint import bp
from webapp.db import get_session
from webapp.directory import hsds, listing, translated
from webapp.directory.errors import ValueProblem
from webapp.directory.exchange import nested
from webapp.directory.geo import find_postcode
from webapp.directory.tables import TABLES
from webapp.directory.values import parse_datetime
from webapp.i18n import normalise
from webapp.runtime import public_url_for

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
MAX_PAGE = 1_000_000
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|\d{3}))?")


@bp.get("/")
def base():
    return jsonify(
        version="3.0",
        profile=public_url_for("api.base"),
        openapi_url=public_url_for("api.openapi"),
    )


@bp.get("/openapi.json")
def openapi():
    """The HSDS 3 OpenAPI description this API follows."""
    return Response((hsds.SCHEMA_DIR / "openapi.json").read_bytes(), mimetype="application/json")


def _paging() -> tuple[int, int]:
    """`page` and `per_page`; 400 for what is not a number, or a page no database can skip to."""
    try:
        page = max(int(request.args.get("page", 1)), 1)
        per_page = min(max(int(request.args.get("per_page", DEFAULT_PER_PAGE)), 1), MAX_PER_PAGE)
    except ValueError:
        abort(400)
    if page > MAX_PAGE:
        abort(400)
    return page, per_page


def _page(ids: list[str], table: str, page: int, per_page: int):
    chosen = ids[(page - 1) * per_page : page * per_page]
    return _page_of(chosen, len(ids), table, page, per_page)


def _page_of(chosen: list[str], total: int, table: str, page: int, per_page: int):
    tree = _public_tree(table, set(chosen)) if chosen else listing.PublicTree({})
    contents = nested.build_all(tree.rows, table, chosen)
    if request.args.get("format") == "ndjson":
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in contents)
        return _in_language(Response(lines, mimetype="application/x-ndjson"), tree)
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
        ),
        tree,
    )


def _language() -> str | None:
    """`lang=es`: text translated where a translation exists (HSDS has no such parameter).

    Without it records come as written, so what a partner imports stays the source text.
    `lang=zh` reads the Chinese Haven keeps (zh_Hans), as the survivor pages do.
    """
    value = request.args.get("lang")
    if value is None:
        return None
    if not LANGUAGE.fullmatch(value):
        abort(400)
    return normalise(value) or translated.language_code(value)


def _in_language(response: Response, tree: listing.PublicTree) -> Response:
    """`Content-Language` names the languages of the texts sent, not the one asked for.

    A text without a translation into the language asked for comes in its own language, so
    `lang=zh` answers `zh-Hans` only when every text sent is Chinese, `zh-Hans, en` when some
    are still English, and `en` when none is translated; the language asked for comes first,
    then the others from the most texts to the fewest. No text at all, no header.
    """
    asked = _language()
    if asked is None or not tree.languages:
        return response
    ranked = sorted(tree.languages, key=lambda code: (code != asked, -tree.languages[code], code))
    response.headers["Content-Language"] = ", ".join(code.replace("_", "-") for code in ranked)
    return response


def _public_tree(table: str, ids: set[str]) -> listing.PublicTree:
    return listing.public_tree(get_session(), table, ids, language=_language())


def _detail(table: str, record_id: str):
    if not listing.is_published(get_session(), table, record_id):
        abort(404)
    tree = _public_tree(table, {record_id})
    item = nested.build(tree.rows, table, record_id)
    return _in_language(jsonify(item), tree) if item else abort(404)


def _service_filter() -> listing.ServiceFilter:
    """The request's HSDS service filters; 400 for a date that cannot be read."""
    since = None
    if request.args.get("modified_after"):
        try:
            since = parse_datetime(request.args["modified_after"])
        except ValueProblem:
            abort(400)
    return listing.ServiceFilter(
        search=request.args.get("search", ""),
        organization_id=request.args.get("organization_id", ""),
        modified_after=since,
        taxonomy_term_id=request.args.get("taxonomy_term_id", ""),
    )


@bp.get("/services")
def services():
    """Filtering, counting and paging happen in the database, whatever the directory's size."""
    page, per_page = _paging()
    wanted = _service_filter()
    chosen, total = listing.service_page(get_session(), wanted, page, per_page)
    return _page_of(chosen, total, "service", page, per_page)


@bp.get("/services/<record_id>")
def service(record_id: str):
    return _detail("service", record_id)


@bp.get("/organizations")
def organizations():
    query = listing.published("organization")
    return _page(list(get_session().scalars(query)), "organization", *_paging())


@bp.get("/organizations/<record_id>")
def organization(record_id: str):
    return _detail("organization", record_id)


@bp.get("/service_at_locations")
def service_at_locations():
    """With `postcode` (and `proximity` in metres), nearest first; hidden places are never near."""
    origin, within_km = None, None
    if request.args.get("postcode"):
        place = find_postcode(request.args["postcode"])
        if place is None:
            abort(400)
        origin = place.latitude, place.longitude
        within_km = _kilometres(request.args.get("proximity"))
    ids = listing.service_at_location_ids(get_session(), _service_filter(), origin, within_km)
    return _page(ids, "service_at_location", *_paging())


def _kilometres(metres: str | None) -> float | None:
    try:
        return float(metres) / 1000 if metres else None
    except ValueError:
        abort(400)


@bp.get("/service_at_locations/<record_id>")
def service_at_location(record_id: str):
    return _detail("service_at_location", record_id)


@bp.get("/taxonomies")
def taxonomies():
    query = listing.published("taxonomy")
    return _page(list(get_session().scalars(query)), "taxonomy", *_paging())


@bp.get("/taxonomies/<record_id>")
def taxonomy(record_id: str):
    return _detail("taxonomy", record_id)


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    table = TABLES["taxonomy_term"]
    query = listing.published("taxonomy_term")
    if request.args.get("taxonomy_id"):
        query = query.where(table.c.taxonomy_id == request.args["taxonomy_id"])
    if request.args.get("parent_id"):
        query = query.where(table.c.parent_id == request.args["parent_id"])
    return _page(list(get_session().scalars(query)), "taxonomy_term", *_paging())


@bp.get("/taxonomy_terms/<record_id>")
def taxonomy_term(record_id: str):
    return _detail("taxonomy_term", record_id)
