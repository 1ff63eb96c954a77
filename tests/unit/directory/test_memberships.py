"""Which organizations an editor may change: kept by the directory, keyed by the user id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from webapp.accounts import invitations
from webapp.accounts.models import AuditEvent
from webapp.directory import memberships
from webapp.directory.errors import NothingOffered, UnknownOrganization


def test_an_editor_belongs_to_the_organizations_given_once_each(db, db_app):
    editor = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["editor"])
    riverside = factories.organization(db, name="Riverside")
    hilltop = factories.organization(db, name="Hilltop")
    memberships.add_editor(db, editor.id, [riverside, hilltop, riverside])
    memberships.add_editor(db, editor.id, [hilltop])
    assert [o.name for o in memberships.organizations_of(db, editor.id)] == ["Hilltop", "Riverside"]


def test_an_unknown_organization_is_refused_by_name(db, db_app):
    editor = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["editor"])
    with pytest.raises(UnknownOrganization):
        memberships.add_editor(db, editor.id, ["no-such-organization"])
    assert memberships.organizations_of(db, editor.id) == []


def test_finding_an_organization_by_name_adds_it_once(db):
    first = memberships.find_or_add_organization(db, "Demo", description="Made up.")
    assert memberships.find_or_add_organization(db, "Demo").id == first.id


def invitation_for(db, email: str = "ana@riverside.example.org") -> int:
    invitation, _token = invitations.invite(
        db,
        email=email,
        role="editor",
        now=factories.NOW,
        lifetime=timedelta(hours=72),
        secret_key="k" * 40,
        actor_id=None,
    )
    return invitation.id


def test_an_invitation_offers_organizations_that_become_memberships_when_accepted(db, db_app):
    riverside = factories.organization(db, name="Riverside")
    hilltop = factories.organization(db, name="Hilltop")
    invited = invitation_for(db)
    memberships.offer(db, invited, [riverside, hilltop, riverside])
    assert [o.name for o in memberships.offered(db, [invited])[invited]] == ["Hilltop", "Riverside"]
    editor = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["editor"])
    assert memberships.organizations_of(db, editor.id) == [], "nothing before it is accepted"
    memberships.grant_offered(db, invited, editor.id, now=factories.NOW)
    assert [o.name for o in memberships.organizations_of(db, editor.id)] == ["Hilltop", "Riverside"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "memberships.granted"))
    assert event.detail["invitation_id"] == invited
    assert sorted(event.detail["organization_ids"]) == sorted([riverside, hilltop])


def test_an_invitation_offers_at_least_one_known_organization(db):
    invited = invitation_for(db)
    with pytest.raises(NothingOffered):
        memberships.offer(db, invited, [])
    with pytest.raises(UnknownOrganization):
        memberships.offer(db, invited, ["no-such-organization"])
    assert memberships.offered(db, [invited]) == {}
