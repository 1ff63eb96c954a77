"""What a survivor sees of each service found: its texts in her language, phones, hours,
languages, accessibility notes and free places, read in one statement per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory import hsds, phones, translated
from webapp.directory.models import LocationPrivacy, Visibility
from webapp.directory.tables import TABLES
from webapp.directory.values import to_text

TEXT_TYPES = ("text", "sms")  # phone types one texts rather than calls
LOCALIZED = (
    "description",
    "eligibility_description",
    "application_process",
    "fees_description",
    "alert",
    "interpretation_services",
)


@dataclass
class Capacity:
    """Room free at a service when last updated (HSDS 3.1 service_capacity), e.g. beds."""

    available: int
    maximum: int | None
    what: translated.Text  # the capacity's description, else its unit's name ("Bed")
    updated: datetime


ADDRESS = ("address_1", "address_2", "city", "state_province", "postal_code")


@dataclass
class Found:
    id: str
    name: translated.Text
    organization: translated.Text | str
    texts: dict[str, translated.Text]
    distance_km: float | None = None
    open_now: bool | None = None
    phones: list[dict] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    assured_date: date | None = None
    schedules: list[dict] = field(default_factory=list)
    accessibility: list[translated.Text] = field(default_factory=list)
    capacities: list[Capacity] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # public street addresses
    areas: list[str] = field(default_factory=list)  # the area of a place kept confidential


def describe(
    session: Session, ids: list[str], *, locale: str, whereabouts: bool = False
) -> list[Found]:
    """The services in `ids` order, their texts in `locale` where a translation exists;
    `whereabouts` adds their streets and areas (a service's own page shows them, cards do not).

    Every text is a `translated.Text`, so pages can mark its language (and direction). The
    service and everything shown with it are read first, then translated in one go.
    """
    if not ids:
        return []
    services, organizations = TABLES["service"], TABLES["organization"]
    rows = {
        row.id: row
        for row in session.execute(
            select(services, organizations.c.name.label("organization_name"))
            .join(organizations, services.c.organization_id == organizations.c.id)
            .where(services.c.id.in_(ids))
        )
    }
    related = _related(session, list(rows), whereabouts)
    records = {
        "service": {
            service_id: {name: getattr(row, name) for name in (*LOCALIZED, "name")}
            for service_id, row in rows.items()
        },
        "organization": {
            row.organization_id: {"name": row.organization_name} for row in rows.values()
        },
        "phone": _descriptions(related["phone"]),
        "schedule": _descriptions(related["schedule"]),
        "accessibility": {
            row.id: {"description": row.description, "details": row.details}
            for row in related["accessibility"]
        },
        "service_capacity": _descriptions(related["service_capacity"]),
        "unit": {row.unit_id: {"name": row.unit_name} for row in related["service_capacity"]},
    }
    texts = translated.choose(session, records, locale)
    found = []
    for service_id in ids:
        row = rows.get(service_id)
        if row is None:
            continue
        own = dict(texts["service"][service_id])
        found.append(
            Found(
                id=service_id,
                name=own.pop("name", translated.Text(row.name or "", translated.ENGLISH)),
                organization=texts["organization"][row.organization_id].get("name", ""),
                texts=own,
                assured_date=row.assured_date,
            )
        )
    _fill(found, related, texts)
    return found


def _descriptions(rows) -> dict[str, dict]:
    return {row.id: {"description": row.description} for row in rows}


def _related(session: Session, ids: list[str], whereabouts: bool = False) -> dict[str, list]:
    """What a service's card and page show besides its own fields, by table, in a stable order."""
    phones, languages, schedules = TABLES["phone"], TABLES["language"], TABLES["schedule"]
    links, access = TABLES["service_at_location"], TABLES["accessibility"]
    capacities, units = TABLES["service_capacity"], TABLES["unit"]
    addresses = TABLES["address"]
    queries = {
        "phone": select(phones).where(phones.c.service_id.in_(ids)).order_by(phones.c.id),
        "language": select(languages.c.service_id, languages.c.code)
        .where(languages.c.service_id.in_(ids))
        .order_by(languages.c.code),
        "schedule": select(schedules)
        .where(schedules.c.service_id.in_(ids))
        .order_by(schedules.c.id),
        "accessibility": select(
            links.c.service_id, access.c.id, access.c.description, access.c.details
        )
        .join(access, links.c.location_id == access.c.location_id)
        .where(links.c.service_id.in_(ids))
        .order_by(access.c.id),
        "address": select(links.c.service_id, *(addresses.c[name] for name in ADDRESS))
        .join(addresses, links.c.location_id == addresses.c.location_id)
        .outerjoin(LocationPrivacy, LocationPrivacy.location_id == links.c.location_id)
        .where(
            links.c.service_id.in_(ids),
            addresses.c.address_type.in_(("physical", "")) | addresses.c.address_type.is_(None),
            LocationPrivacy.location_id.is_(None)
            | (LocationPrivacy.visibility == Visibility.PUBLIC),
        )
        .order_by(addresses.c.id),
        "area": select(links.c.service_id, LocationPrivacy.public_area)
        .join(LocationPrivacy, LocationPrivacy.location_id == links.c.location_id)
        .where(
            links.c.service_id.in_(ids),
            LocationPrivacy.visibility == Visibility.AREA_ONLY,
            LocationPrivacy.public_area.is_not(None),
        )
        .order_by(LocationPrivacy.location_id),
        "service_capacity": select(capacities, units.c.name.label("unit_name"))
        .join(units, capacities.c.unit_id == units.c.id)
        .where(capacities.c.service_id.in_(ids))
        .order_by(capacities.c.id),
    }
    if not whereabouts:
        del queries["address"], queries["area"]
    found = {table: session.execute(query).all() for table, query in queries.items()}
    return {"address": [], "area": []} | found


def _fill(found: list[Found], related: dict[str, list], texts: dict) -> None:
    """Phones, languages, hours, accessibility notes and free places, on each service found."""
    by_id = {f.id: f for f in found}
    extension_field = next(
        f for f in hsds.tabular_layout()["phone"].fields if f.name == "extension"
    )
    for row in related["phone"]:
        kind = row.type or "voice"
        extension = to_text(extension_field, row.extension) or None
        by_id[row.service_id].phones.append(
            {
                "number": row.number,
                "extension": extension,
                "type": kind,
                "texted": kind in TEXT_TYPES,
                "dial": phones.dial(row.number, None if kind in TEXT_TYPES else extension),
                "description": texts["phone"][row.id].get("description"),
            }
        )
    for service_id, code in related["language"]:
        if code and code not in by_id[service_id].languages:
            by_id[service_id].languages.append(code)
    fields = {f.name: f for f in hsds.tabular_layout()["schedule"].fields}
    for row in related["schedule"]:
        values = {k: to_text(fields[k], v) for k, v in row._mapping.items() if k in fields and v}
        by_id[row.service_id].schedules.append(values | texts["schedule"][row.id])
    for row in related["accessibility"]:
        for name in ("description", "details"):
            if note := texts["accessibility"][row.id].get(name):
                by_id[row.service_id].accessibility.append(note)
    for row in related["address"]:
        street = ", ".join(row._mapping[name] for name in ADDRESS[:2] if row._mapping[name])
        town = " ".join(row._mapping[name] or "" for name in ADDRESS[3:5]).strip()
        line = ", ".join(part for part in (street, row.city, town) if part)
        if line and line not in by_id[row.service_id].addresses:
            by_id[row.service_id].addresses.append(line)
    for service_id, area in related["area"]:
        if area not in by_id[service_id].areas:
            by_id[service_id].areas.append(area)
    for row in related["service_capacity"]:
        described = texts["service_capacity"][row.id].get("description")
        what = described or texts["unit"][row.unit_id]["name"]
        maximum = int(row.maximum) if row.maximum is not None else None
        capacity = Capacity(int(row.available), maximum, what, row.updated)
        by_id[row.service_id].capacities.append(capacity)
