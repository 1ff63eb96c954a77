"""Factories for the records tests need: staff users, organizations and published services.

Each takes a session and plain values, flushes, and returns what it made; defaults are enough
for a test that does not care, and every value a test asserts on can be given.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from webapp.accounts import operations
from webapp.accounts.models import User
from webapp.accounts.passwords import PasswordHasher
from webapp.db import new_id
from webapp.directory import search, weekly
from webapp.directory.models import RecordSetting
from webapp.directory.tables import TABLES
from webapp.settings import Settings

PASSWORD = "lantern-river-stone-1987"
NOW = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def user(
    session: Session,
    settings: Settings,
    *,
    email: str | None = None,
    roles: Iterable[str] = ("advocate",),
    password: str = PASSWORD,
    now: datetime = NOW,
) -> User:
    """A staff account (second factor not yet enrolled), hashed with the app's parameters."""
    return operations.create_user(
        session,
        PasswordHasher(settings),
        email=email or f"staff{next(_numbers)}@haven.test",
        password=password,
        roles=roles,
        now=now,
    )


def organization(session: Session, *, name: str | None = None, description: str = "") -> str:
    """An HSDS organization; returns its id."""
    organization_id = new_id()
    session.execute(
        TABLES["organization"]
        .insert()
        .values(
            id=organization_id,
            name=name or f"Organization {next(_numbers)}",
            description=description or "A made-up organization for a test.",
        )
    )
    return organization_id


def service(
    session: Session,
    *,
    name: str | None = None,
    organization_id: str | None = None,
    status: str = "active",
    description: str = "",
    draft: bool = False,
    languages: Iterable[str] = (),
) -> str:
    """An HSDS service, indexed for search (published unless `draft` or not active)."""
    service_id = new_id()
    session.execute(
        TABLES["service"]
        .insert()
        .values(
            id=service_id,
            organization_id=organization_id or organization(session),
            name=name or f"Service {next(_numbers)}",
            status=status,
            description=description or None,
        )
    )
    for code in languages:
        session.execute(
            TABLES["language"].insert().values(id=new_id(), service_id=service_id, code=code)
        )
    if draft:
        session.add(RecordSetting(resource="service", record_id=service_id, status="draft"))
    search.reindex(session, [service_id])
    return service_id


def phone(
    session: Session, service_id: str, number: str = "217-555-0100", description: str = ""
) -> str:
    """A phone number of a service; returns its id."""
    phone_id = new_id()
    session.execute(
        TABLES["phone"]
        .insert()
        .values(
            id=phone_id,
            service_id=service_id,
            number=number,
            type="voice",
            description=description or None,
        )
    )
    return phone_id


def capacity(session: Session, service_id: str, available: int = 3, maximum: int = 10) -> str:
    """Free places at a service (beds), with its unit; returns the capacity's id."""
    unit_id, capacity_id = new_id(), new_id()
    session.execute(TABLES["unit"].insert().values(id=unit_id, name="Bed"))
    session.execute(
        TABLES["service_capacity"]
        .insert()
        .values(
            id=capacity_id,
            service_id=service_id,
            unit_id=unit_id,
            available=available,
            maximum=maximum,
            updated=NOW,
        )
    )
    return capacity_id


def editor(session: Session, settings: Settings, organization_ids: Iterable[str], **kwargs) -> User:
    """A staff member with the editor role, keeping these organizations' listings."""
    from webapp.directory.memberships import add_editor

    made = user(session, settings, roles=["editor"], **kwargs)
    add_editor(session, made.id, organization_ids)
    return made


def location(
    session: Session,
    service_id: str,
    *,
    street: str = "12 Elm Street",
    city: str = "Springfield",
    postal_code: str = "62701",
    point: tuple[float, float] = (39.8017, -89.6437),
    name: str = "Front office",
) -> str:
    """A public place of a service, with its street address and point; returns its id."""
    location_id = new_id()
    organization_id = (
        session.execute(TABLES["service"].select().where(TABLES["service"].c.id == service_id))
        .one()
        .organization_id
    )
    session.execute(
        TABLES["location"]
        .insert()
        .values(
            id=location_id,
            organization_id=organization_id,
            name=name,
            location_type="physical",
            latitude=point[0],
            longitude=point[1],
        )
    )
    session.execute(
        TABLES["address"]
        .insert()
        .values(
            id=new_id(),
            location_id=location_id,
            address_1=street,
            city=city,
            state_province="IL",
            postal_code=postal_code,
            country="US",
            address_type="physical",
        )
    )
    session.execute(
        TABLES["service_at_location"]
        .insert()
        .values(id=new_id(), service_id=service_id, location_id=location_id)
    )
    weekly.rebuild(session, [service_id])  # the place's ZIP code gives the hours their zone
    return location_id


def category(session: Session, code: str = "kind") -> str:
    """A taxonomy term (in a taxonomy of its own) services can be put in; returns its id."""
    taxonomy, term = new_id(), new_id()
    session.execute(TABLES["taxonomy"].insert().values(id=taxonomy, name="Kinds", description="-"))
    values = {"code": code, "name": code.title(), "description": "-", "taxonomy_id": taxonomy}
    session.execute(TABLES["taxonomy_term"].insert().values(id=term, **values))
    return term


def put_in(session: Session, service_id: str, term_id: str) -> None:
    """Put a service in a category (an HSDS attribute linking it to the term)."""
    link = {"link_id": service_id, "link_type": "service", "link_entity": "service"}
    session.execute(
        TABLES["attribute"].insert().values(id=new_id(), taxonomy_term_id=term_id, **link)
    )


def schedule(session: Session, service_id: str, **values) -> str:
    """A schedule of a service (HSDS fields as stored), with its weekly hours; returns its id."""
    schedule_id = new_id()
    session.execute(
        TABLES["schedule"].insert().values(id=schedule_id, service_id=service_id, **values)
    )
    weekly.rebuild(session, [service_id])
    return schedule_id
