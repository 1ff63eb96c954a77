"""Which organizations' listings an editor may change."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory.errors import UnknownOrganization
from webapp.directory.models import Organization, OrganizationMembership


def find_or_add_organization(session: Session, name: str, description: str = "") -> Organization:
    found = session.scalar(select(Organization).where(Organization.name == name))
    if found is None:
        found = Organization(id=new_id(), name=name, description=description)
        session.add(found)
        session.flush()
    return found


def add_editor(session: Session, user_id: int, organization_ids: Iterable[str]) -> None:
    """Let this staff member change these organizations' listings."""
    for organization_id in organization_ids:
        if session.get(Organization, organization_id) is None:
            raise UnknownOrganization(organization_id)
        if session.get(OrganizationMembership, (user_id, organization_id)) is None:
            session.add(OrganizationMembership(user_id=user_id, organization_id=organization_id))
    session.flush()


def organizations_of(session: Session, user_id: int) -> list[Organization]:
    query = (
        select(Organization)
        .join(OrganizationMembership, OrganizationMembership.organization_id == Organization.id)
        .where(OrganizationMembership.user_id == user_id)
        .order_by(Organization.name)
    )
    return list(session.scalars(query))
