"""Partner agencies and who works for them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.reports.errors import UnknownAgency
from webapp.reports.models import AgencyMembership, PartnerAgency


def find_or_add_agency(session: Session, name: str) -> PartnerAgency:
    found = session.scalar(select(PartnerAgency).where(PartnerAgency.name == name))
    if found is None:
        found = PartnerAgency(name=name)
        session.add(found)
        session.flush()
    return found


def add_members(session: Session, user_id: int, agency_ids: Iterable[str]) -> None:
    """Let this staff member see what is shared with these agencies."""
    for agency_id in agency_ids:
        if session.get(PartnerAgency, agency_id) is None:
            raise UnknownAgency(agency_id)
        if session.get(AgencyMembership, (user_id, agency_id)) is None:
            session.add(AgencyMembership(user_id=user_id, agency_id=agency_id))
    session.flush()


def agencies_of(session: Session, user_id: int) -> list[PartnerAgency]:
    query = (
        select(PartnerAgency)
        .join(AgencyMembership, AgencyMembership.agency_id == PartnerAgency.id)
        .where(AgencyMembership.user_id == user_id)
        .order_by(PartnerAgency.name)
    )
    return list(session.scalars(query))


def all_agencies(session: Session) -> list[PartnerAgency]:
    """Every partner agency, by name: what a reporter may share with."""
    return list(session.scalars(select(PartnerAgency).order_by(PartnerAgency.name)))
