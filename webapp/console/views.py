"""The advocate console: the queue, the claimed request's safe-contact card, the call, the outcome.

An advocate sees survivor contact data only for the request they hold (a lease); reading the
card is audited. The survivor's number is never shown: the call is bridged through Twilio from
the deployment's masked caller id.
"""

from __future__ import annotations

from babel.dates import format_time, get_day_names
from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from webapp.accounts import audit
from webapp.accounts.models import Role, User
from webapp.callbacks import calls, queue, staffing
from webapp.callbacks.errors import BadNumber, ClaimConflict, NotYours
from webapp.callbacks.intake import normalise_number
from webapp.callbacks.windows import current_span
from webapp.console.blueprint import bp
from webapp.console.forms import OutcomeForm, PhoneForm, PresenceForm
from webapp.db import get_session
from webapp.i18n import spoken_languages
from webapp.messaging.errors import SendError
from webapp.messaging.outbox import recent_errors
from webapp.messaging.voice import dialer_for
from webapp.runtime import now, public_url_for, settings, twilio_http_client
from webapp.staff.principal import role_required

ANSWERING = (Role.ADVOCATE, Role.SUPERVISOR)
TAKEN = _l("Someone else took that request first. Here is the queue again.")
NOT_HELD = _l("You do not hold that request (any more). Take it from the queue.")
NO_PHONE = _l("Add your own phone number first: the call rings it before hers.")
CLOSED = _l("Saved. The request is closed.")
REQUEUED = _l("Saved. The request is back in the queue, in its place.")


def _supervisor(principal: User) -> bool:
    return principal.has_role(Role.SUPERVISOR)


@bp.get("/")
@role_required(*ANSWERING)
def index(principal: User):
    db, moment = get_session(), now()
    entries = queue.queue_for(db, principal.id, supervisor=_supervisor(principal), now=moment)
    on_shift = principal.id in (
        staffing.on_shift(db, Role.SUPERVISOR if _supervisor(principal) else Role.ADVOCATE, moment)
    )
    overview = None
    if _supervisor(principal):
        overview = {
            "advocates": staffing.people(db, staffing.on_shift(db, Role.ADVOCATE, moment)),
            "failed": [row for row in recent_errors(db, 20) if row.status == "failed"],
        }
    return render_template(
        "console/queue.html",
        entries=entries,
        languages=spoken_languages(),
        on_shift=on_shift,
        phone=staffing.phone_of(db, principal.id),
        presence=PresenceForm(formdata=None),
        phone_form=PhoneForm(formdata=None),
        overview=overview,
        now=moment,
    )


@bp.post("/take")
@role_required(*ANSWERING)
def take_next(principal: User):
    request = queue.claim_next(
        get_session(),
        principal.id,
        supervisor=_supervisor(principal),
        now=now(),
        lease_minutes=settings().claim_lease_minutes,
    )
    if request is None:
        flash(_l("Nobody is waiting who can be called now."))
        return redirect(url_for("console.index"), 303)
    return redirect(url_for("console.card", request_id=request.id), 303)


@bp.post(f"/requests/{'<int(max=2147483647):request_id>'}/take")
@role_required(*ANSWERING)
def take(principal: User, request_id: int):
    try:
        queue.claim(
            get_session(),
            request_id,
            principal.id,
            now=now(),
            lease_minutes=settings().claim_lease_minutes,
        )
    except ClaimConflict:
        flash(TAKEN)
        return redirect(url_for("console.index"), 303)
    return redirect(url_for("console.card", request_id=request_id), 303)


def _held(principal: User, request_id: int):
    return queue.held_by(get_session(), request_id, principal.id, now())


@bp.get(f"/requests/{'<int(max=2147483647):request_id>'}")
@role_required(*ANSWERING)
def card(principal: User, request_id: int):
    try:
        found = _held(principal, request_id)
    except NotYours:
        flash(NOT_HELD)
        return redirect(url_for("console.index"), 303)
    audit.record(
        get_session(), "callback.card_read", now=now(), actor_id=principal.id, request_id=found.id
    )
    return render_template(
        "console/card.html",
        request=found,
        language=spoken_languages().get(found.language, found.language),
        windows=_windows_text(found),
        in_window=current_span(queue.windows_of(found), found.time_zone, now()) is not None,
        last_digits=(found.number or "")[-2:],
        outcome=OutcomeForm(formdata=None),
        lease_until=format_time(found.lease_expires_at, "short", locale=get_locale()),
    )


def _windows_text(found) -> list[str]:
    """Her safe times in her own zone, e.g. "Mon, Tue 18:00–20:00"."""
    names = get_day_names("abbreviated", locale=get_locale())
    lines = []
    for window in queue.windows_of(found):
        days = ", ".join(names[day] for day in sorted(window.days))
        start = f"{window.start // 60:02d}:{window.start % 60:02d}"
        end = f"{window.end // 60 % 24:02d}:{window.end % 60:02d}"
        lines.append(f"{days} {start}–{end}")
    return lines


@bp.post(f"/requests/{'<int(max=2147483647):request_id>'}/call")
@role_required(*ANSWERING)
def call_now(principal: User, request_id: int):
    db = get_session()
    try:
        found = _held(principal, request_id)
    except NotYours:
        flash(NOT_HELD)
        return redirect(url_for("console.index"), 303)
    phone = staffing.phone_of(db, principal.id)
    if phone is None:
        flash(NO_PHONE)
        return redirect(url_for("console.index"), 303)
    queue.extend(found, now=now(), lease_minutes=settings().claim_lease_minutes)
    token = calls.bridge_token(settings().secret_key, found.id, principal.id)
    dialer = dialer_for(settings(), http_client=twilio_http_client())
    try:
        sid = dialer.bridge(
            phone,
            twiml_url=public_url_for("hooks.bridge", token=token),
            status_url=public_url_for("hooks.call_status"),
        )
    except SendError as failed:
        flash(_l("The call could not be started (%(reason)s). Try again.", reason=failed.summary))
        return redirect(url_for("console.card", request_id=found.id), 303)
    calls.started(db, sid, found.id, principal.id, leg="advocate", now=now())
    audit.record(db, "callback.call_started", now=now(), actor_id=principal.id, request_id=found.id)
    flash(_l("Your phone rings now. When you answer, we call her."))
    return redirect(url_for("console.card", request_id=found.id), 303)


@bp.post(f"/requests/{'<int(max=2147483647):request_id>'}/outcome")
@role_required(*ANSWERING)
def outcome(principal: User, request_id: int):
    try:
        found = _held(principal, request_id)
    except NotYours:
        flash(NOT_HELD)
        return redirect(url_for("console.index"), 303)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(_l("Choose what happened on the call."))
        return redirect(url_for("console.card", request_id=found.id), 303)
    queue.record(
        get_session(),
        found,
        principal.id,
        outcome=form.outcome.data,
        notes=form.notes.data,
        now=now(),
    )
    audit.record(
        get_session(),
        "callback.outcome",
        now=now(),
        actor_id=principal.id,
        request_id=found.id,
        outcome=form.outcome.data,
    )
    closed = found.status == "closed"
    flash(CLOSED if closed else REQUEUED)
    return redirect(url_for("console.index"), 303)


@bp.post(f"/requests/{'<int(max=2147483647):request_id>'}/release")
@role_required(*ANSWERING)
def release(principal: User, request_id: int):
    try:
        queue.release(_held(principal, request_id))
    except NotYours:
        flash(NOT_HELD)
    return redirect(url_for("console.index"), 303)


@bp.post("/presence")
@role_required(*ANSWERING)
def presence(principal: User):
    form = PresenceForm()
    if form.validate_on_submit():
        staffing.mark(
            get_session(), principal.id, on_shift=form.state.data == "on", hours=8, now=now()
        )
    return redirect(url_for("console.index"), 303)


@bp.post("/phone")
@role_required(*ANSWERING)
def phone(principal: User):
    form = PhoneForm()
    try:
        if not form.validate_on_submit():
            raise BadNumber("")
        number = normalise_number(form.phone.data, settings().phone_region)
    except BadNumber:
        flash(_l("That is not a number we can call. Check it, with the area code."))
        return redirect(url_for("console.index"), 303)
    staffing.set_phone(get_session(), principal.id, number)
    flash(_l("Saved: alerts and calls go to this phone."))
    return redirect(url_for("console.index"), 303)
