"""Moderators onboard organizations and invite their editors; an invited editor joins here.

There is no email: an invitation's link is shown once, to the moderator who made it, to pass
on. The join page is public. A link that leads nowhere (unknown, used, withdrawn or expired)
gets one neutral answer, and a client that opens many is held for a while (then every link,
good or not, gets the same refusal). A link to an email that already has an account never sets
its password: the account's owner signs in as usual and accepts it (accounts/invitations.py).
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.accounts import invitations, operations, throttle
from webapp.accounts.errors import (
    EmailTaken,
    InvalidEmail,
    InvitationNotPending,
    InvitationUnusable,
    WeakPassword,
)
from webapp.accounts.models import Invitation, Role, User
from webapp.db import get_session
from webapp.directory import memberships, onboarding
from webapp.directory.errors import OrganizationRefused, UnknownOrganization
from webapp.portal.blueprint import bp
from webapp.portal.invitation_forms import InvitationForm, JoinForm, OrganizationForm
from webapp.runtime import now, public_url_for, settings
from webapp.security import client_key
from webapp.staff.auth import hasher, second_step_for
from webapp.staff.principal import current_principal, role_required

# An invitation id the database can hold (PostgreSQL's integer): a longer number is not found.
INVITATION_ID = "<int(max=2147483647):invitation_id>"
NOTHING_HERE = _l(
    "This invitation link cannot be used. A link works once, for a limited time, and can be "
    "withdrawn. Ask the moderator who sent it for a new one."
)
NOT_AN_EMAIL = _l("Type an email address such as name@example.org.")
CHOOSE_ORGANIZATIONS = _l("Choose at least one organization.")
GONE_ORGANIZATION = _l("An organization you chose is no longer in the directory. Choose again.")


@bp.get("/onboarding")
@role_required(Role.MODERATOR)
def onboarding_page(principal: User):
    return _onboarding(OrganizationForm())


def _onboarding(form: OrganizationForm, status: int = 200):
    listed = memberships.organizations_with_editors(get_session())
    return render_template("portal/onboarding.html", form=form, organizations=listed), status


@bp.post("/onboarding")
@role_required(Role.MODERATOR)
def onboard(principal: User):
    form = OrganizationForm()
    if not form.validate_on_submit():
        return _onboarding(form, 400)
    wanted = onboarding.NewOrganization(
        name=form.name.data or "",
        description=form.description.data or "",
        website=form.website.data or "",
        email=form.email.data or "",
    )
    try:
        organization_id = onboarding.onboard(
            get_session(), wanted, now=now(), actor_id=principal.id
        )
    except OrganizationRefused as refused:
        for field, message in refused.problems.items():
            form[field].errors = [message]
        return _onboarding(form, 400)
    flash(_("%(name)s is in the directory. Invite its editors now.", name=wanted.cleaned().name))
    return redirect(url_for("portal.invitations_page", organization=organization_id), 303)


@bp.get("/invitations")
@role_required(Role.MODERATOR)
def invitations_page(principal: User):
    form = InvitationForm(organizations=request.args.getlist("organization"))
    return _invitations(form)


def _invitations(form: InvitationForm, status: int = 200):
    db = get_session()
    form.organizations.choices = memberships.organization_choices(db)
    listed = invitations.invitations_for_role(db, Role.EDITOR)
    inviter_ids = {invitation.invited_by for invitation in listed}
    inviters = dict(db.execute(select(User.id, User.email).where(User.id.in_(inviter_ids))).all())
    return render_template(
        "portal/invitations.html",
        form=form,
        invitations=listed,
        offers=memberships.offered(db, [invitation.id for invitation in listed]),
        inviters=inviters,
        hours=settings().invite_hours,
        now=now(),
    ), status


@bp.post("/invitations")
@role_required(Role.MODERATOR)
def invite(principal: User):
    form, db = InvitationForm(), get_session()
    valid = form.validate_on_submit()
    chosen = [choice for choice in form.organizations.data or [] if choice]
    try:
        operations.checked_email(form.email.data or "")
    except InvalidEmail:
        form.email.errors, valid = list(form.email.errors) or [NOT_AN_EMAIL], False
    try:
        memberships.known(db, chosen)
    except UnknownOrganization:
        form.organizations.errors, valid = [GONE_ORGANIZATION], False
    if not chosen:
        form.organizations.errors, valid = [CHOOSE_ORGANIZATIONS], False
    if not valid:
        return _invitations(form, 400)
    return _invited(principal, form.email.data, chosen)


def _invited(principal: User, email: str, organization_ids: list[str]):
    """Make the invitation and show its link, this once (the receipt)."""
    db, config = get_session(), settings()
    invitation, token = invitations.invite(
        db,
        email=email,
        role=Role.EDITOR,
        now=now(),
        lifetime=timedelta(hours=config.invite_hours),
        secret_key=config.secret_key,
        actor_id=principal.id,
    )
    memberships.offer(db, invitation.id, organization_ids)
    return render_template(
        "portal/invitation_sent.html",
        invitation=invitation,
        link=_join_link(token),
        organizations=memberships.offered(db, [invitation.id])[invitation.id],
        has_account=operations.find_user(db, invitation.email) is not None,
    )


def _join_link(token: str) -> str:
    """The whole address to pass on: PUBLIC_URL's (production always has one), else this one."""
    if settings().public_url:
        return public_url_for("portal.join", token=token)
    return url_for("portal.join", token=token, _external=True)


@bp.post(f"/invitations/{INVITATION_ID}/withdraw")
@role_required(Role.MODERATOR)
def withdraw_invitation(principal: User, invitation_id: int):
    try:
        invitations.withdraw(get_session(), invitation_id, now=now(), actor_id=principal.id)
    except InvitationNotPending:
        flash(_("That invitation was no longer pending: nothing changed."))
    else:
        flash(_("The invitation is withdrawn: its link leads nowhere now."))
    return redirect(url_for("portal.invitations_page"), 303)


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Public: the invited editor sets a password, then enrols the second factor."""
    invitation = _open_or_refuse(token)
    account = operations.find_user(get_session(), invitation.email)
    if account is not None:
        return _join_existing(invitation, account)
    form = JoinForm()
    if not form.validate_on_submit():
        return _join_page(form, invitation, 400 if request.method == "POST" else 200)
    try:
        user = invitations.accept_with_new_account(
            get_session(), hasher(), invitation, form.password.data, now=now()
        )
    except WeakPassword as weak:
        form.password.errors = list(weak.problems)
        return _join_page(form, invitation, 400)
    except (InvitationUnusable, EmailTaken):  # another tab took the link a moment ago
        abort(404, NOTHING_HERE)
    memberships.grant_offered(get_session(), invitation.id, user.id, now=now())
    return redirect(second_step_for(user), 303)


def _open_or_refuse(token: str) -> Invitation:
    """The pending invitation of this token; the neutral 404 otherwise (counted), or 429."""
    client = client_key()
    if throttle.invitation_held(client):
        abort(429)
    try:
        return invitations.open_invitation(
            get_session(), token, now=now(), secret_key=settings().secret_key
        )
    except InvitationUnusable:
        throttle.count_invitation_failure(client)
        abort(404, NOTHING_HERE)


def _offer(invitation: Invitation) -> list:
    return memberships.offered(get_session(), [invitation.id]).get(invitation.id, [])


def _join_page(form: JoinForm, invitation: Invitation, status: int):
    form.password.data = form.confirm.data = ""
    return render_template(
        "portal/join.html", form=form, invitation=invitation, organizations=_offer(invitation)
    ), status


def _join_existing(invitation: Invitation, account: User):
    """An account already has this email: only its owner, signed in, may accept."""
    principal = current_principal()
    owner = principal is not None and principal.id == account.id
    if not owner or request.method == "GET":
        return render_template(
            "portal/join_existing.html",
            invitation=invitation,
            organizations=_offer(invitation),
            owner=owner,
            signed_in_as=principal,
            sign_in=url_for("staff.login", next=request.path),
        ), 403 if request.method == "POST" else 200
    db = get_session()
    try:
        invitations.accept_into_account(db, invitation, account, now=now())
    except InvitationUnusable:
        abort(404, NOTHING_HERE)
    memberships.grant_offered(db, invitation.id, account.id, now=now())
    return redirect(url_for("portal.index"), 303)
