"""Moderators read survivors' "something here is wrong" and mark each handled or dismissed.

Editors never see them: a correction may be about any organization, and its words are a
survivor's. What the list shows of when one arrived is the hour, the only time stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_interval, format_skeleton
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.accounts.models import Role, User
from webapp.db import get_session
from webapp.directory import corrections
from webapp.directory.errors import CorrectionResolved, UnknownCorrection
from webapp.directory.hours import zone_of
from webapp.directory.models import CorrectionStatus
from webapp.forms import TextForm
from webapp.portal.blueprint import bp
from webapp.runtime import now, settings
from webapp.staff.principal import role_required

OUTCOMES = {
    CorrectionStatus.HANDLED.value: _l("Handled"),
    CorrectionStatus.DISMISSED.value: _l("Dismissed"),
}
SAVED = {
    CorrectionStatus.HANDLED.value: _l("Marked handled."),
    CorrectionStatus.DISMISSED.value: _l("Dismissed."),
}
ALREADY = _l("Another moderator has already handled that one.")


class ResolveForm(TextForm):
    outcome = SelectField(
        choices=[SelectChoice(code, label) for code, label in OUTCOMES.items()],
        validators=[DataRequired()],
    )
    note = StringField(
        _l("Note for the other moderators (optional)"),
        validators=[
            Optional(),
            Length(max=corrections.MAX_NOTE, message=_l("Use at most 200 letters.")),
        ],
    )


@bp.get("/corrections")
@role_required(Role.MODERATOR)
def corrections_list(principal: User):
    return _list_page()


@bp.post("/corrections/<uuid:correction_id>")
@role_required(Role.MODERATOR)
def resolve_correction(principal: User, correction_id):
    form = ResolveForm()
    if not form.validate_on_submit():
        return _list_page(failed=(str(correction_id), form), status=400)
    try:
        corrections.resolve(
            get_session(),
            str(correction_id),
            outcome=form.outcome.data,
            note=form.note.data,
            moderator_id=principal.id,
            now=now(),
        )
    except UnknownCorrection:
        abort(404)
    except CorrectionResolved:
        flash(ALREADY)
    else:
        flash(SAVED[form.outcome.data])
    return redirect(url_for("portal.corrections_list"), 303)


def _list_page(failed: tuple[str, ResolveForm] | None = None, status: int = 200):
    """Open corrections, each with its form (the one just refused keeps what was typed), and
    those resolved lately with who did it."""
    session, moment = get_session(), now()
    waiting = corrections.open_corrections(session)
    resolved = corrections.recently_resolved(session, now=moment)
    forms = {item.correction.id: ResolveForm(formdata=None) for item in waiting}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    who = {item.correction.resolved_by for item in resolved}
    moderators = {user.id: user for user in session.scalars(select(User).where(User.id.in_(who)))}
    page = render_template(
        "portal/corrections.html",
        waiting=waiting,
        resolved=resolved,
        forms=forms,
        moderators=moderators,
        kinds=corrections.KINDS,
        outcomes=OUTCOMES,
        hour_of=_hour_of,
        now=moment,
    )
    return page, status


def _hour_of(moment: datetime) -> str:
    """The hour a correction arrived, e.g. "09:00 – 10:00, Jan 12, 2027", in the directory's
    time zone: all that is kept of it."""
    zone, locale = zone_of(settings().time_zone), get_locale()
    hours = format_interval(moment, moment + timedelta(hours=1), "Hm", tzinfo=zone, locale=locale)
    day = format_skeleton("yMMMd", moment.astimezone(zone), locale=locale)
    return _("%(hours)s, %(dates)s", hours=hours, dates=day)
