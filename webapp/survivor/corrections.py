""" "Something here is wrong": a survivor tells the moderators that a listing is out of date.

The form posts and is answered by a redirect to a plain thank-you (post-redirect-get), so
nothing she wrote is in an address or in a form the browser could send again. Nothing about
her is stored or logged: not her address, her visit, her browser, nor the minute she sent it
(see `webapp.directory.corrections`). A filled-in honeypot gets the same thank-you and stores
nothing. Too many from one client in an hour: the form again, as she typed it, with a reason.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from limits import parse
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webapp.db import get_session
from webapp.directory import corrections, listing, results
from webapp.extensions import limiter
from webapp.forms import TextForm
from webapp.runtime import now
from webapp.security import client_key
from webapp.survivor.blueprint import bp
from webapp.survivor.state import unlocked_required

# Corrections one client may send in an hour, counted by a keyed hash of its address only.
CORRECTIONS_AN_HOUR = parse("10/hour")
TOO_MANY = _l(
    "Several of these were sent from here in a short time. Wait an hour, then send it again."
)


class CorrectionForm(TextForm):
    website = StringField()  # left empty by people; bots fill it in
    kind = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(code, label) for code, label in corrections.KINDS.items()],
        validators=[InputRequired(message=_l("Choose what is wrong."))],
    )
    details = TextAreaField(
        _l("What should it say? (optional)"),
        description=_l(
            "At most 500 letters. Leave out your name and anything that could tell who you are."
        ),
        validators=[
            Optional(),
            Length(max=corrections.MAX_DETAILS, message=_l("Use at most 500 letters.")),
        ],
    )


def _published(service_id: str) -> results.Found:
    """The service as the survivor's pages show it; the neutral not-found page otherwise."""
    session = get_session()
    found = results.describe(session, [service_id], locale=str(get_locale()))
    if not found or not listing.is_published(session, "service", service_id):
        abort(404)
    return found[0]


def _page(place: results.Found, form: CorrectionForm, *, problem=None, status: int = 200):
    page = render_template("survivor/correction.html", place=place, form=form, problem=problem)
    return page, status


@bp.get("/places/<service_id>/fix")
@unlocked_required
def correction(service_id: str):
    return _page(_published(service_id), CorrectionForm(formdata=None))


@bp.post("/places/<service_id>/fix")
@unlocked_required
def send_correction(service_id: str):
    place = _published(service_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _page(place, form, status=400)
    if not limiter.limiter.hit(CORRECTIONS_AN_HOUR, "correction", client_key()):
        return _page(place, form, problem=TOO_MANY, status=429)
    if not form.website.data:
        corrections.submit(get_session(), service_id, form.kind.data, form.details.data, now=now())
    return redirect(url_for("survivor.correction_sent", service_id=service_id), 303)


@bp.get("/places/<service_id>/thanks")
@unlocked_required
def correction_sent(service_id: str):
    return render_template("survivor/correction_sent.html", place=_published(service_id))
