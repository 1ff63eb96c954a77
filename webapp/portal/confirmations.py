"""Keeping listings confirmed: "nothing changed" on a service page, and the stale listings.

Editors confirm their own organizations' listings (another's is a 404, as everywhere in the
portal) and see theirs among the stale; moderators see every stale listing and, when
UNPUBLISH_AFTER_DAYS is set, the day each will be taken out of search.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from webapp.accounts import audit
from webapp.accounts.models import User
from webapp.db import get_session
from webapp.directory import freshness
from webapp.directory.memberships import organizations_of
from webapp.forms import TextForm
from webapp.portal.blueprint import bp
from webapp.portal.views import (
    EXPIRED,
    KEEPERS,
    is_moderator,
    listing_for,
    stale_listings,
    today,
)
from webapp.runtime import now, settings
from webapp.staff.principal import role_required

CONFIRMED = _l("Confirmed. Survivors see these details as checked today.")
BACK = _l("Confirmed. The listing is back in survivors' search.")


class ConfirmForm(TextForm):
    """ "Nothing changed": no fields, only the CSRF token."""


@bp.post("/services/<service_id>/confirm")
@role_required(*KEEPERS)
def confirm(principal: User, service_id: str):
    listing = listing_for(principal, service_id)
    back = url_for("portal.service", service_id=service_id)
    if not ConfirmForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(back, 303)
    db = get_session()
    returned = freshness.confirm(db, service_id, today=today(), now=now())
    audit.record(
        db,
        "portal.listing_confirmed",
        now=now(),
        actor_id=principal.id,
        organization_id=listing.organization_id,
        service_id=service_id,
    )
    flash(BACK if returned else CONFIRMED)
    return redirect(back, 303)


@bp.get("/stale")
@role_required(*KEEPERS)
def stale(principal: User):
    db = get_session()
    moderator = is_moderator(principal)
    mine = None if moderator else [o.id for o in organizations_of(db, principal.id)]
    return render_template(
        "portal/stale.html",
        listings=stale_listings(mine),
        moderator=moderator,
        today=today(),
        stale_after_days=settings().stale_after_days,
        unpublish_after_days=settings().unpublish_after_days,
    )
