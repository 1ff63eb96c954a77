"""Every staff route with every role, and with nobody signed in: allowed or refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.conftest import csrf_token
from webapp.accounts import operations
from webapp.accounts.models import Role
from webapp.accounts.sessions import start_session
from webapp.db import session_scope

ALL = frozenset(role.value for role in Role)
PUBLIC = None
# What each staff endpoint admits; a route missing here fails the completeness test.
EXPECTED = {
    "staff.login": PUBLIC,
    "staff.login_submit": PUBLIC,
    "staff.second_factor": PUBLIC,
    "staff.enrol": PUBLIC,
    "staff.logout": ALL,
    "staff.sessions": ALL,
    "staff.end_everywhere": ALL,
    "console.index": {"advocate", "supervisor"},
    "console.take_next": {"advocate", "supervisor"},
    "console.take": {"advocate", "supervisor"},
    "console.card": {"advocate", "supervisor"},
    "console.call_now": {"advocate", "supervisor"},
    "console.outcome": {"advocate", "supervisor"},
    "console.release": {"advocate", "supervisor"},
    "console.presence": {"advocate", "supervisor"},
    "console.phone": {"advocate", "supervisor"},
    "console.reports": {"advocate", "supervisor"},
    "console.report": {"advocate", "supervisor"},
    "console.photo": {"advocate", "supervisor"},
    "console.reply": {"advocate", "supervisor"},
    "console.status": {"advocate", "supervisor"},
    "console.note": {"advocate", "supervisor"},
    "portal.index": {"editor", "moderator"},
    "portal.service": {"editor", "moderator"},
    "portal.propose": {"editor", "moderator"},
    "portal.translations": {"editor", "moderator"},
    "portal.translate": {"editor", "moderator"},
    "portal.history": {"editor", "moderator"},
    "portal.confirm": {"editor", "moderator"},
    "portal.stale": {"editor", "moderator"},
    "portal.change": {"editor", "moderator"},
    "portal.withdraw": {"editor", "moderator"},
    "portal.queue": {"moderator"},
    "portal.approve": {"moderator"},
    "portal.reject": {"moderator"},
    "portal.quick": {"moderator"},
    "portal.corrections_list": {"moderator"},
    "portal.resolve_correction": {"moderator"},
    "portal.onboarding_page": {"moderator"},
    "portal.onboard": {"moderator"},
    "portal.invitations_page": {"moderator"},
    "portal.invite": {"moderator"},
    "portal.withdraw_invitation": {"moderator"},
    "portal.join": PUBLIC,
    "partners.index": {"partner"},
    "partners.report": {"partner"},
    "partners.photo": {"partner"},
    "partners.note": {"partner"},
    "partners.figures": {"partner"},
    "partners.figures_csv": {"partner"},
    "admin.index": {"admin"},
    "admin.users": {"admin"},
    "admin.user": {"admin"},
    "admin.change_roles": {"admin"},
    "admin.disable": {"admin"},
    "admin.enable": {"admin"},
    "admin.reset_mfa": {"admin"},
    "admin.audit_log": {"admin"},
}
STAFF_PREFIXES = ("/staff", "/console", "/portal", "/partners", "/admin")
PASSWORD = "lantern-river-stone-1987"


@pytest.fixture
def app(db_app):
    """One staff member per role, and a target for the admin's actions; rolled back after."""
    with session_scope(db_app) as session:
        for role in [*ALL, "target"]:
            factories.user(
                session,
                db_app.config["HAVEN_SETTINGS"],
                email=f"{role}@haven.test",
                roles=[role] if role != "target" else ["advocate"],
            )
    return db_app


def staff_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(STAFF_PREFIXES):
            path = re.sub(r"<int(\([^)]*\))?:user_id>", "{target}", rule.rule)
            path = re.sub(r"<int(\([^)]*\))?:request_id>", "1", path)
            path = re.sub(r"<int(\([^)]*\))?:[a-z_]+>", "1", path)  # an id nobody has
            path = re.sub(r"<[a-z_]+>", "x", path)
            path = re.sub(
                r"<uuid(\([^)]*\))?:[a-z_]+>", "ac148810-d857-441c-9679-408f346de14b", path
            )
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, path))
    return sorted(routes)


def browser_as(app, clock, role: str | None):
    client = app.test_client()
    if role is not None:
        with session_scope(app) as session:
            user = operations.find_user(session, f"{role}@haven.test")
            token = start_session(session, user, now=datetime.fromtimestamp(clock.time(), UTC))
        client.set_cookie("staff", token)
    return client


def target_id(app) -> int:
    with session_scope(app) as session:
        return operations.find_user(session, "target@haven.test").id


def test_every_staff_route_is_classified(app):
    assert {endpoint for endpoint, _, _ in staff_routes(app)} == set(EXPECTED)


@pytest.mark.parametrize("role", [None, *sorted(ALL)])
def test_each_role_reaches_exactly_its_routes(app, clock, role):
    target = target_id(app)
    for endpoint, method, path in staff_routes(app):
        client = browser_as(app, clock, role)
        url = path.format(target=target)
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_token(client.get("/").get_data(as_text=True))
            response = client.post(url, data={"csrf_token": token})
        admitted = EXPECTED[endpoint]
        refused_anonymous = response.status_code == 303 and response.headers["Location"].startswith(
            "/staff/login?next="
        )
        if admitted is PUBLIC:
            assert response.status_code != 403 and not refused_anonymous, (endpoint, role)
        elif role in admitted:  # let in: what it then says (a redirect, a 400) is its own business
            assert response.status_code not in (401, 403, 500), (endpoint, role)
            assert not refused_anonymous, (endpoint, role)
        elif role is None:
            assert refused_anonymous, (endpoint, method, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, role, response.status_code)


def test_a_refusal_keeps_the_staff_look_and_says_why(app, clock):
    page = browser_as(app, clock, "partner").get("/admin/users")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "Your account does not give you access to this page." in text
    assert 'data-testid="quick-exit"' not in text and "Haven staff" in text


def test_an_admin_cannot_lock_themselves_out(app, clock):
    admin = browser_as(app, clock, "admin")
    with session_scope(app) as session:
        own_id = operations.find_user(session, "admin@haven.test").id
    token = csrf_token(admin.get("/").get_data(as_text=True))
    refused = admin.post(
        f"/admin/users/{own_id}/roles", data={"csrf_token": token, "roles": ["advocate"]}
    )
    assert refused.status_code == 400
    assert "cannot remove your own administrator access" in refused.get_data(as_text=True)
    assert (
        admin.post(f"/admin/users/{own_id}/disable", data={"csrf_token": token}).status_code == 400
    )
    assert admin.get("/admin/users").status_code == 200, "still an admin, still signed in"


@pytest.mark.parametrize("path", ["/staff/nowhere", "/console/nowhere", "/admin/nowhere"])
def test_an_unknown_staff_address_answers_as_a_staff_page(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Haven staff" in page and 'data-testid="unlock"' not in page
