"""Anonymous reports in the advocate console: the inbox, a report (every opening audited), the
answer she reads with her secret phrase, where it stands, and the thread with each agency she
shares it with (only those: advocates never share a report themselves)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from webapp.accounts import audit
from webapp.accounts.models import User
from webapp.console.blueprint import bp
from webapp.console.forms import REPORT_STATUSES, ReplyForm, StatusForm
from webapp.console.views import ANSWERING
from webapp.db import get_session
from webapp.forms import NoteForm
from webapp.reports import choices, consent, inbox, operations, sharing
from webapp.reports.errors import BadReport, NotShared, UnknownReport
from webapp.runtime import now
from webapp.staff.principal import role_required

REPORT = "/inbox/<uuid(strict=False):item_id>"
REPLIED = _l("Sent. She reads it when she opens her report with her secret phrase.")
STATUS_SAVED = _l("Saved.")
NOTE_SENT = _l("Sent to %(agency)s.")
NOT_SHARED = _l("She does not share this report with that agency (any more). Nothing was sent.")
GONE = _l("That report is gone: its reporter deleted it, or it was kept no longer.")


def _report(item_id) -> object:
    try:
        return inbox.get(get_session(), str(item_id))
    except UnknownReport:
        abort(404, GONE)


@bp.get("/inbox")
@role_required(*ANSWERING)
def reports(principal: User):
    status = request.args.get("status", "")
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    entries = inbox.inbox(get_session(), status=status or None, page=number)
    return render_template(
        "console/reports.html",
        entries=entries,
        status=status if status in inbox.STATUSES else "",
        statuses=REPORT_STATUSES,
        page=number,
        more=len(entries) == inbox.PAGE,
        labels=choices.labels(),
        now=now(),
    )


def _page(report, *, reply=None, status_form=None, notes=None, code=200):
    db = get_session()
    agencies = sharing.shared_agencies(db, report.id)
    threads = sharing.threads(db, report.id, [agency.id for agency in agencies])
    page = render_template(
        "console/report.html",
        report=report,
        reply=reply or ReplyForm(formdata=None),
        status_form=status_form or StatusForm(formdata=None, status=report.status),
        agencies=agencies,
        threads=threads,
        notes=notes or {},
        reads=consent.sharing(db, report),
        labels=choices.labels(),
        note_form=NoteForm.for_agency,
    )
    return page, code


@bp.get(REPORT)
@role_required(*ANSWERING)
def report(principal: User, item_id):
    found = _report(item_id)
    audit.record(get_session(), "report.read", now=now(), actor_id=principal.id, report_id=found.id)
    return _page(found)


@bp.get(REPORT + "/photos/<int(max=2147483647):photo_id>")
@role_required(*ANSWERING)
def photo(principal: User, item_id, photo_id: int):
    try:
        found = inbox.photo(get_session(), str(item_id), photo_id)
    except UnknownReport:
        abort(404, GONE)
    audit.record(
        get_session(),
        "report.photo_read",
        now=now(),
        actor_id=principal.id,
        report_id=found.report_id,
    )
    return _image(found)


def _image(photo) -> Response:
    answer = Response(photo.data, mimetype=photo.media_type)
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["Content-Disposition"] = "inline"
    return answer


@bp.post(REPORT + "/reply")
@role_required(*ANSWERING)
def reply(principal: User, item_id):
    found = _report(item_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _page(found, reply=form, code=400)
    try:
        operations.reply(
            get_session(), found.id, form.body.data or "", author_id=principal.id, now=now()
        )
    except BadReport:
        form.body.errors = [_l("Write your answer first.")]
        return _page(found, reply=form, code=400)
    audit.record(
        get_session(), "report.replied", now=now(), actor_id=principal.id, report_id=found.id
    )
    flash(REPLIED)
    return redirect(url_for("console.report", item_id=found.id), 303)


@bp.post(REPORT + "/status")
@role_required(*ANSWERING)
def status(principal: User, item_id):
    found = _report(item_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _page(found, status_form=form, code=400)
    inbox.set_status(get_session(), found.id, form.status.data)
    flash(STATUS_SAVED)
    return redirect(url_for("console.report", item_id=found.id), 303)


@bp.post(REPORT + "/agencies/<uuid(strict=False):agency_id>")
@role_required(*ANSWERING)
def note(principal: User, item_id, agency_id):
    found = _report(item_id)
    form = NoteForm.for_agency(str(agency_id), formdata=request.form)
    if not form.validate_on_submit():
        return _page(found, notes={str(agency_id): form}, code=400)
    db = get_session()
    try:
        sent = sharing.write(
            db,
            found.id,
            str(agency_id),
            form.body.data or "",
            side="advocate",
            author_id=principal.id,
            now=now(),
        )
    except NotShared:
        flash(NOT_SHARED)
        return redirect(url_for("console.report", item_id=found.id), 303)
    except BadReport:
        form.body.errors = [_l("Write your message first.")]
        return _page(found, notes={str(agency_id): form}, code=400)
    names = {agency.id: agency.name for agency in sharing.shared_agencies(db, found.id)}
    flash(NOTE_SENT % {"agency": names.get(sent.agency_id, "")})
    return redirect(url_for("console.report", item_id=found.id), 303)
