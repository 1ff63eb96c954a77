"""Finding services: a search that works without JavaScript and puts nothing in the address bar.

The search is a POST answered with a redirect to its results page (post-redirect-get): what
was searched stays in the server-side session, never in a URL, the history or a server log, and
Back or reload never sends it again. "Near me" sends the position only when tapped, in the same
POST, and is answered at once: the position is used for that answer alone, never kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from itertools import pairwise

from babel.dates import format_interval, format_skeleton, get_day_names
from babel.lists import format_list
from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, FloatField, HiddenField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from webapp.db import get_session
from webapp.directory import finder, freshness, listing, results
from webapp.directory.categories import CATEGORIES
from webapp.directory.errors import UnknownPostcode
from webapp.directory.geo import find_postcode
from webapp.directory.hours import zone_of
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
            stale_since=freshness.cutoff(_today(), settings().stale_after_days),
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
    found = results.describe(
        get_session(), [service_id], locale=str(get_locale()), whereabouts=True
    )
    if not found or not listing.is_published(get_session(), "service", service_id):
        abort(404)
    today = _today()
    hours_lines = opening_lines(found[0].schedules, get_locale(), today)
    assured = found[0].assured_date
    return render_template(
        "survivor/place.html",
        place=found[0],
        languages=spoken_languages(),
        hours=hours_lines,
        now=now(),
        stale=freshness.is_stale(assured, today, settings().stale_after_days),
        confirmed_months=freshness.months_since(assured, today) if assured else None,
    )


def _today() -> date:
    """The deployment's date now (TIME_ZONE), the day staleness is counted to."""
    return now().astimezone(zone_of(settings().time_zone)).date()


DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY = timedelta(days=1)
Window = tuple[date | None, date | None]  # valid from, valid to (inclusive); None: unbounded


def opening_lines(schedules: list[dict], locale, today: date) -> list[Markup]:
    """Weekly hours as short lines in the reader's language, e.g. "Mon, Tue, and Fri 09:00–17:00".

    Days are listed the way the language lists things; the hours stay left to right (in order)
    inside right-to-left text. Schedules with the same hours are one line, with the dates they
    hold from or until; a break between their dates (the way HSDS writes a temporary closure:
    the regular schedule up to the day before, a copy from the day it reopens) is a line of its
    own, "Closed Nov 13 – Dec 9, 2026". What ended before `today` is left out.
    """
    names = get_day_names("abbreviated", locale=locale)
    windows: dict[Markup, list[Window]] = {}
    notes: dict[Markup, list[str]] = {}
    closure_notes: dict[Window, str] = {}
    for schedule in schedules:
        hours = _hours(schedule, names, locale)
        if hours is None:
            window = _window(schedule)
            if None not in window and schedule.get("description"):
                closure_notes[window] = schedule["description"]  # a closure's note, no times
            continue
        window = _window(schedule)
        windows.setdefault(hours, []).append(window)
        note, ended = schedule.get("description"), window[1] is not None and window[1] < today
        if note and not ended and note not in notes.setdefault(hours, []):
            notes[hours].append(note)
    lines = []
    every_window = [window for found in windows.values() for window in found]
    for hours, found in windows.items():
        runs = _joined(found)
        current = [run for run in runs if run[1] is None or run[1] >= today]
        if not current:
            continue
        line = _dated(hours, current[0][0], current[-1][1], today, locale)
        lines.append(line + Markup("").join(map(_note, notes.get(hours, []))))
        lines += [
            Markup.escape(_("Closed %(dates)s")) % {"dates": _dates(start, end, locale)}
            + (_note(closure_notes[start, end]) if (start, end) in closure_notes else "")
            for start, end in _breaks(runs)
            if end >= today and not _covered((start, end), every_window)
        ]
    return lines


def _covered(days: tuple[date, date], windows: list[Window]) -> bool:
    """Whether dated hours of their own hold on these days (holiday hours, not a closure)."""
    start, end = days
    return any(
        w_start is not None and w_end is not None and w_start <= start and end <= w_end
        for w_start, w_end in windows
    )


def _hours(schedule: dict, names, locale) -> Markup | None:
    """ "Mon and Tue 09:00–17:00", or "Open 24 hours, every day"; None when not readable."""
    days = [d for d in schedule.get("byday", "").split(",") if d in DAYS]
    if (
        len(days) == 7
        and schedule.get("opens_at", "00:00")[:5] == "00:00"
        and (schedule.get("closes_at", "23:59")[:5] in ("23:59", "00:00", "24:00"))
    ):
        return Markup.escape(str(_l("Open 24 hours, every day")))
    opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
    if not days or opens is None or closes is None:
        return None
    day_text = format_list([names[DAYS.index(d)] for d in days], locale=locale)
    hours = format_interval(opens, closes, "Hm", locale=locale)
    return Markup('%s <bdi dir="ltr">%s</bdi>') % (day_text, hours)


def _note(text: str) -> Markup:
    return Markup(" <span%s>%s</span>") % (content_language(text), text)


def _window(schedule: dict) -> Window:
    """The dates a schedule holds on, as `hours.is_open` reads them (valid_*, dtstart, until)."""
    starts = [_day(schedule.get(name)) for name in ("valid_from", "dtstart")]
    ends = [_day(schedule.get(name)) for name in ("valid_to", "until")]
    return max(filter(None, starts), default=None), min(filter(None, ends), default=None)


def _joined(windows: Iterable[Window]) -> list[Window]:
    """Windows in date order, those that overlap or touch made one."""
    runs: list[Window] = []
    for start, end in sorted(windows, key=lambda w: w[0] or date.min):
        last_end = runs[-1][1] if runs else date.min
        if runs and (last_end is None or start is None or start <= last_end + DAY):
            runs[-1] = (runs[-1][0], None if None in (last_end, end) else max(last_end, end))
        else:
            runs.append((start, end))
    return runs


def _breaks(runs: list[Window]) -> list[tuple[date, date]]:
    """The days between one run of dates and the next: a temporary closure."""
    return [(before[1] + DAY, after[0] - DAY) for before, after in pairwise(runs)]


def _dated(hours: Markup, start: date | None, end: date | None, today: date, locale) -> Markup:
    """The hours with the dates they hold from or until (a start already past goes unsaid)."""
    if start is not None and start <= today:
        start = None
    if start and end:
        return Markup.escape(_("%(hours)s, %(dates)s")) % {
            "hours": hours,
            "dates": _dates(start, end, locale),
        }
    if start:
        text = Markup.escape(_("%(hours)s from %(date)s"))
        return text % {"hours": hours, "date": _dates(start, start, locale)}
    if end:
        text = Markup.escape(_("%(hours)s until %(date)s"))
        return text % {"hours": hours, "date": _dates(end, end, locale)}
    return hours


def _dates(start: date, end: date, locale) -> Markup:
    """A date or a range of dates, isolated so its digits and words keep their order."""
    if start == end:
        text = format_skeleton("yMMMd", start, locale=locale)
    else:
        text = format_interval(start, end, "yMMMd", locale=locale)
    return Markup("<bdi>%s</bdi>") % text


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _clock(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value[:5]) if value else None
    except ValueError:
        return None
