"""Onboarding an organization: web addresses, names told apart as people tell them, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from webapp.accounts.models import AuditEvent
from webapp.directory import onboarding
from webapp.directory.errors import OrganizationRefused
from webapp.directory.models import Organization
from webapp.directory.onboarding import NewOrganization, website_problem


@pytest.mark.parametrize(
    "address",
    ["https://riverside.example.org", "http://riverside.example.org/help?lang=es", "HTTPS://X.ORG"],
)
def test_http_and_https_addresses_are_websites(address):
    assert website_problem(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JavaScript://riverside.example.org/%0aalert(1)",
        "ftp://riverside.example.org",
        "//riverside.example.org",
        "riverside.example.org",
        "https://",
        "https://[::1",
        "https://riverside.example.org/\nLocation: x",
        "https://riverside .example.org",
        "mailto:info@riverside.example.org",
    ],
)
def test_anything_else_is_not(address):
    assert website_problem(address) is not None


@pytest.mark.parametrize(
    "typed", ["Café Refuge", "CAFÉ   refuge", "Cafe\u0301 Refuge", " café refuge "]
)
def test_a_name_is_taken_whatever_its_case_spacing_or_accents_composition(db, typed):
    factories.organization(db, name="Café Refuge")
    assert onboarding.name_taken(db, typed)
    assert not onboarding.name_taken(db, "Cafe Refuge"), "a different name"


def test_an_organization_is_added_trimmed_and_audited(db):
    wanted = NewOrganization(
        " Prairie   Legal Aid ", " Free legal help. ", " https://p.example ", ""
    )
    organization_id = onboarding.onboard(db, wanted, now=factories.NOW, actor_id=None)
    organization = db.get(Organization, organization_id)
    assert (organization.name, organization.description) == (
        "Prairie Legal Aid",
        "Free legal help.",
    )
    assert (organization.website, organization.email) == ("https://p.example", None)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "organization.onboarded"))
    assert event.detail == {"organization_id": organization_id}


def test_every_problem_is_said_at_once_and_nothing_is_added(db):
    before = db.scalars(select(Organization.id)).all()
    with pytest.raises(OrganizationRefused) as refused:
        onboarding.onboard(
            db,
            NewOrganization("", "", "ftp://x.example", "nobody"),
            now=factories.NOW,
            actor_id=None,
        )
    assert set(refused.value.problems) == {"name", "description", "website", "email"}
    assert db.scalars(select(Organization.id)).all() == before
