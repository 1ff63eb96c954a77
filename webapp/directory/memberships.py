"""Which organizations' listings an editor may change, and those an invitation offers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts import audit
from webapp.accounts.models import User
from webapp.db import new_id
from webapp.directory.errors import NothingOffered, UnknownOrganization
from webapp.directory.models import InvitedMembership, Organization, OrganizationMembership


def find_or_add_organization(session: Session, name: str, description: str = "") -> Organization:
    found = session.scalar(select(Organization).where(Organization.name == name))
    if found is None:
        found = Organization(id=new_id(), name=name, description=description)
        session.add(found)
        session.flush()
    return found


def known(session: Session, organization_ids: Iterable[str]) -> list[str]:
    """The ids, each once, in the order given; UnknownOrganization names the first unknown."""
    wanted = list(dict.fromkeys(organization_ids))
    for organization_id in wanted:
        if session.get(Organization, organization_id) is None:
            raise UnknownOrganization(organization_id)
    return wanted


def add_editor(session: Session, user_id: int, organization_ids: Iterable[str]) -> None:
    """Let this staff member change these organizations' listings."""
    for organization_id in known(session, organization_ids):
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


def offer(session: Session, invitation_id: int, organization_ids: Iterable[str]) -> None:
    """The organizations an invitation's editor may change once it is accepted (one at least)."""
    wanted = known(session, organization_ids)
    if not wanted:
        raise NothingOffered()
    session.add_all(
        InvitedMembership(invitation_id=invitation_id, organization_id=organization_id)
        for organization_id in wanted
    )
    session.flush()


def offered(session: Session, invitation_ids: Iterable[int]) -> dict[int, list[Organization]]:
    """What each of these invitations offers, by name."""
    query = (
        select(InvitedMembership.invitation_id, Organization)
        .join(Organization, Organization.id == InvitedMembership.organization_id)
        .where(InvitedMembership.invitation_id.in_(list(invitation_ids)))
        .order_by(Organization.name, Organization.id)
    )
    found: dict[int, list[Organization]] = defaultdict(list)
    for invitation_id, organization in session.execute(query):
        found[invitation_id].append(organization)
    return found


def grant_offered(session: Session, invitation_id: int, user_id: int, *, now: datetime) -> None:
    """Make the accepted invitation's offer this editor's memberships, on the audit record."""
    organization_ids = [o.id for o in offered(session, [invitation_id]).get(invitation_id, [])]
    add_editor(session, user_id, organization_ids)
    audit.record(
        session,
        "memberships.granted",
        now=now,
        actor_id=user_id,
        subject_id=user_id,
        invitation_id=invitation_id,
        organization_ids=organization_ids,
    )


def organization_choices(session: Session) -> list[tuple[str, str]]:
    """Every organization as (id, name), by name."""
    query = select(Organization.id, Organization.name).order_by(Organization.name, Organization.id)
    return [(row.id, row.name) for row in session.execute(query)]


def organizations_with_editors(session: Session) -> list[tuple[Organization, list[User]]]:
    """Every organization by name, with the staff who may change its listings."""
    editors: dict[str, list[User]] = defaultdict(list)
    query = (
        select(OrganizationMembership.organization_id, User)
        .join(User, User.id == OrganizationMembership.user_id)
        .order_by(User.email)
    )
    for organization_id, user in session.execute(query):
        editors[organization_id].append(user)
    organizations = session.scalars(select(Organization).order_by(Organization.name))
    return [(organization, editors[organization.id]) for organization in organizations]
