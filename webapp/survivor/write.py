"""Tell someone what happened (`/write`): the report, its secret phrase shown once, and the
report opened again with that phrase: the thread, who may read it, deleting it.

Post-redirect-get throughout: the phrase lives in the server-side session only until its page
shows it, and what the session keeps to reopen the report is its lookup key, never the phrase.
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from limits import parse

from webapp.db import get_session
from webapp.errors import MESSAGES
from webapp.extensions import limiter
from webapp.reports import agencies, codenames, consent, operations, proofs, tickets
from webapp.reports.errors import (
    BadReport,
    BadTicket,
    NotShared,
    PhotoRefused,
    UnknownAgency,
    UnknownCodename,
)
from webapp.reports.photos import MAX_PHOTOS, clean_photo
from webapp.runtime import now, settings
from webapp.security import client_key
from webapp.settings import REPORTS_AN_HOUR
from webapp.survivor.blueprint import bp
from webapp.survivor.report_forms import AnswerForm, DeleteForm, OpenForm, ReportForm, ShareForm
from webapp.survivor.state import unlocked_required

SHOW_ONCE = "wr"  # the secret phrase to show once, by the token of its page
SENT = "ws"  # form key -> token, so a repeated form finds the phrase its first sending made
OPENED = "wo"  # the lookup key of the report this session opened with its phrase
# Per client, for forms carrying the page's proof of work; without one, the stricter
# REPORTS_AN_HOUR_WITHOUT_PROOF also applies. A refused report keeps what was typed.
REPORTS_A_HOUR = parse(f"{REPORTS_AN_HOUR}/hour")
PHRASE_ATTEMPTS = parse("10/15 minutes")  # wrong phrases before even a right one is refused
ANSWERS_A_HOUR = parse("30/hour")
LONGEST_FIELD_BYTES = 4 * 1024 * 1024
ALREADY_SHOWN = "seen"  # the page of a phrase that was shown (or never made here)

STALE_FORM = _l("This form was open for too long. Check what you typed and send it again.")
WRONG_PHRASE = _l(
    "We could not find a report with that secret phrase. Check the words and try again."
)
PASTED_PHRASE = _l(
    "This looks like a secret phrase. Anyone who reads your report could use it to open it. "
    "Take it out, or tick the box below if it is not one."
)
PROBLEMS = {
    ("kinds", "choice"): _l("Choose at least one of the kinds listed."),
    ("happened", "choice"): _l("Choose one of the answers listed."),
    ("area", "choice"): _l("Choose an area from the list."),
    ("role", "choice"): _l("Choose who is writing."),
    ("text", "empty"): _l("Write what happened, even in a few words."),
    ("text", "long"): _l("Use at most 5,000 letters."),
    ("body", "empty"): _l("Write your answer first."),
    ("body", "long"): _l("Use at most 2,000 letters."),
}
PHOTO_PROBLEMS = {
    "type": _l("Only photos in JPEG or PNG can be sent. Choose the photos again."),
    "size": _l("Each photo can be at most 3 MB. Choose the photos again."),
    "count": _l("Choose at most 5 photos."),
}
UNKNOWN_AGENCY = _l("One of these is not on the list any more. Check who may read it.")


@bp.url_value_preprocessor
def _room_for_long_text(endpoint: str | None, _values: dict | None) -> None:
    """Let a long pasted text reach the view, which says what the limit is: by default a
    field over 500 kB is refused with a bare 413 before any view (or the CSRF check) runs.
    This runs before those checks read the form."""
    if endpoint in ("survivor.send_report", "survivor.answer_report"):
        request.max_form_memory_size = LONGEST_FIELD_BYTES


def _agency_choices() -> list[tuple[str, str]]:
    return [(a.id, a.name) for a in agencies.all_agencies(get_session())]


def _report_form(form: ReportForm | None = None) -> ReportForm:
    form = form or ReportForm(formdata=None, agencies=_agency_choices())
    if not form.is_submitted():
        form.ticket.data = tickets.new_ticket(settings().secret_key)
    return form


def _page(form: ReportForm, opener: OpenForm | None = None, *, status=200, photo_error=None):
    opener = opener or OpenForm(formdata=None)
    page = render_template(
        "survivor/write.html",
        form=form,
        opener=opener,
        photo_error=photo_error,
        max_photos=MAX_PHOTOS,
        proof_bits=settings().report_proof_bits,
    )
    return page, status


@bp.get("/write")
@unlocked_required
def write():
    return _page(_report_form())


@bp.post("/write")
@unlocked_required
def send_report():
    form = _report_form(ReportForm(agencies=_agency_choices()))
    proven = proofs.verify(form.ticket.data, form.proof.data, settings().report_proof_bits)
    if not proven:  # a wrong proof counts as none; the page's script looks for a right one
        form.proof.data = ""
    if not _within_limits(proven):
        form.ticket.errors = [MESSAGES[429]]
        return _page(form, status=429)
    if not form.validate_on_submit() or form.website.data:
        return _page(form, status=400)
    try:
        form_key = tickets.form_key(settings().secret_key, form.ticket.data or "")
        draft = operations.Draft(
            kinds=form.kinds.data or [],
            happened=form.happened.data or "",
            area=form.area.data or "",
            role=form.role.data or "",
            text=form.text.data or "",
            agencies=form.agencies.data or [],
            photos=[clean_photo(raw) for raw in _uploads()],
        )
        operations.check(get_session(), draft)
    except BadTicket:
        form.ticket.data = tickets.new_ticket(settings().secret_key)
        form.proof.data = ""
        form.ticket.errors = [STALE_FORM]
        return _page(form, status=400)
    except PhotoRefused as refused:
        return _page(form, status=400, photo_error=PHOTO_PROBLEMS[refused.reason])
    except BadReport as bad:
        getattr(form, bad.field).errors = [PROBLEMS[(bad.field, bad.problem)]]
        return _page(form, status=400)
    except UnknownAgency:
        form.agencies.errors = [UNKNOWN_AGENCY]
        return _page(form, status=400)
    if codenames.looks_like_codename(draft.text) and not form.codename_ok.data:
        form.text.errors = [PASTED_PHRASE]
        return _page(form, status=400)
    return _store(draft, form_key)


def _within_limits(proven: bool) -> bool:
    """Count this sending against the client's limits: the stricter one too without a proof."""
    client = client_key()
    if not proven:
        plain = parse(f"{settings().reports_an_hour_without_proof}/hour")
        if not limiter.limiter.hit(plain, "report without proof", client):
            return False
    return limiter.limiter.hit(REPORTS_A_HOUR, "report", client)


def _uploads() -> list[bytes]:
    """The chosen photos' bytes (a form with none sends one nameless, empty part)."""
    chosen = [f for f in request.files.getlist("photos") if f.filename]
    try:
        if len(chosen) > MAX_PHOTOS:
            raise PhotoRefused("count")
        return [upload.read() for upload in chosen]
    finally:
        for upload in request.files.getlist("photos"):
            upload.close()


def _store(draft: operations.Draft, form_key: str):
    codename = codenames.new_codename()
    key = _lookup_key(codename)
    report, made = operations.submit(
        get_session(), draft, lookup_key=key, form_key=form_key, now=now()
    )
    sent = session.get(SENT, {})
    if not made:  # the same form again: the first sending's page, if it was never seen
        token = sent.get(form_key, "")
        if token not in session.get(SHOW_ONCE, {}):
            token = ALREADY_SHOWN
        return redirect(url_for("survivor.report_sent", token=token), 303)
    token = secrets.token_urlsafe(12)
    session[SHOW_ONCE] = {token: {"codename": codename, "photos": len(draft.photos)}}
    session[SENT] = {form_key: token}
    session[OPENED] = report.lookup_key
    return redirect(url_for("survivor.report_sent", token=token), 303)


def _lookup_key(codename: str) -> str:
    config = settings()
    return codenames.lookup_key(
        config.report_pepper,
        codename,
        memory_kib=config.argon2_memory_kib,
        time_cost=config.argon2_time_cost,
        parallelism=config.argon2_parallelism,
    )


@bp.get("/write/r/<token>")
@unlocked_required
def report_sent(token: str):
    """The secret phrase, shown once: this page forgets it as it shows it."""
    shown = session.pop(SHOW_ONCE, {}).get(token)
    return render_template("survivor/write_sent.html", shown=shown)


@bp.post("/write/open")
@unlocked_required
def open_report():
    opener = OpenForm()
    if not opener.validate_on_submit():
        return _page(_report_form(), opener, status=400)
    client = client_key()
    try:
        if not limiter.limiter.test(PHRASE_ATTEMPTS, "phrase", client):
            raise UnknownCodename()
        report = operations.visit(get_session(), _lookup_key(opener.codename.data), now=now())
    except UnknownCodename:
        limiter.limiter.hit(PHRASE_ATTEMPTS, "phrase", client)
        opener.codename.data = ""
        opener.codename.errors = [WRONG_PHRASE]
        return _page(_report_form(), opener, status=400)
    session[OPENED] = report.lookup_key
    return redirect(url_for("survivor.my_report"), 303)


def _opened():
    """The report this session opened, or None (deleted, or never opened)."""
    key = session.get(OPENED)
    if not key:
        return None
    try:
        return operations.find(get_session(), key)
    except UnknownCodename:
        session.pop(OPENED, None)
        return None


def _report_page(report, answer=None, deleting=None, *, status=200, share_error=None):
    zone = ZoneInfo(settings().time_zone)

    def day(moment):
        return format_date(moment.astimezone(zone).date(), "long", locale=get_locale())

    page = render_template(
        "survivor/write_report.html",
        report=report,
        sharing=consent.sharing(get_session(), report),
        answer=answer or AnswerForm(formdata=None),
        deleting=deleting or DeleteForm(formdata=None),
        share_error=share_error,
        deleted_on=day(operations.deleted_after(report, settings().report_retention_days)),
        day=day,
    )
    return page, status


@bp.get("/write/mine")
@unlocked_required
def my_report():
    report = _opened()
    if report is None:
        return redirect(url_for("survivor.write"), 303)
    return _report_page(report)


@bp.post("/write/mine/answer")
@unlocked_required
def answer_report():
    report = _opened()
    if report is None:
        return redirect(url_for("survivor.write"), 303)
    form = AnswerForm()
    if not limiter.limiter.hit(ANSWERS_A_HOUR, "report answer", client_key()):
        form.body.errors = [MESSAGES[429]]
        return _report_page(report, form, status=429)
    if not form.validate_on_submit():
        return _report_page(report, form, status=400)
    body = form.body.data or ""
    if codenames.looks_like_codename(body) and not form.codename_ok.data:
        form.body.errors = [PASTED_PHRASE]
        return _report_page(report, form, status=400)
    try:
        operations.answer(get_session(), report, body, now=now())
    except BadReport as bad:
        form.body.errors = [PROBLEMS[(bad.field, bad.problem)]]
        return _report_page(report, form, status=400)
    return redirect(url_for("survivor.my_report"), 303)


@bp.post("/write/mine/share")
@unlocked_required
def share_report():
    report = _opened()
    if report is None:
        return redirect(url_for("survivor.write"), 303)
    form = ShareForm()
    if not form.validate_on_submit() or form.change.data not in ("grant", "revoke"):
        return _report_page(report, status=400)
    change = consent.grant if form.change.data == "grant" else consent.revoke
    try:
        change(get_session(), report, form.agency.data or "", now=now())
    except (UnknownAgency, NotShared):
        return _report_page(report, status=400, share_error=UNKNOWN_AGENCY)
    return redirect(url_for("survivor.my_report"), 303)


@bp.post("/write/mine/delete")
@unlocked_required
def delete_report():
    report = _opened()
    if report is None:
        return redirect(url_for("survivor.write"), 303)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _report_page(report, deleting=form, status=400)
    operations.delete_report(get_session(), report)
    session.pop(OPENED, None)
    return redirect(url_for("survivor.report_deleted"), 303)


@bp.get("/write/deleted")
@unlocked_required
def report_deleted():
    return render_template("survivor/write_deleted.html")


@bp.post("/write/mine/close")
@unlocked_required
def close_report():
    """Put the report away: this visit forgets it until the phrase is typed again."""
    session.pop(OPENED, None)
    return redirect(url_for("survivor.write"), 303)
