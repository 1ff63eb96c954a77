"""Confidential locations: what an import may publish of them, and what is kept apart.

A location stays confidential once marked so: later imports that bring its street address or
its coordinates (a partner's feed, say) have them moved into the encrypted record instead of
published. Only an import that says `public` makes it public again.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.directory import hsds
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
    if privacy.exact_place is None or exact["addresses"] or exact.get("coordinates"):
        privacy.exact_place = json.dumps(exact, sort_keys=True)
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
