"""Invitations for editors: a moderator makes a single-use link, the editor sets a password and a
second factor through it and lands in the portal; links that lead nowhere all look alike."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from tests import factories
from tests.conftest import app_on, csrf_token
from tests.integration.test_onboarding import signed_in
from webapp.accounts import invitations, operations
from webapp.accounts.models import AuditEvent, Invitation, User
from webapp.accounts.passwords import PasswordHasher
from webapp.db import session_scope
from webapp.directory import memberships

NEW_PASSWORD = "harbour-lamp-violet-2031"
LINK = re.compile(r'id="invitation-link" type="text" readonly value="([^"]+)"')
SECRET_IN_PAGE = re.compile(r"<code>([A-Z2-7]{32})</code>")
HOUR = 3600


@pytest.fixture
def organizations(db_app) -> dict[str, str]:
    with session_scope(db_app) as session:
        return {
            "Riverside Shelter": factories.organization(session, name="Riverside Shelter"),
            "Hilltop Counselling": factories.organization(session, name="Hilltop Counselling"),
        }


@pytest.fixture
def moderator(db_app, clock):
    return signed_in(db_app, clock, ["moderator"])


def post(browser, action: str, data: dict, page: str = "/staff/login"):
    token = csrf_token(browser.get(page).get_data(as_text=True))
    return browser.post(action, data={"csrf_token": token, **data})


def invite(browser, email: str, organization_ids: list[str]):
    return post(
        browser,
        "/portal/invitations",
        {"email": email, "organizations": organization_ids},
        page="/portal/invitations",
    )


def invited_link(browser, email: str, organization_ids: list[str]) -> str:
    """The path of the link the receipt shows, as the invitee opens it."""
    receipt = invite(browser, email, organization_ids)
    assert receipt.status_code == 200
    return LINK.search(receipt.get_data(as_text=True)).group(1).removeprefix("http://localhost")


def join(app, link: str, password=NEW_PASSWORD, confirm=None, browser=None):
    """Open the link and set a password through it (in a new browser unless given one)."""
    browser = browser or app.test_client()
    token = csrf_token(browser.get(link).get_data(as_text=True))
    data = {"csrf_token": token, "password": password, "confirm": confirm or password}
    return browser.post(link, data=data)


def stored(app, model, *conditions):
    with session_scope(app) as session:
        return list(session.scalars(select(model).where(*conditions)))


def audit_actions(app) -> list[str]:
    with session_scope(app) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_link_is_shown_once_and_only_a_keyed_hash_of_its_token_is_kept(
    db_app, moderator, organizations
):
    browser, moderator_id = moderator
    receipt = invite(browser, " Ana@Riverside.example.org ", [organizations["Riverside Shelter"]])
    page = receipt.get_data(as_text=True)
    assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"
    link = LINK.search(page).group(1)
    token = link.rsplit("/", 1)[1]
    assert link.startswith("http://localhost/portal/join/") and len(token) >= 43
    assert "ana@riverside.example.org" in page and "Riverside Shelter" in page
    [invitation] = stored(db_app, Invitation)
    assert invitation.email == "ana@riverside.example.org" and invitation.role == "editor"
    assert invitation.token_hash == invitations.token_hash(
        db_app.config["HAVEN_SETTINGS"].secret_key, token
    )
    with session_scope(db_app) as session:
        row = session.execute(select(Invitation.__table__)).one()
    assert token not in " ".join(str(value) for value in row)
    listing = browser.get("/portal/invitations").get_data(as_text=True)
    assert token not in listing, "shown once"
    assert "Pending: the link works until" in listing and "Riverside Shelter" in listing
    with session_scope(db_app) as session:
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.created")
        ).all()
        assert (event.actor_id, event.detail) == (
            moderator_id,
            {"invitation_id": invitation.id, "role": "editor"},
        )


def test_an_invited_editor_sets_a_password_and_a_second_factor_and_lands_in_the_portal(
    db_app, clock, moderator, organizations
):
    browser, _ = moderator
    wanted = [organizations["Riverside Shelter"], organizations["Hilltop Counselling"]]
    link = invited_link(browser, "ana@riverside.example.org", wanted)
    editor = db_app.test_client()
    form = editor.get(link)
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'value="ana@riverside.example.org" readonly' in page
    assert "Hilltop Counselling, Riverside Shelter" in page
    joined = join(db_app, link, browser=editor)
    assert joined.status_code == 303 and joined.headers["Location"].startswith("/staff/enrol")
    secret = SECRET_IN_PAGE.search(editor.get("/staff/enrol").get_data(as_text=True)).group(1)
    code = pyotp.TOTP(secret).at(int(clock.time()))
    codes = post(editor, "/staff/enrol", {"code": code}, page="/staff/enrol")
    assert codes.status_code == 200
    assert 'href="/portal/"' in codes.get_data(as_text=True)
    assert editor.get("/portal/").status_code == 200, "signed in, both steps done"
    with session_scope(db_app) as session:
        user = operations.find_user(session, "ana@riverside.example.org")
        assert user.role_names == {"editor"} and user.mfa_enrolled_at is not None
        assert PasswordHasher(db_app.config["HAVEN_SETTINGS"]).verify(
            user.password_hash, NEW_PASSWORD
        )
        names = [o.name for o in memberships.organizations_of(session, user.id)]
        assert names == ["Hilltop Counselling", "Riverside Shelter"]
        [invitation] = session.scalars(select(Invitation)).all()
        assert (invitation.used_by, invitation.status(invitation.used_at)) == (user.id, "used")
    assert audit_actions(db_app)[-5:] == [
        "user.created",
        "invitation.accepted",
        "memberships.granted",
        "mfa.enrolled",
        "signin.succeeded",
    ]
    assert "Used on" in browser.get("/portal/invitations").get_data(as_text=True)


def test_the_link_works_once(db_app, moderator, organizations):
    browser, _ = moderator
    link = invited_link(browser, "ana@riverside.example.org", [organizations["Riverside Shelter"]])
    assert join(db_app, link).status_code == 303
    again = db_app.test_client().get(link)
    assert again.status_code == 404
    assert "This invitation link cannot be used." in again.get_data(as_text=True)
    assert 'name="password"' not in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short-one", None, "Use at least 12 characters."),
        ("password1234", None, "This password is too common."),
        ("ana-riverside-forever", None, "Do not use your email address"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords differ."),
        ("", None, "Type your password."),
    ],
)
def test_a_refused_password_keeps_nothing_and_the_link_still_works(
    db_app, moderator, organizations, password, confirm, message
):
    browser, _ = moderator
    link = invited_link(browser, "ana-riverside@example.org", [organizations["Riverside Shelter"]])
    refused = join(db_app, link, password=password, confirm=confirm)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert message in page and 'class="error"' in page
    assert password not in page or not password, "a password is never sent back"
    assert stored(db_app, User, User.email == "ana-riverside@example.org") == []
    [invitation] = stored(db_app, Invitation)
    assert invitation.used_at is None
    assert join(db_app, link).status_code == 303, "the link is still good"


@pytest.mark.parametrize(
    ("email", "chosen", "errors"),
    [
        ("ana-at-riverside", ["Riverside Shelter"], ["Type an email address such as"]),
        ("", ["Riverside Shelter"], ["Type the editor"]),
        ("ana@riverside.example.org", [], ["Choose at least one organization."]),
        ("nobody", [], ["Type an email address such as", "Choose at least one organization."]),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_stores_nothing(
    db_app, moderator, organizations, email, chosen, errors
):
    browser, _ = moderator
    refused = invite(browser, email, [organizations[name] for name in chosen])
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    for error in errors:
        assert error in page
    assert f'value="{email}"' in page, "the email stays as typed"
    for name in chosen:
        assert f'value="{organizations[name]}" checked' in page, "choices stay checked"
    assert stored(db_app, Invitation) == []
    assert "invitation.created" not in audit_actions(db_app)


def test_an_organization_that_is_not_in_the_directory_is_refused(db_app, moderator, organizations):
    browser, _ = moderator
    refused = invite(browser, "ana@riverside.example.org", ["no-such-organization"])
    assert refused.status_code == 400
    assert "no longer in the directory" in refused.get_data(as_text=True)
    assert stored(db_app, Invitation) == []


def neutral(response) -> tuple[int, str]:
    """The status and the main part of the page: what a visitor can compare."""
    page = response.get_data(as_text=True)
    return response.status_code, page.split("<main", 1)[1].split("</main>", 1)[0]


def test_unknown_used_withdrawn_and_expired_links_get_the_same_answer(
    db_app, clock, moderator, organizations
):
    browser, _ = moderator
    riverside = [organizations["Riverside Shelter"]]
    used = invited_link(browser, "used@riverside.example.org", riverside)
    join(db_app, used)
    withdrawn = invited_link(browser, "withdrawn@riverside.example.org", riverside)
    [pending] = stored(db_app, Invitation, Invitation.email == "withdrawn@riverside.example.org")
    post(browser, f"/portal/invitations/{pending.id}/withdraw", {}, page="/portal/invitations")
    expired = invited_link(browser, "expired@riverside.example.org", riverside)
    clock.advance(72 * HOUR)
    unknown = "/portal/join/" + "A" * 43
    answers = {
        name: neutral(db_app.test_client().get(link))
        for name, link in [
            ("unknown", unknown),
            ("used", used),
            ("withdrawn", withdrawn),
            ("expired", expired),
        ]
    }
    assert answers["unknown"][0] == 404
    assert "This invitation link cannot be used." in answers["unknown"][1]
    assert answers["used"] == answers["withdrawn"] == answers["expired"] == answers["unknown"]
    posted = post(db_app.test_client(), unknown, {"password": NEW_PASSWORD, "confirm": ""})
    assert neutral(posted) == answers["unknown"]


def test_a_link_expires_after_invite_hours_on_the_stopped_clock(
    db_app, clock, moderator, organizations
):
    browser, _ = moderator
    link = invited_link(browser, "ana@riverside.example.org", [organizations["Riverside Shelter"]])
    clock.advance(72 * HOUR - 1)
    assert db_app.test_client().get(link).status_code == 200, "a second before it expires"
    clock.advance(1)
    assert db_app.test_client().get(link).status_code == 404
    assert join(db_app, link).status_code == 404
    moderator_now, _ = signed_in(db_app, clock, ["moderator"])
    listing = moderator_now.get("/portal/invitations").get_data(as_text=True)
    assert "Expired on" in listing and "Withdraw the invitation" not in listing


def test_invite_hours_sets_the_lifetime(templates, database_kind, clock):
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, invite_hours=2)
        with session_scope(app) as session:
            riverside = factories.organization(session, name="Riverside Shelter")
        browser, _ = signed_in(app, clock, ["moderator"])
        link = invited_link(browser, "ana@riverside.example.org", [riverside])
        clock.advance(2 * HOUR - 1)
        assert app.test_client().get(link).status_code == 200
        clock.advance(1)
        assert app.test_client().get(link).status_code == 404
        app.extensions["db.engine"].dispose()


def test_a_moderator_withdraws_a_pending_invitation(db_app, moderator, organizations):
    browser, moderator_id = moderator
    link = invited_link(browser, "ana@riverside.example.org", [organizations["Riverside Shelter"]])
    [invitation] = stored(db_app, Invitation)
    action = f"/portal/invitations/{invitation.id}/withdraw"
    withdrawn = post(browser, action, {}, page="/portal/invitations")
    assert withdrawn.status_code == 303
    listing = browser.get(withdrawn.headers["Location"]).get_data(as_text=True)
    assert "The invitation is withdrawn: its link leads nowhere now." in listing
    assert "Withdrawn on" in listing
    assert db_app.test_client().get(link).status_code == 404
    again = post(browser, action, {}, page="/portal/invitations")
    assert "no longer pending" in browser.get(again.headers["Location"]).get_data(as_text=True)
    with session_scope(db_app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.withdrawn")
        ).all()
        assert [(e.actor_id, e.detail) for e in events] == [
            (moderator_id, {"invitation_id": invitation.id})
        ]


def test_wrong_links_are_throttled_and_then_even_a_good_one_waits(db_app, moderator, organizations):
    browser, _ = moderator
    link = invited_link(browser, "ana@riverside.example.org", [organizations["Riverside Shelter"]])
    guesser = {"REMOTE_ADDR": "198.51.100.7"}
    with time_machine.travel(datetime(2031, 1, 1, 9, tzinfo=UTC), tick=False) as traveller:
        for guess in range(10):
            wrong = db_app.test_client().get(f"/portal/join/guess{guess}", environ_base=guesser)
            assert wrong.status_code == 404
        held = db_app.test_client().get(link, environ_base=guesser)
        assert held.status_code == 429
        assert db_app.test_client().get(link).status_code == 200, "another client is not held"
        traveller.shift(15 * 60 + 1)
        assert db_app.test_client().get(link, environ_base=guesser).status_code == 200


def test_an_existing_account_is_never_given_a_password_through_a_link(
    db_app, clock, moderator, organizations
):
    browser, _ = moderator
    with session_scope(db_app) as session:
        ben = factories.user(
            session, db_app.config["HAVEN_SETTINGS"], email="ben@haven.test", roles=["advocate"]
        )
        ben_id, old_hash = ben.id, ben.password_hash
    receipt = invite(browser, "ben@haven.test", [organizations["Riverside Shelter"]])
    assert "already has a staff account" in receipt.get_data(as_text=True)
    link = LINK.search(receipt.get_data(as_text=True)).group(1).removeprefix("http://localhost")
    stranger = db_app.test_client()
    page = stranger.get(link).get_data(as_text=True)
    assert "Sign in as that account to accept" in page and 'name="password"' not in page
    assert "/staff/login?next=/portal/join/" in page
    taken = join(db_app, link, browser=stranger)
    assert taken.status_code == 403
    with session_scope(db_app) as session:
        ben = session.get(User, ben_id)
        assert ben.password_hash == old_hash and ben.role_names == {"advocate"}
        assert memberships.organizations_of(session, ben_id) == []
    assert stored(db_app, Invitation)[0].used_at is None


def test_an_existing_account_accepts_once_signed_in_as_itself(
    db_app, clock, moderator, organizations
):
    browser, _ = moderator
    with session_scope(db_app) as session:
        ben = factories.user(
            session, db_app.config["HAVEN_SETTINGS"], email="ben@haven.test", roles=["advocate"]
        )
        ben_id = ben.id
    link = invited_link(browser, "ben@haven.test", [organizations["Riverside Shelter"]])
    other, _ = signed_in(db_app, clock, ["editor"])
    elsewhere = other.get(link).get_data(as_text=True)
    assert "This invitation is for another account." in elsewhere
    assert post(other, link, {}, page=link).status_code == 403
    owner = db_app.test_client()
    sign_in = re.search(
        r'href="(/staff/login\?next=[^"]+)"', owner.get(link).get_data(as_text=True)
    )
    password_step = post(
        owner,
        sign_in.group(1),
        {"email": "ben@haven.test", "password": factories.PASSWORD},
    )
    assert password_step.headers["Location"].startswith("/staff/enrol")
    enrol = password_step.headers["Location"]
    secret = SECRET_IN_PAGE.search(owner.get(enrol).get_data(as_text=True)).group(1)
    codes = post(owner, enrol, {"code": pyotp.TOTP(secret).at(int(clock.time()))}, page=enrol)
    assert f'href="{link}"' in codes.get_data(as_text=True), "back to the invitation"
    offer = owner.get(link).get_data(as_text=True)
    assert "Accept the invitation" in offer and 'name="password"' not in offer
    accepted = post(owner, link, {}, page=link)
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/portal/"
    assert owner.get("/portal/").status_code == 200
    with session_scope(db_app) as session:
        ben = session.get(User, ben_id)
        assert ben.role_names == {"advocate", "editor"}
        assert [o.name for o in memberships.organizations_of(session, ben_id)] == [
            "Riverside Shelter"
        ]
    assert owner.get(link).status_code == 404, "spent"


@pytest.mark.parametrize("role", ["editor", "advocate"])
def test_editors_and_advocates_cannot_invite_or_withdraw(db_app, clock, organizations, role):
    browser, _ = signed_in(db_app, clock, [role])
    assert browser.get("/portal/invitations").status_code == 403
    refused = post(
        browser,
        "/portal/invitations",
        {"email": "mallory@example.org", "organizations": [organizations["Riverside Shelter"]]},
        page="/staff/sessions",
    )
    assert refused.status_code == 403
    assert stored(db_app, Invitation) == []
    withdraw = post(browser, "/portal/invitations/1/withdraw", {}, page="/staff/sessions")
    assert withdraw.status_code == 403
