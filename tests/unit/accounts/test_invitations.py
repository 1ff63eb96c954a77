"""Invitations: a token only its hash stands for, one use, a deadline, and no account taken over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from tests import factories
from webapp.accounts import invitations
from webapp.accounts.errors import (
    InvalidEmail,
    InvitationForAnotherAccount,
    InvitationNotPending,
    InvitationUnusable,
    UnknownRole,
)
from webapp.accounts.passwords import PasswordHasher

SECRET = "s" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"
NOW = factories.NOW
DAY = timedelta(hours=24)


def invite(db, email="ana@riverside.example.org", role="editor"):
    return invitations.invite(
        db, email=email, role=role, now=NOW, lifetime=DAY, secret_key=SECRET, actor_id=None
    )


def test_the_stored_hash_needs_the_server_key():
    token = "t" * 43
    assert invitations.token_hash(SECRET, token) == invitations.token_hash(SECRET, token)
    assert invitations.token_hash(SECRET, token) != invitations.token_hash(SECRET[::-1], token)
    assert token not in invitations.token_hash(SECRET, token)


def test_a_token_opens_its_invitation_until_its_deadline(db):
    invitation, token = invite(db)
    assert (
        invitations.open_invitation(db, token, now=NOW + DAY / 2, secret_key=SECRET) is invitation
    )
    for refused in (
        dict(token=token, now=NOW + DAY, secret_key=SECRET),
        dict(token=token, now=NOW, secret_key=SECRET[::-1]),
        dict(token=token[:-1], now=NOW, secret_key=SECRET),
        dict(token="", now=NOW, secret_key=SECRET),
    ):
        with pytest.raises(InvitationUnusable):
            invitations.open_invitation(db, **refused)


def test_each_invitation_has_its_own_token(db):
    first, second = invite(db)[1], invite(db)[1]
    assert first != second and len(first) >= 43


@pytest.mark.parametrize(
    ("email", "role", "error"),
    [("ana", "editor", InvalidEmail), ("a@b.example", "owner", UnknownRole)],
)
def test_a_malformed_email_or_an_unknown_role_is_refused(db, email, role, error):
    with pytest.raises(error):
        invite(db, email=email, role=role)


def test_a_link_is_spent_once_even_by_two_tabs(db, db_app):
    invitation, token = invite(db)
    hasher = PasswordHasher(db_app.config["HAVEN_SETTINGS"])
    ana = invitations.accept_with_new_account(
        db, hasher, invitation, "harbour-lamp-violet-2031", now=NOW
    )
    assert invitation.status(NOW) == "used" and invitation.used_by == ana.id
    with pytest.raises(InvitationUnusable):
        invitations.open_invitation(db, token, now=NOW, secret_key=SECRET)
    # A second tab read the invitation before the first spent it: its copy still looks pending.
    set_committed_value(invitation, "used_at", None)
    with pytest.raises(InvitationUnusable):
        invitations.accept_into_account(db, invitation, ana, now=NOW)


def test_an_invitation_widens_only_the_account_of_its_own_email(db, db_app):
    invitation, _ = invite(db, email="ben@haven.test")
    ben = factories.user(db, db_app.config["HAVEN_SETTINGS"], email="ben@haven.test")
    carl = factories.user(db, db_app.config["HAVEN_SETTINGS"], email="carl@haven.test")
    with pytest.raises(InvitationForAnotherAccount):
        invitations.accept_into_account(db, invitation, carl, now=NOW)
    assert carl.role_names == {"advocate"}
    invitations.accept_into_account(db, invitation, ben, now=NOW)
    assert ben.role_names == {"advocate", "editor"} and invitation.used_by == ben.id


def test_only_a_pending_invitation_can_be_withdrawn(db):
    invitation, token = invite(db)
    expired, _ = invite(db)
    invitations.withdraw(db, invitation.id, now=NOW, actor_id=None)
    assert invitation.status(NOW) == "withdrawn"
    with pytest.raises(InvitationUnusable):
        invitations.open_invitation(db, token, now=NOW, secret_key=SECRET)
    for gone in (invitation.id, 10**9):
        with pytest.raises(InvitationNotPending):
            invitations.withdraw(db, gone, now=NOW, actor_id=None)
    with pytest.raises(InvitationNotPending):
        invitations.withdraw(db, expired.id, now=NOW + DAY, actor_id=None)
    assert expired.status(NOW + DAY) == "expired"
