"""The partner agencies' area: only the reports survivors chose to share with the reader's
agency (every opening recorded where the reporter sees it, and in the audit log), the thread
with the advocates about each, and figures without identities.

Whatever is not shared with one of the reader's agencies, or no longer is, answers 404: the
same as a report that never existed.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from babel.dates import format_date
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from webapp.accounts.models import Role, User
from webapp.db import get_session
from webapp.forms import NoteForm
from webapp.partners import charts
from webapp.partners.blueprint import bp
from webapp.reports import aggregates, choices, sharing
from webapp.reports.errors import BadReport, NotShared
from webapp.runtime import now, settings
from webapp.staff.principal import role_required

REPORT = "/shared/<uuid(strict=False):item_id>"
NOT_SHARED = _l("Nothing here: no report is shared with your agency at this address.")
NOTE_SENT = _l("Sent to the advocates.")


@bp.get("/")
@role_required(Role.PARTNER)
def index(principal: User):
    entries = sharing.shared_with(get_session(), principal.id)
    return render_template("partners/index.html", entries=entries, labels=choices.labels())


def _page(report, agencies, *, notes=None, code=200):
    db = get_session()
    threads = sharing.threads(db, report.id, [agency.id for agency in agencies])
    page = render_template(
        "partners/report.html",
        report=report,
        agencies=agencies,
        threads=threads,
        notes=notes or {},
        note_form=NoteForm.for_agency,
        labels=choices.labels(),
    )
    return page, code


@bp.get(REPORT)
@role_required(Role.PARTNER)
def report(principal: User, item_id):
    db = get_session()
    try:
        found, agencies = sharing.open_shared(db, str(item_id), principal.id, now=now())
    except NotShared:
        abort(404, NOT_SHARED)
    return _page(found, agencies)


@bp.get(REPORT + "/photos/<int(max=2147483647):photo_id>")
@role_required(Role.PARTNER)
def photo(principal: User, item_id, photo_id: int):
    try:
        found = sharing.shared_photo(get_session(), str(item_id), photo_id, principal.id)
    except NotShared:
        abort(404, NOT_SHARED)
    answer = Response(found.data, mimetype=found.media_type)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.post(REPORT + "/agencies/<uuid(strict=False):agency_id>")
@role_required(Role.PARTNER)
def note(principal: User, item_id, agency_id):
    db = get_session()
    try:
        found, agencies = sharing.peek(db, str(item_id), principal.id)
    except NotShared:
        abort(404, NOT_SHARED)
    if str(agency_id) not in {agency.id for agency in agencies}:
        abort(404, NOT_SHARED)
    form = NoteForm.for_agency(str(agency_id), formdata=request.form)
    if not form.validate_on_submit():
        return _page(found, agencies, notes={str(agency_id): form}, code=400)
    try:
        sharing.write(
            db,
            found.id,
            str(agency_id),
            form.body.data or "",
            side="partner",
            author_id=principal.id,
            now=now(),
        )
    except BadReport:
        form.body.errors = [_l("Write your message first.")]
        return _page(found, agencies, notes={str(agency_id): form}, code=400)
    flash(NOTE_SENT)
    return redirect(url_for("partners.report", item_id=found.id), 303)


def _figures() -> aggregates.Figures:
    config = settings()
    return aggregates.figures(
        get_session(), now=now(), zone=config.time_zone, areas=list(choices.areas())
    )


def _row_labels(dimension: str) -> dict[str, str]:
    if dimension == "kind":
        return {code: str(label) for code, label in choices.KINDS.items()}
    if dimension == "area":
        return {code: str(label) for code, label in choices.areas().items()}
    return {}


def _month_label(code: str) -> str:
    year, month = code.split("-")
    return format_date(date(int(year), int(month), 1), "MMMM y", locale=get_locale())


def shown(row: aggregates.Row) -> str:
    """What the page and the CSV say of a cell."""
    if row.mark == aggregates.SMALL:
        return "<5"
    if row.mark == aggregates.HIDDEN:
        return "x"
    return str(row.count)


def _labelled(figures: aggregates.Figures) -> list[dict]:
    tables = []
    for table in figures.tables:
        names = _row_labels(table.dimension)
        rows = [
            {
                "code": row.code,
                "label": _month_label(row.code)
                if table.dimension == "month"
                else names.get(row.code, row.code),
                "shown": shown(row),
                "row": row,
            }
            for row in table.rows
        ]
        tables.append({"table": table, "rows": rows, "chart": charts.bars(rows)})
    return tables


@bp.get("/figures")
@role_required(Role.PARTNER)
def figures(principal: User):
    found = _figures()
    return render_template(
        "partners/figures.html",
        figures=found,
        tables=_labelled(found),
        first=_month_label(found.first_month.strftime("%Y-%m")),
        last=_month_label(found.last_month.strftime("%Y-%m")),
    )


@bp.get("/figures.csv")
@role_required(Role.PARTNER)
def figures_csv(principal: User):
    found = _figures()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "code", "label", "reports"])
    if found.withheld:
        writer.writerow(["all", "total", _cell(str(TOTAL)), "withheld"])
    for table in _labelled(found):
        dimension = table["table"].dimension
        for row in table["rows"]:
            writer.writerow([dimension, row["code"], _cell(row["label"]), row["shown"]])
        writer.writerow([dimension, "total", _cell(str(TOTAL)), table["table"].total])
    answer = Response(out.getvalue(), mimetype="text/csv")
    answer.headers["Content-Disposition"] = "attachment; filename=figures.csv"
    answer.headers["Cache-Control"] = "no-store"
    return answer


TOTAL = _l("All reports")


def _cell(text: str) -> str:
    """A spreadsheet must not read a label as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
