"""Administration: staff accounts, their roles and second factor, and the audit log."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.accounts import operations
from webapp.accounts.models import AuditEvent, Role, User
from webapp.callbacks import advocates
from webapp.db import get_session
from webapp.directory import memberships
from webapp.reports import agencies as partner_agencies
from webapp.runtime import now
from webapp.staff.blueprint import admin as bp
from webapp.staff.principal import role_required

AUDIT_PAGE = 200
# A user id the database can hold (PostgreSQL's integer): a longer number is simply not found.
USER_ID = "<int(max=2147483647):user_id>"
SELF_LOCKOUT = _l("You cannot remove your own administrator access or disable your own account.")
ROLE_LABELS = {
    Role.ADVOCATE: _l("Advocate"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.EDITOR: _l("Organization editor"),
    Role.MODERATOR: _l("Directory moderator"),
    Role.PARTNER: _l("Partner agency staff"),
    Role.ADMIN: _l("Administrator"),
}


@bp.get("/")
@role_required(Role.ADMIN)
def index(principal: User):
    return redirect(url_for("admin.users"), 303)


@bp.get("/users")
@role_required(Role.ADMIN)
def users(principal: User):
    people = get_session().scalars(select(User).order_by(User.email)).all()
    return render_template("staff/admin/users.html", people=people, role_labels=ROLE_LABELS)


def _user_or_404(user_id: int) -> User:
    return get_session().get(User, user_id) or abort(404)


@bp.get(f"/users/{USER_ID}")
@role_required(Role.ADMIN)
def user(principal: User, user_id: int):
    person, db = _user_or_404(user_id), get_session()
    return render_template(
        "staff/admin/user.html",
        person=person,
        advocate=advocates.profile_of(db, person.id),
        organizations=memberships.organizations_of(db, person.id),
        agencies=partner_agencies.agencies_of(db, person.id),
        roles=list(Role),
        role_labels=ROLE_LABELS,
    )


def _apply(operation, principal: User, user_id: int, *args):
    """Run one account operation as `principal`, then show the account again."""
    operation(get_session(), _user_or_404(user_id), *args, now=now(), actor_id=principal.id)
    return redirect(url_for("admin.user", user_id=user_id), 303)


@bp.post(f"/users/{USER_ID}/roles")
@role_required(Role.ADMIN)
def change_roles(principal: User, user_id: int):
    wanted = [role for role in request.form.getlist("roles") if role in operations.ROLES]
    if user_id == principal.id and Role.ADMIN not in wanted:
        abort(400, SELF_LOCKOUT)
    return _apply(operations.set_roles, principal, user_id, wanted)


@bp.post(f"/users/{USER_ID}/disable")
@role_required(Role.ADMIN)
def disable(principal: User, user_id: int):
    if user_id == principal.id:
        abort(400, SELF_LOCKOUT)
    return _apply(operations.disable_user, principal, user_id)


@bp.post(f"/users/{USER_ID}/enable")
@role_required(Role.ADMIN)
def enable(principal: User, user_id: int):
    return _apply(operations.enable_user, principal, user_id)


@bp.post(f"/users/{USER_ID}/reset-mfa")
@role_required(Role.ADMIN)
def reset_mfa(principal: User, user_id: int):
    return _apply(operations.reset_mfa, principal, user_id)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log(principal: User):
    actor, subject = aliased(User), aliased(User)
    rows = (
        get_session()
        .execute(
            select(AuditEvent, actor.email, subject.email)
            .outerjoin(actor, AuditEvent.actor_id == actor.id)
            .outerjoin(subject, AuditEvent.subject_id == subject.id)
            .order_by(AuditEvent.id.desc())
            .limit(AUDIT_PAGE)
        )
        .all()
    )
    return render_template("staff/admin/audit.html", rows=rows)
