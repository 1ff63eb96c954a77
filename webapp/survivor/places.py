"""Finding services: a search that works without JavaScript and puts nothing in the address bar.

The search is a POST, answered with the results themselves (no redirect), so what was searched
never appears in a URL, the history or a server log. "Near me" sends the position only when
tapped, in the same POST, and it is used for that answer alone.
"""

from __future__ import annotations

from datetime import time

from babel.dates import format_interval, get_day_names
from babel.lists import format_list
from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, FloatField, HiddenField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from webapp.db import get_session
from webapp.directory import finder, listing, results
from webapp.directory.categories import CATEGORIES
from webapp.directory.errors import UnknownPostcode
from webapp.directory.geo import find_postcode
from webapp.extensions import limiter
from webapp.forms import ShortIntegerField, TextForm
from webapp.i18n import content_language, spoken_languages
from webapp.runtime import now, settings
from webapp.survivor.blueprint import bp
from webapp.survivor.state import recalled_search, remember_search, unlocked_required

# The longest search kept: a page of words is no search, and 60,000 of them took seconds.
MAX_WORDS = 200
# Searches a client may run in a minute; counted by a keyed hash of the address, nothing else.
SEARCHES_A_MINUTE = "30 per minute"


class PlacesForm(TextForm):
    q = SearchField(
        _l("What are you looking for?"),
        validators=[
            Optional(),
            Length(max=MAX_WORDS, message=_l("Use fewer words: at most 200 letters and spaces.")),
        ],
    )
    category = SelectField(
        _l("Kind of help"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("Any kind")),
            *(SelectChoice(code, label) for code, label in CATEGORIES.items()),
        ],
    )
    language = SelectField(
        _l("Language spoken"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("Any language")),
            *(SelectChoice(code, name) for code, name in spoken_languages().items()),
        ],
    )
    postcode = SearchField(
        _l("Near ZIP code"),
        validators=[
            Optional(),
            Length(max=10, message=_l("We could not find that ZIP code. Check the five digits.")),
        ],
    )
    latitude = FloatField(validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(validators=[Optional(), NumberRange(-180, 180)])
    open_now = BooleanField(_l("Open now"))
    round_the_clock = BooleanField(_l("Open 24 hours, every day"))
    page = ShortIntegerField(validators=[Optional(), NumberRange(1, 1000)])
    near_me = HiddenField()


@bp.get("/places")
@unlocked_required
def places():
    return render_template("survivor/places.html", form=PlacesForm(formdata=None), answer=None)


@bp.post("/places")
@limiter.limit(SEARCHES_A_MINUTE)
@unlocked_required
def places_search():
    """A search answers with a redirect to its results (post-redirect-get): Back and reload
    never resend it, and the words stay in the server-side session, not in an address.

    "Near me" is answered at once instead: a position is used for one answer, never kept.
    """
    form = PlacesForm()
    if not form.validate_on_submit():
        return render_template("survivor/places.html", form=form, answer=None), 400
    if form.latitude.data is not None and form.longitude.data is not None:
        return _answer(form)
    if form.postcode.data and find_postcode(form.postcode.data) is None:
        return _unknown_postcode(form)
    fields = {name: form[name].data for name in SEARCH_FIELDS if form[name].data}
    return redirect(url_for("survivor.found", token=remember_search(fields)), 303)


@bp.get("/places/r/<token>")
@limiter.limit(SEARCHES_A_MINUTE)
@unlocked_required
def found(token: str):
    fields = recalled_search(token)
    if fields is None:  # too old, or another session's: the search form again
        return redirect(url_for("survivor.places"), 303)
    return _answer(PlacesForm(formdata=None, data=fields))


SEARCH_FIELDS = ("q", "category", "language", "postcode", "open_now", "round_the_clock", "page")


def _answer(form: PlacesForm):
    query = finder.Query(
        text=form.q.data or "",
        category=form.category.data or "",
        language=form.language.data or "",
        postcode=form.postcode.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        open_now=bool(form.open_now.data),
        round_the_clock=bool(form.round_the_clock.data),
        page=form.page.data or 1,
    )
    try:
        answer = finder.find(
            get_session(),
            query,
            locale=str(get_locale()),
            now=now(),
            time_zone=settings().time_zone,
        )
    except UnknownPostcode:
        return _unknown_postcode(form)
    form.latitude.data = form.longitude.data = None
    return render_template(
        "survivor/places.html", form=form, answer=answer, languages=spoken_languages(), now=now()
    )


def _unknown_postcode(form: PlacesForm):
    form.postcode.errors = [_l("We could not find that ZIP code. Check the five digits.")]
    return render_template("survivor/places.html", form=form, answer=None), 400


@bp.get("/places/<service_id>")
@unlocked_required
def place(service_id: str):
    found = results.describe(get_session(), [service_id], locale=str(get_locale()))
    if not found or not listing.is_published(get_session(), "service", service_id):
        abort(404)
    hours_lines = opening_lines(found[0].schedules, get_locale())
    return render_template(
        "survivor/place.html",
        place=found[0],
        languages=spoken_languages(),
        hours=hours_lines,
        now=now(),
    )


DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def opening_lines(schedules: list[dict], locale) -> list[Markup]:
    """Weekly hours as short lines in the reader's language, e.g. "Mon, Tue, and Fri 09:00–17:00".

    Days are listed the way the language lists things; the hours stay left to right (in order)
    inside right-to-left text.
    """
    names = get_day_names("abbreviated", locale=locale)
    lines = []
    for schedule in schedules:
        days = [d for d in schedule.get("byday", "").split(",") if d in DAYS]
        note = schedule.get("description")
        note = Markup(" <span%s>%s</span>") % (content_language(note), note) if note else ""
        if (
            len(days) == 7
            and schedule.get("opens_at", "00:00")[:5] == "00:00"
            and (schedule.get("closes_at", "23:59")[:5] in ("23:59", "00:00", "24:00"))
        ):
            lines.append(Markup.escape(str(_l("Open 24 hours, every day"))) + note)
            continue
        opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
        if not days or opens is None or closes is None:
            continue
        day_text = format_list([names[DAYS.index(d)] for d in days], locale=locale)
        hours = format_interval(opens, closes, "Hm", locale=locale)
        lines.append(Markup('%s <bdi dir="ltr">%s</bdi>') % (day_text, hours) + note)
    return lines


def _clock(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value[:5]) if value else None
    except ValueError:
        return None
