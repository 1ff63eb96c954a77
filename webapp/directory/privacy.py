"""Confidential locations: what an import may publish of them, and what is kept apart.

A location stays confidential once marked so: later imports that bring its street address or
its coordinates (a partner's feed, say) have them moved into the encrypted record instead of
published. Only an import that says `public` makes it public again.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory import geo, hsds
from webapp.directory.errors import Problem
from webapp.directory.geo import coarse
from webapp.directory.models import LocationPrivacy, Visibility
from webapp.directory.tables import TABLES
from webapp.directory.values import to_text

# An area-only location shows one decimal place (about 11 km), enough for "near you".
AREA_PLACES = 1


def requested_visibility(records: dict, wishes: dict, session: Session) -> dict[str, str]:
    """The visibility each imported location ends with: the import's word, else what it had."""
    query = select(LocationPrivacy.location_id, LocationPrivacy.visibility)
    stored = {location_id: level for location_id, level in session.execute(query)}
    return {
        location_id: wishes.get(location_id, (stored.get(location_id, Visibility.PUBLIC),))[0]
        for location_id in records.get("location", {})
    } | {location_id: wish[0] for location_id, wish in wishes.items()}


def apply(session: Session, merged: dict, wishes: dict) -> tuple[list[Problem], list]:
    """Move exact places of confidential locations out of the public records; check front doors.

    Returns the problems and the writes to run once the HSDS rows themselves are saved.
    """
    visibility = requested_visibility(merged, wishes, session)
    problems, writes = [], []
    for location_id, level in visibility.items():
        if level == Visibility.PUBLIC:
            continue
        location = merged.get("location", {}).get(location_id)
        if location is not None and not _has_front_door(session, merged, location_id):
            problems.append(
                location.problem(
                    "phones",
                    "a confidential location needs a public phone: its own or its service's",
                )
            )
        public_area = wishes.get(location_id, (None, None))[1]
        writes.append(_keep_apart(session, merged, location_id, level, public_area))
    return problems, writes


def _keep_apart(session, merged, location_id: str, level: str, public_area: str | None):
    """Take the exact place out of the records now; return the write to run after the upsert."""
    imported = [
        r for r in merged.get("address", {}).values() if r.values.get("location_id") == location_id
    ]
    for record in imported:
        del merged["address"][record.values["id"]]
    addresses = [r.values for r in imported] or _stored_rows(session, "address", location_id)
    exact = {"addresses": [_text_values("address", values) for values in addresses]}
    location = merged.get("location", {}).get(location_id)
    values = location.values if location is not None else _stored_location(session, location_id)
    if values is not None:
        exact["coordinates"] = _hide_point(values, level)

    def write() -> None:
        if location is None and values is not None:
            _update_point(session, location_id, values)
        _store(session, location_id, level, public_area, exact)

    return write


def _hide_point(values: dict, level: str) -> list | None:
    """Take the exact point out of `values`, leaving a coarse one for area-only; return it."""
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None or lon is None:
        # Half a point is a line through the door: neither half is published.
        for name in ("latitude", "longitude"):
            if name in values:
                values[name] = None
        return None
    if level == Visibility.AREA_ONLY:
        values["latitude"], values["longitude"] = coarse(lat, lon, AREA_PLACES)
    else:
        values["latitude"] = values["longitude"] = None
    return [lat, lon]


def _stored_rows(session: Session, table: str, location_id: str) -> list[dict]:
    sql = TABLES[table]
    query = select(sql).where(sql.c.location_id == location_id)
    return [dict(row._mapping) for row in session.execute(query)]


def _stored_location(session: Session, location_id: str) -> dict | None:
    sql = TABLES["location"]
    row = session.execute(select(sql).where(sql.c.id == location_id)).first()
    return dict(row._mapping) if row else None


def _update_point(session: Session, location_id: str, values: dict) -> None:
    sql = TABLES["location"]
    session.execute(
        sql.update()
        .where(sql.c.id == location_id)
        .values(latitude=values["latitude"], longitude=values["longitude"])
    )


def _store(session, location_id, level, public_area, exact: dict) -> None:
    privacy = session.get(LocationPrivacy, location_id) or LocationPrivacy(location_id=location_id)
    privacy.visibility = level
    if public_area is not None:
        privacy.public_area = public_area
    # A feed that brings only the street, or only the point, keeps the other one sealed.
    kept = _sealed(privacy)
    privacy.exact_place = json.dumps(
        {
            "addresses": exact["addresses"] or kept.get("addresses", []),
            "coordinates": exact.get("coordinates") or kept.get("coordinates"),
        },
        sort_keys=True,
    )
    session.add(privacy)
    addresses = TABLES["address"]
    session.execute(delete(addresses).where(addresses.c.location_id == location_id))


def _text_values(table: str, values: dict) -> dict:
    fields = {f.name: f for f in hsds.tabular_layout()[table].fields}
    return {k: to_text(fields[k], v) for k, v in values.items() if v is not None}


def _has_front_door(session: Session, merged: dict, location_id: str) -> bool:
    phones = list(merged.get("phone", {}).values())
    services = {
        r.values["service_id"]
        for r in merged.get("service_at_location", {}).values()
        if r.values.get("location_id") == location_id
    }
    if any(
        p.values.get("location_id") == location_id or p.values.get("service_id") in services
        for p in phones
    ):
        return True
    table = TABLES["phone"]
    return (
        session.scalar(
            select(table.c.id).where(
                (table.c.location_id == location_id) | table.c.service_id.in_(services or {""})
            )
        )
        is not None
    )


def public_settings(session: Session) -> dict[str, LocationPrivacy]:
    """Every non-public location's visibility and public area (never its exact place)."""
    return {p.location_id: p for p in session.scalars(select(LocationPrivacy))}


# The portal: a location's place as its editors see it (the exact address, whatever its
# visibility), and writing one back so that a confidential address never reaches the HSDS rows.
ADDRESS_FIELDS = ("address_1", "address_2", "city", "state_province", "postal_code", "country")
CONFIDENTIAL = "[confidential]"


def place_of(session: Session, location_id: str) -> dict:
    """{"visibility", "public_area", "address": {ADDRESS_FIELDS}} of a location."""
    privacy = session.get(LocationPrivacy, location_id)
    level = privacy.visibility if privacy else Visibility.PUBLIC
    if level == Visibility.PUBLIC:
        rows = _stored_rows(session, "address", location_id)
    else:
        rows = _sealed(privacy).get("addresses", [])
    first = _main_address(rows)
    return {
        "visibility": str(level),
        "public_area": (privacy.public_area if privacy else None) or "",
        "address": {name: str(first.get(name) or "") for name in ADDRESS_FIELDS},
    }


def _sealed(privacy: LocationPrivacy | None) -> dict:
    return json.loads(privacy.exact_place) if privacy and privacy.exact_place else {}


def _main_address(rows: list[dict]) -> dict:
    physical = [row for row in rows if row.get("address_type") in (None, "", "physical")]
    return (physical or rows or [{}])[0]


def has_front_door(session: Session, location_id: str) -> bool:
    """A public phone of the location or of a service there (a confidential place needs one)."""
    links, phones = TABLES["service_at_location"], TABLES["phone"]
    services = select(links.c.service_id).where(links.c.location_id == location_id)
    found = session.scalar(
        select(phones.c.id).where(
            (phones.c.location_id == location_id) | phones.c.service_id.in_(services)
        )
    )
    return found is not None


def set_place(session: Session, location_id: str, place: dict) -> None:
    """Write a location's visibility, public area and address (as `place_of` gives them).

    The exact address and point of an area-only or hidden location go only into its sealed
    record; its HSDS rows keep no address and no point (area-only: a coarse one). A changed
    postal code moves the point to that code's centre (there is no street geocoder here).
    """
    privacy = session.get(LocationPrivacy, location_id)
    level = privacy.visibility if privacy else Visibility.PUBLIC
    location = _stored_location(session, location_id) or {}
    if level == Visibility.PUBLIC:
        addresses = _stored_rows(session, "address", location_id)
        point = _point(location.get("latitude"), location.get("longitude"))
    else:
        sealed = _sealed(privacy)
        addresses, point = sealed.get("addresses", []), sealed.get("coordinates")
    before = _main_address(addresses)
    after = {**before, **{k: (v or None) for k, v in place["address"].items()}}
    after.setdefault("id", new_id())
    after["location_id"] = location_id
    after.setdefault("address_type", "physical")
    if after.get("postal_code") != before.get("postal_code"):
        point = _postcode_point(after.get("postal_code"), after.get("country")) or point
    addresses = [after if row is before else row for row in addresses] or [after]
    if not any(after.get(name) for name in ADDRESS_FIELDS):
        addresses = [row for row in addresses if row is not after]
    _write_place(session, location_id, place, addresses, point)


def _point(lat, lon) -> list | None:
    return [lat, lon] if lat is not None and lon is not None else None


def _postcode_point(postcode: str | None, country: str | None) -> list | None:
    found = geo.find_postcode(postcode or "", (country or "US").upper()) if postcode else None
    return [found.latitude, found.longitude] if found else None


def _write_place(session, location_id: str, place: dict, addresses: list, point) -> None:
    level, table = place["visibility"], TABLES["address"]
    session.execute(delete(table).where(table.c.location_id == location_id))
    values = {"latitude": point[0], "longitude": point[1]} if point else {}
    if level == Visibility.PUBLIC:
        privacy = session.get(LocationPrivacy, location_id)
        if privacy is not None:
            session.delete(privacy)
            session.flush()
        fields = {f.name for f in hsds.tabular_layout()["address"].fields}
        rows = [{k: v for k, v in row.items() if k in fields} for row in addresses]
        if rows:
            session.execute(insert(table), rows)
        if point:
            _update_point(session, location_id, values)
        return
    exact = {
        "addresses": [_text_values("address", row) for row in addresses],
        "coordinates": point,
    }
    hidden = {"latitude": point[0], "longitude": point[1]} if point else {}
    _hide_point(hidden, level)
    _update_point(
        session,
        location_id,
        {"latitude": hidden.get("latitude"), "longitude": hidden.get("longitude")},
    )
    privacy = session.get(LocationPrivacy, location_id) or LocationPrivacy(location_id=location_id)
    privacy.visibility, privacy.public_area = level, place.get("public_area") or None
    privacy.exact_place = json.dumps(exact, sort_keys=True)
    session.add(privacy)
    _scrub_history(session, location_id)


def _scrub_history(session: Session, location_id: str) -> None:
    """A place gone confidential: no HSDS metadata row (exported) may still say where it is."""
    metadata = TABLES["metadata"]
    session.execute(
        update(metadata)
        .where(metadata.c.resource_id == location_id, metadata.c.field_name == "place")
        .values(previous_value=CONFIDENTIAL, replacement_value=CONFIDENTIAL)
    )
