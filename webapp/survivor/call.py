"""Ask for a call (`/call`): the request, its receipt shown once, and the receipt's lookup.

Every answer to a form is a redirect to a page that reads what it needs from the server-side
session (post-redirect-get): no number, code word or receipt is ever in a form the browser
could keep in its session files or offer to send again.
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from limits import parse

from webapp.callbacks import intake
from webapp.callbacks.errors import BadNumber, BadTicket, BadWindow, UnknownReceipt
from webapp.callbacks.receipts import new_ticket, receipt_for, receipt_hash, ticket_key
from webapp.callbacks.windows import Window
from webapp.callbacks.zones import zones_for_region
from webapp.db import get_session
from webapp.errors import MESSAGES
from webapp.extensions import limiter
from webapp.i18n import spoken_languages
from webapp.runtime import now, settings
from webapp.security import client_key
from webapp.survivor.blueprint import bp
from webapp.survivor.call_forms import TOPICS, CallForm, ReceiptForm, zone_choices
from webapp.survivor.state import unlocked_required

RECEIPT = "cr"  # a receipt to show once, by the token of its page
LOOKUP = "cl"  # the receipt hash whose status this session may read
STALE_FORM = _l("This form was open for too long. Check what you typed and send it again.")
WRONG_RECEIPT = _l("We could not find a request with that code. Check it and try again.")
# Wrong receipt codes a client may try before even a right one gets the same answer.
RECEIPT_ATTEMPTS = parse("10/15 minutes")
ASKS_A_HOUR = parse("20/hour")  # per client; a refused ask keeps what she typed


def _call_form(form: CallForm | None = None) -> CallForm:
    form = form or CallForm(formdata=None)
    form.time_zone.choices = zone_choices(zones_for_region(settings().phone_region))
    form.language.choices = list(spoken_languages().items())
    form.topic.choices = [("", _l("Anything"))] + list(TOPICS.items())
    if not form.is_submitted():
        form.ticket.data = new_ticket(settings().secret_key)
        form.language.data = str(get_locale()).split("_")[0]
        form.time_zone.data = settings().time_zone
    return form


def _page(form: CallForm, lookup: ReceiptForm | None = None, status: int = 200):
    lookup = lookup or ReceiptForm(formdata=None)
    return render_template("survivor/call.html", form=form, lookup=lookup), status


@bp.get("/call")
@unlocked_required
def call():
    return _page(_call_form())


@bp.post("/call")
@unlocked_required
def ask_for_call():
    form = _call_form(CallForm())
    if not limiter.limiter.hit(ASKS_A_HOUR, "call", client_key()):
        form.ticket.errors = [MESSAGES[429]]
        return _page(form, status=429)
    if not form.validate_on_submit() or form.website.data:
        return _page(form, status=400)
    try:
        key = ticket_key(settings().secret_key, form.ticket.data or "")
        wish = _wish(form)
    except BadTicket:
        form.ticket.data = new_ticket(settings().secret_key)
        form.ticket.errors = [STALE_FORM]
        return _page(form, status=400)
    except BadNumber:
        form.number.errors = [_l("That is not a number we can call. Check it, with the area code.")]
        return _page(form, status=400)
    except BadWindow as wrong:
        _window_problem(form, wrong.args[0])
        return _page(form, status=400)
    receipt = receipt_for(settings().secret_key, key)
    digest = receipt_hash(settings().secret_key, receipt)
    intake.ask(get_session(), wish, key=key, receipt_hash=digest, now=now())
    token = secrets.token_urlsafe(12)
    session[RECEIPT] = {token: receipt}
    session[LOOKUP] = digest
    return redirect(url_for("survivor.call_asked", token=token), 303)


def _wish(form: CallForm) -> intake.Wish:
    windows = [entry.form for entry in form.windows if not entry.form.is_blank()]
    if not windows:
        raise BadWindow("days")
    return intake.Wish(
        number=intake.normalise_number(form.number.data, settings().phone_region),
        windows=tuple(Window.of(w.days.data, w.start.data, w.end.data) for w in windows),
        time_zone=form.time_zone.data,
        language=form.language.data,
        topic=form.topic.data or None,
        name=form.name.data,
        voicemail_ok=form.voicemail.data == "yes",
        voicemail_text=form.voicemail_text.data,
        text_ok=form.text_ok.data,
        question=form.question.data,
        answer=form.answer.data,
        if_dropped=form.if_dropped.data,
        note=form.note.data,
    )


def _window_problem(form: CallForm, what: str) -> None:
    message = {
        "days": _l("Choose at least one day in a safe time."),
        "hours": _l("A safe time must end after it starts."),
        "time_zone": _l("Choose your time zone from the list."),
    }[what]
    target = form.time_zone if what == "time_zone" else form.windows
    target.errors = [message]


@bp.get("/call/r/<token>")
@unlocked_required
def call_asked(token: str):
    """The receipt, shown once: this page forgets it as it shows it."""
    receipt = session.pop(RECEIPT, {}).get(token)
    return render_template("survivor/call_done.html", receipt=receipt)


@bp.post("/call/check")
@unlocked_required
def check_call():
    lookup = ReceiptForm()
    if not lookup.validate_on_submit():
        return _page(_call_form(), lookup, status=400)
    key = client_key()
    digest = receipt_hash(settings().secret_key, lookup.receipt.data)
    try:
        if not limiter.limiter.test(RECEIPT_ATTEMPTS, "receipt", key):
            raise UnknownReceipt()
        intake.find(get_session(), digest)
    except UnknownReceipt:
        limiter.limiter.hit(RECEIPT_ATTEMPTS, "receipt", key)
        lookup.receipt.data = ""
        lookup.receipt.errors = [WRONG_RECEIPT]
        return _page(_call_form(), lookup, status=400)
    session[LOOKUP] = digest
    return redirect(url_for("survivor.call_status"), 303)


@bp.get("/call/status")
@unlocked_required
def call_status():
    digest = session.get(LOOKUP)
    if not digest:
        return redirect(url_for("survivor.call"), 303)
    try:
        found = intake.find(get_session(), digest)
    except UnknownReceipt:
        session.pop(LOOKUP, None)
        return redirect(url_for("survivor.call"), 303)
    progress = intake.progress(found, now())
    when = None
    if progress.next_window is not None:  # in her own zone, the way her language writes it
        zone = ZoneInfo(found.time_zone)
        when = format_datetime(progress.next_window, "full", tzinfo=zone, locale=get_locale())
    return render_template("survivor/call_status.html", progress=progress, when=when)


@bp.post("/call/cancel")
@unlocked_required
def cancel_call():
    digest = session.get(LOOKUP)
    if not digest:
        return redirect(url_for("survivor.call"), 303)
    try:
        intake.cancel(get_session(), digest, now=now())
    except UnknownReceipt:
        session.pop(LOOKUP, None)
    return redirect(url_for("survivor.call_status"), 303)
