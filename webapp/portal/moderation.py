"""The portal for moderators: the queue of changes with their diffs, approving, rejecting with
a reason the editor sees, and what each organization may publish before review. Editors see
their own organizations' changes here, and withdraw their own pending ones."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.accounts import audit
from webapp.accounts.models import Role, User
from webapp.db import get_session
from webapp.directory.changes import review
from webapp.directory.changes.apply import current_value, values_of
from webapp.directory.changes.models import OPEN, ChangeRequest, Status
from webapp.directory.errors import (
    AlreadyReviewed,
    ChangedSince,
    NeedsFrontDoor,
    NoSuchChange,
    OwnChange,
)
from webapp.directory.memberships import organizations_of
from webapp.directory.models import Organization
from webapp.directory.tables import TABLES
from webapp.portal import fields
from webapp.portal.blueprint import bp
from webapp.portal.forms import QuickForm, RejectForm
from webapp.portal.views import FRONT_DOOR, KEEPERS, is_moderator
from webapp.runtime import now
from webapp.staff.principal import role_required

CHANGE_ID = "<int(max=2147483647):change_id>"
APPROVED = _l("Approved. The listing shows it now.")
CONFIRMED = _l("Approved. It was already published.")
REJECTED = _l("Rejected. The editor sees your reason.")
PUT_BACK = _l("Rejected, and the listing is back as it was.")
DECIDED = _l("Someone has already dealt with that change.")
OWN = _l("You proposed this change, so another moderator must review it.")
MOVED_ON = _l(
    "The listing has changed since this was proposed, so it cannot be applied as it is. "
    "Reject it with a reason, and the editor can propose it again."
)
WITHDRAWN = _l("Withdrawn. Nothing of it was published.")


@bp.get("/review")
@role_required(Role.MODERATOR)
def queue(principal: User):
    db = get_session()
    changes = review.queue(db)
    return render_template(
        "portal/review.html",
        changes=changes,
        names=_names(db, changes),
        organizations=_organizations(db, changes),
    )


def _names(db, changes: list[ChangeRequest]) -> dict[str, str]:
    """Service names for the changes shown."""
    services = TABLES["service"]
    ids = sorted({c.service_id for c in changes if c.service_id})
    rows = db.execute(select(services.c.id, services.c.name).where(services.c.id.in_(ids or [""])))
    return {key: value for key, value in rows}


def _organizations(db, changes: list[ChangeRequest]) -> dict[str, str]:
    ids = sorted({c.organization_id for c in changes})
    rows = db.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids or [""]))
    )
    return {key: value for key, value in rows}


@dataclass
class FieldDiff:
    label: object
    language: str
    before: str
    after: str
    now: str | None  # the value today, when it differs from `before` (pending changes)
    words: list[tuple[str, str]]  # (equal|delete|insert, text)


def _change_for(principal: User, change_id: int) -> ChangeRequest:
    """Moderators see every change; editors their organizations' (404 otherwise)."""
    db = get_session()
    try:
        change = review.get(db, change_id)
    except NoSuchChange:
        abort(404)
    if is_moderator(principal):
        return change
    mine = {organization.id for organization in organizations_of(db, principal.id)}
    if change.organization_id not in mine:
        abort(404)
    return change


@bp.get(f"/changes/{CHANGE_ID}")
@role_required(*KEEPERS)
def change(principal: User, change_id: int):
    found = _change_for(principal, change_id)
    return _change_page(principal, found)


def _change_page(principal: User, found: ChangeRequest, reject_form=None, status=200):
    db = get_session()
    return render_template(
        "portal/change.html",
        change=found,
        diffs=_diffs(db, found),
        names=_names(db, [found]),
        organizations=_organizations(db, [found]),
        people=_people(db, found),
        reviewable=is_moderator(principal) and found.status in OPEN,
        own=found.author_id == principal.id,
        reject_form=reject_form or RejectForm(formdata=None),
    ), status


def _people(db, found: ChangeRequest) -> dict[int, str]:
    ids = [i for i in (found.author_id, found.reviewer_id) if i is not None]
    users = db.scalars(select(User).where(User.id.in_(ids or [0])))
    return {user.id: user.display_name or user.email for user in users}


def _diffs(db, found: ChangeRequest) -> list[FieldDiff]:
    diffs = []
    for field_change in found.fields:
        before, after = values_of(field_change)
        current = None
        if found.status == Status.PENDING and found.action == "update":
            stored = current_value(db, found, field_change)
            if fields.shown(stored) != fields.shown(before):
                current = fields.shown(stored)
        diffs.append(
            FieldDiff(
                fields.label_of(found.resource, field_change.field),
                field_change.language,
                fields.shown(before),
                fields.shown(after),
                current,
                _words(fields.shown(before), fields.shown(after)),
            )
        )
    return diffs


def _words(before: str, after: str) -> list[tuple[str, str]]:
    """A word-level diff, for long texts: what was taken out and what was put in."""
    old, new = before.split(" "), after.split(" ")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("equal", "delete", "replace"):
            parts.append(("equal" if op == "equal" else "delete", " ".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("insert", " ".join(new[j1:j2])))
    return [part for part in parts if part[1]]


@bp.post(f"/changes/{CHANGE_ID}/approve")
@role_required(Role.MODERATOR)
def approve(principal: User, change_id: int):
    db = get_session()
    try:
        was_live = review.get(db, change_id).status == Status.LIVE
        review.approve(db, change_id, reviewer_id=principal.id, now=now())
    except NoSuchChange:
        abort(404)
    except (AlreadyReviewed, OwnChange, ChangedSince, NeedsFrontDoor) as refused:
        return _refused(principal, change_id, refused)
    _audit("portal.change_approved", principal, change_id)
    flash(CONFIRMED if was_live else APPROVED)
    return redirect(url_for("portal.queue"), 303)


@bp.post(f"/changes/{CHANGE_ID}/reject")
@role_required(Role.MODERATOR)
def reject(principal: User, change_id: int):
    db = get_session()
    form = RejectForm()
    if not form.validate_on_submit():
        return _change_page(principal, _change_for(principal, change_id), form, 400)
    try:
        was_live = review.get(db, change_id).status == Status.LIVE
        review.reject(db, change_id, reviewer_id=principal.id, reason=form.reason.data, now=now())
    except NoSuchChange:
        abort(404)
    except (AlreadyReviewed, OwnChange, ChangedSince, NeedsFrontDoor) as refused:
        return _refused(principal, change_id, refused, form)
    _audit("portal.change_rejected", principal, change_id)
    flash(PUT_BACK if was_live else REJECTED)
    return redirect(url_for("portal.queue"), 303)


def _refused(principal: User, change_id: int, refused: Exception, form=None):
    messages = {
        AlreadyReviewed: DECIDED,
        OwnChange: OWN,
        ChangedSince: MOVED_ON,
        NeedsFrontDoor: FRONT_DOOR,
    }
    flash(messages[type(refused)])
    return _change_page(principal, _change_for(principal, change_id), form, 409)


@bp.post(f"/changes/{CHANGE_ID}/withdraw")
@role_required(*KEEPERS)
def withdraw(principal: User, change_id: int):
    found = _change_for(principal, change_id)
    try:
        review.withdraw(get_session(), found.id, author_id=principal.id, now=now())
    except NoSuchChange:
        abort(404)
    except AlreadyReviewed:
        flash(DECIDED)
        return redirect(url_for("portal.change", change_id=change_id), 303)
    flash(WITHDRAWN)
    return redirect(url_for("portal.index"), 303)


@bp.post("/organizations/<organization_id>/quick")
@role_required(Role.MODERATOR)
def quick(principal: User, organization_id: str):
    db = get_session()
    if db.get(Organization, organization_id) is None:
        abort(404)
    form = QuickForm()
    if not form.validate_on_submit():
        abort(400)
    allowed = form.allowed.data == "on"
    review.allow_quick_changes(db, organization_id, allowed, by=principal.id, now=now())
    audit.record(
        db,
        "portal.quick_changes",
        now=now(),
        actor_id=principal.id,
        organization_id=organization_id,
        allowed=allowed,
    )
    flash(_l("Saved."))
    return redirect(url_for("portal.index"), 303)


def _audit(event: str, principal: User, change_id: int) -> None:
    audit.record(get_session(), event, now=now(), actor_id=principal.id, change_id=change_id)
