"""Moderators add organizations to the directory at /portal/onboarding, and see their editors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token
from webapp.accounts.models import AuditEvent
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.directory import memberships
from webapp.directory.models import Organization

FORM = {
    "name": "Prairie Legal Aid",
    "description": "Free legal help with protection orders.",
    "website": "https://prairie-legal.example.org/help",
    "email": "intake@prairie-legal.example.org",
}


def signed_in(app, clock, roles) -> tuple:
    """A browser signed in as a new staff member with these roles, and that member's id."""
    with session_scope(app) as session:
        user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=roles)
        token = start_session(session, user, now=datetime.fromtimestamp(clock.time(), UTC))
        user_id = user.id
    browser = app.test_client()
    browser.set_cookie("staff", token)
    return browser, user_id


@pytest.fixture
def moderator(db_app, clock):
    return signed_in(db_app, clock, ["moderator"])


def add(browser, **changes):
    token = csrf_token(browser.get("/portal/onboarding").get_data(as_text=True))
    return browser.post("/portal/onboarding", data={"csrf_token": token, **FORM, **changes})


def organizations_named(app, name: str) -> list[Organization]:
    with session_scope(app) as session:
        return list(session.scalars(select(Organization).where(Organization.name == name)))


def organization_count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Organization))


def test_a_moderator_adds_an_organization_and_is_sent_to_invite_its_editors(db_app, moderator):
    browser, moderator_id = moderator
    added = add(browser)
    assert added.status_code == 303
    [organization] = organizations_named(db_app, "Prairie Legal Aid")
    assert added.headers["Location"] == f"/portal/invitations?organization={organization.id}"
    assert (organization.description, organization.website, organization.email) == (
        FORM["description"],
        FORM["website"],
        FORM["email"],
    )
    invite_page = browser.get(added.headers["Location"]).get_data(as_text=True)
    assert "Prairie Legal Aid is in the directory. Invite its editors now." in invite_page
    assert f'value="{organization.id}" checked' in invite_page, "chosen for the invitation"
    assert "Prairie Legal Aid" in browser.get("/portal/onboarding").get_data(as_text=True)
    with session_scope(db_app) as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "organization.onboarded")
        ).all()
        assert [(e.actor_id, e.detail) for e in audited] == [
            (moderator_id, {"organization_id": organization.id})
        ]


def test_the_public_api_shows_the_new_organization(db_app, moderator):
    browser, _ = moderator
    add(browser, website="", email="")
    [organization] = organizations_named(db_app, "Prairie Legal Aid")
    answer = db_app.test_client().get(f"/api/hsds/organizations/{organization.id}").get_json()
    assert answer["name"] == "Prairie Legal Aid" and "website" not in answer, "empty means absent"


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "ftp://files.example.org/",
        "prairie-legal.example.org",
        "https://",
        "https://exa mple.org/",
        "data:text/html,hello",
    ],
)
def test_a_website_that_is_not_http_or_https_is_refused_and_the_rest_kept(
    db_app, moderator, website
):
    browser, _ = moderator
    before = organization_count(db_app)
    refused = add(browser, website=website)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Type a web address that starts with http:// or https://." in page
    assert 'id="website-error"' in page and 'aria-invalid="true"' in page
    assert 'value="Prairie Legal Aid"' in page and FORM["description"] in page
    assert f'value="{FORM["email"]}"' in page
    assert organization_count(db_app) == before, "nothing stored"


def test_plain_http_is_allowed(db_app, moderator):
    browser, _ = moderator
    assert add(browser, website="http://prairie-legal.example.org").status_code == 303


def test_a_name_already_in_the_directory_is_a_field_error(db_app, moderator):
    browser, _ = moderator
    assert add(browser).status_code == 303
    refused = add(browser, name="  prairie   LEGAL aid ", description="Another one.")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "An organization with this name is already in the directory." in page
    assert 'id="name-error"' in page and "Another one." in page
    assert len(organizations_named(db_app, "Prairie Legal Aid")) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Type the organization"),
        ({"description": ""}, "description", "Say in a sentence or two what the organization"),
        ({"email": "intake-at-example.org"}, "email", "Type an email address such as info@"),
        ({"name": "x" * 201}, "name", "Keep it to at most 200 characters."),
    ],
)
def test_missing_or_malformed_fields_are_refused_next_to_the_field(
    db_app, moderator, changes, field, message
):
    browser, _ = moderator
    before = organization_count(db_app)
    refused = add(browser, **changes)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f'<p class="error" id="{field}-error">' in page and message in page
    assert organization_count(db_app) == before


def test_the_list_names_each_organizations_editors(db_app, clock, moderator):
    browser, _ = moderator
    with session_scope(db_app) as session:
        riverside = factories.organization(session, name="Riverside Shelter")
        factories.organization(session, name="Hilltop Counselling")
        ana = factories.user(
            session, db_app.config["HAVEN_SETTINGS"], email="ana@riverside.test", roles=["editor"]
        )
        memberships.add_editor(session, ana.id, [riverside])
    page = browser.get("/portal/onboarding").get_data(as_text=True)
    riverside_card = page.split("Riverside Shelter</strong>")[1].split("</li>")[0]
    hilltop_card = page.split("Hilltop Counselling</strong>")[1].split("</li>")[0]
    assert "ana@riverside.test" in riverside_card
    assert "ana@riverside.test" not in hilltop_card and "none yet" in hilltop_card


@pytest.mark.parametrize("role", ["editor", "advocate"])
def test_editors_and_advocates_cannot_onboard(db_app, clock, role):
    browser, _ = signed_in(db_app, clock, [role])
    assert browser.get("/portal/onboarding").status_code == 403
    token = csrf_token(browser.get("/staff/sessions").get_data(as_text=True))
    refused = browser.post("/portal/onboarding", data={"csrf_token": token, **FORM})
    assert refused.status_code == 403
    assert organizations_named(db_app, "Prairie Legal Aid") == []
