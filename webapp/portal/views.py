"""The portal for editors: their organizations' listings, proposing changes, translations.

Every listing is reached through its service: an editor gets 404 for a service of an
organization they do not belong to (moderators may open any). A refused form is shown again with
its messages and everything typed, and nothing is stored (the answer is not a 2xx).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.accounts.models import Role, User
from webapp.db import get_session
from webapp.directory import freshness
from webapp.directory.changes import editing, review
from webapp.directory.changes.editing import Listing, Proposal, Record, key_of
from webapp.directory.changes.fields import BY_RESOURCE
from webapp.directory.changes.models import Action, Status
from webapp.directory.errors import ChangedSince, NeedsFrontDoor, NothingChanged
from webapp.directory.memberships import organizations_of
from webapp.directory.models import Organization
from webapp.directory.tables import TABLES
from webapp.directory.translated import digest
from webapp.i18n import language_choices
from webapp.portal import fields
from webapp.portal.blueprint import bp
from webapp.portal.forms import ChangeForm
from webapp.runtime import now, settings
from webapp.staff.principal import role_required

KEEPERS = (Role.EDITOR, Role.MODERATOR)
SENT = _l("Sent to the moderators. It is published once one of them approves it.")
LIVE = _l("Published now. A moderator will still look at it.")
SAME = _l("Nothing to change: the listing already says this.")
CLASH = _l(
    "Someone changed this listing since you opened it. Nothing was saved: compare, then send again."
)
REFUSED = _l("Nothing was saved: please correct what is marked.")
EXPIRED = _l("The form had expired. Nothing was saved: please send it again.")
FRONT_DOOR = _l(
    "A place survivors may not find needs a public phone number first (its own or its "
    "service's): add one, then hide the address."
)
ADDABLE = ("phone",)


def is_moderator(principal: User) -> bool:
    return principal.has_role(Role.MODERATOR)


@bp.get("/")
@role_required(*KEEPERS)
def index(principal: User):
    db = get_session()
    if is_moderator(principal):
        organizations = list(db.scalars(select(Organization).order_by(Organization.name)))
    else:
        organizations = organizations_of(db, principal.id)
    ids = [organization.id for organization in organizations]
    services = TABLES["service"]
    rows = db.execute(
        select(services.c.id, services.c.name, services.c.organization_id)
        .where(services.c.organization_id.in_(ids or [""]))
        .order_by(services.c.name)
    )
    by_organization: dict[str, list] = {}
    for row in rows:
        by_organization.setdefault(row.organization_id, []).append(row)
    return render_template(
        "portal/index.html",
        organizations=organizations,
        services=by_organization,
        changes=review.of_organizations(db, ids, limit=20),
        waiting=len(review.queue(db)) if is_moderator(principal) else None,
        quick={i for i in ids if editing.quick_changes_allowed(db, i)},
        stale=len(stale_listings(None if is_moderator(principal) else ids)),
    )


def stale_listings(organization_ids: list[str] | None) -> list[freshness.StaleListing]:
    """The stale listings of these organizations (every one's when None)."""
    return freshness.stale_listings(
        get_session(),
        today=today(),
        stale_after_days=settings().stale_after_days,
        unpublish_after_days=settings().unpublish_after_days,
        organization_ids=organization_ids,
    )


def listing_for(principal: User, service_id: str) -> Listing:
    """The listing, when this person may change it; 404 otherwise (existence not told)."""
    db = get_session()
    listing = editing.load(db, service_id)
    if listing is None or not editing.may_edit(
        db, principal.id, moderator=is_moderator(principal), organization_id=listing.organization_id
    ):
        abort(404)
    return listing


@dataclass
class RecordForm:
    """One form of the service page: a record's fields, or a new phone's."""

    resource: str
    record_id: str
    action: str
    fields: list[fields.FieldView]
    seen: str
    clashes: list = ()  # type: ignore[assignment]
    hours: fields.HoursView | None = None
    place: fields.PlaceView | None = None
    languages: fields.LanguagesView | None = None
    waiting: tuple[int, ...] = ()  # changes to what this form shows that await a moderator


def record_forms(
    listing: Listing, failed: dict | None = None, open_changes: list | None = None
) -> dict[str, list[RecordForm]]:
    """The service page's forms by section; `failed` re-shows one form as it was sent."""
    failed = failed or {}

    def form_of(record: Record | None, resource: str, action: str = Action.UPDATE) -> RecordForm:
        record_id = record.id if record else ""
        again = failed.get("where") == (resource, record_id, action)
        shown = fields.views(
            record,
            resource,
            typed=failed.get("typed") if again else None,
            errors=failed.get("errors") if again else None,
        )
        return RecordForm(
            resource,
            record_id,
            action,
            shown,
            fields.seen_json(record, shown),
            failed.get("clashes", []) if again else [],
        )

    forms = {
        "service": [form_of(listing.service, "service")],
        "hours": [hours_form(listing, failed)],
        "languages": [languages_form(listing, failed)],
        "phones": [form_of(phone, "phone") for phone in listing.phones]
        + [form_of(None, "phone", Action.ADD)],
        "capacities": [form_of(capacity, "service_capacity") for capacity in listing.capacities],
        "locations": [form_of(location, "location") for location in listing.locations],
        "places": [place_form(location, failed) for location in listing.locations],
        "access": [form_of(access, "accessibility") for access in listing.accessibility],
    }
    waiting = _waiting(_open_changes(listing) if open_changes is None else open_changes)
    for form in (form for section in forms.values() for form in section):
        shown_keys = json.loads(form.seen)
        found = {waiting.get((form.resource, form.record_id, key)) for key in shown_keys}
        form.waiting = tuple(sorted(change_id for change_id in found if change_id))
    return forms


def _model_form(record: Record, key: str, failed: dict) -> tuple[RecordForm, dict | None, object]:
    """A form for one of a record's whole-model fields (hours, languages, place), with the
    digest of what was shown, and what was typed and refused when it comes back."""
    where = (record.resource, record.id, Action.UPDATE)
    typed = failed.get("typed", {}) if failed.get("where") == where else {}
    again = key in typed
    form = RecordForm(
        record.resource,
        record.id,
        Action.UPDATE,
        [],
        json.dumps({key: digest(record.values[key])}),
        failed.get("clashes", []) if again else [],
    )
    if not again:
        return form, None, None
    return form, typed[key] or None, failed.get("errors", {}).get(key)


def languages_form(listing: Listing, failed: dict) -> RecordForm:
    form, typed, error = _model_form(listing.service, "languages", failed)
    form.languages = fields.languages_view(listing.service.values["languages"], typed, error)
    return form


def place_form(record: Record, failed: dict) -> RecordForm:
    form, typed, error = _model_form(record, "place", failed)
    form.place = fields.place_view(record.values["place"], typed, error)
    return form


def hours_form(listing: Listing, failed: dict) -> RecordForm:
    record = listing.service
    form, typed, error = _model_form(record, "hours", failed)
    form.hours = fields.hours_view(record.values["hours"], typed, error, record.unusual_hours)
    return form


def today() -> date:
    """The deployment's date now (hours and closures are written in its wall-clock time)."""
    return now().astimezone(ZoneInfo(settings().time_zone)).date()


def service_page(principal: User, listing: Listing, failed: dict | None = None, status=200):
    db = get_session()
    open_changes = _open_changes(listing)
    return render_template(
        "portal/service.html",
        listing=listing,
        organization=db.get(Organization, listing.organization_id),
        forms=record_forms(listing, failed, open_changes),
        open_changes=open_changes,
        languages=_translation_languages(listing),
        quick=editing.quick_changes_allowed(db, listing.organization_id),
        confirmation=freshness.state_of(
            db,
            listing.service.id,
            today=today(),
            stale_after_days=settings().stale_after_days,
            unpublish_after_days=settings().unpublish_after_days,
        ),
    ), status


@bp.get("/services/<service_id>")
@role_required(*KEEPERS)
def service(principal: User, service_id: str):
    return service_page(principal, listing_for(principal, service_id))


@bp.post("/services/<service_id>/changes")
@role_required(*KEEPERS)
def propose(principal: User, service_id: str):
    listing = listing_for(principal, service_id)
    form = ChangeForm()
    if not form.validate_on_submit():
        flash(EXPIRED)
        return service_page(principal, listing, status=400)
    resource, record_id, action = _target(listing, form)
    values, typed, errors = fields.read(resource, request.form, today=today())
    where = (resource, record_id, action)
    if errors:
        flash(REFUSED)
        return service_page(
            principal, listing, {"where": where, "typed": typed, "errors": errors}, 400
        )
    proposal = Proposal(
        listing, resource, record_id, values, fields.parse_seen(form.seen.data), Action(action)
    )
    return _send(
        principal, listing, proposal, where, typed, url_for("portal.service", service_id=service_id)
    )


def _target(listing: Listing, form: ChangeForm) -> tuple[str, str, str]:
    """The record the form is for: one of this listing's, or a new phone; 404 otherwise."""
    resource, record_id, action = form.resource.data, form.record_id.data or "", form.action.data
    if resource not in BY_RESOURCE or action not in tuple(Action):
        abort(404)
    if action == Action.ADD:
        if resource not in ADDABLE or record_id:
            abort(404)
    elif listing.record(resource, record_id) is None:
        abort(404)
    return resource, record_id, action


def _send(principal, listing, proposal: Proposal, where, typed, back: str, page=None):
    page = page or (lambda failed, status: service_page(principal, listing, failed, status))
    try:
        made = editing.propose(get_session(), proposal, author_id=principal.id, now=now())
    except NothingChanged:
        flash(SAME)
        return redirect(back, 303)
    except ChangedSince as clash:
        flash(CLASH)
        return page({"where": where, "typed": typed, "clashes": clash.clashes}, 409)
    except NeedsFrontDoor:
        flash(FRONT_DOOR)
        return page({"where": where, "typed": typed}, 400)
    flash(LIVE if all(change.status == Status.LIVE for change in made) else SENT)
    return redirect(back, 303)


def _translation_languages(listing: Listing) -> list[tuple[str, str]]:
    return [(code, name) for code, name in language_choices() if code != listing.source_language]


@dataclass
class TranslationRow:
    view: fields.FieldView
    source: str
    state: str  # missing, machine, outdated, current, waiting (a proposal awaits a moderator)
    change_id: int | None = None  # the proposal waiting


def _open_changes(listing: Listing) -> list:
    return review.of_service(get_session(), listing.service.id, open_only=True)


def _waiting(open_changes: list) -> dict[tuple[str, str, str], int]:
    """(resource, record id, key) of each field a pending change proposes, with its change."""
    return {
        (change.resource, change.record_id, key_of(found.field, found.language)): change.id
        for change in reversed(open_changes)
        if change.status == Status.PENDING
        for found in change.fields
    }


def translation_forms(listing: Listing, language: str, failed: dict | None = None) -> list:
    failed = failed or {}
    waiting = _waiting(_open_changes(listing))
    forms = []
    for record in listing.records:
        again = failed.get("where") == (record.resource, record.id, Action.UPDATE)
        shown = fields.views(
            record,
            record.resource,
            typed=failed.get("typed") if again else None,
            errors=failed.get("errors") if again else None,
            language=language,
        )
        rows = []
        for view in shown:
            change_id = waiting.get((record.resource, record.id, view.key))
            rows.append(
                TranslationRow(
                    view,
                    fields.shown(record.values.get(view.key.split("@")[0])),
                    "waiting" if change_id else _state(record, view.key),
                    change_id,
                )
            )
        if any(row.source for row in rows):
            form = RecordForm(
                record.resource,
                record.id,
                Action.UPDATE,
                shown,
                fields.seen_json(record, shown),
                failed.get("clashes", []) if again else [],
            )
            forms.append((form, rows))
    return forms


def _state(record: Record, key: str) -> str:
    found = record.translations.get(key)
    if found is None:
        return "missing"
    source = record.values.get(key.split("@")[0])
    if found.source_digest and source is not None and found.source_digest != digest(source):
        return "outdated"
    return "machine" if found.origin == "machine" else "current"


def _language_or_404(listing: Listing, language: str) -> str:
    if language not in dict(_translation_languages(listing)):
        abort(404)
    return language


def translations_page(listing: Listing, language: str, failed=None, status=200):
    return render_template(
        "portal/translations.html",
        listing=listing,
        language=language,
        language_name=dict(language_choices())[language],
        languages=_translation_languages(listing),
        forms=translation_forms(listing, language, failed),
    ), status


@bp.get("/services/<service_id>/translations/<language>")
@role_required(*KEEPERS)
def translations(principal: User, service_id: str, language: str):
    listing = listing_for(principal, service_id)
    return translations_page(listing, _language_or_404(listing, language))


@bp.post("/services/<service_id>/translations/<language>")
@role_required(*KEEPERS)
def translate(principal: User, service_id: str, language: str):
    listing = listing_for(principal, service_id)
    language = _language_or_404(listing, language)
    form = ChangeForm()
    if not form.validate_on_submit():
        flash(EXPIRED)
        return translations_page(listing, language, status=400)
    resource, record_id, _action = _target(listing, form)
    if form.action.data != Action.UPDATE:
        abort(404)
    record = listing.record(resource, record_id)
    values, typed, errors = fields.read(resource, request.form, language=language)
    where = (resource, record_id, Action.UPDATE)
    if errors:
        flash(REFUSED)
        return translations_page(
            listing, language, {"where": where, "typed": typed, "errors": errors}, 400
        )
    sources = {
        key: digest(record.values.get(key.split("@")[0])) for key in values if record is not None
    }
    proposal = Proposal(
        listing,
        resource,
        record_id,
        values,
        fields.parse_seen(form.seen.data),
        source_digests=sources,
    )
    back = url_for("portal.translations", service_id=listing.service.id, language=language)
    return _send(
        principal,
        listing,
        proposal,
        where,
        typed,
        back,
        page=lambda failed, status: translations_page(listing, language, failed, status),
    )


@bp.get("/services/<service_id>/history")
@role_required(*KEEPERS)
def history(principal: User, service_id: str):
    listing = listing_for(principal, service_id)
    ids = [record.id for record in listing.records]
    metadata = TABLES["metadata"]
    rows = get_session().execute(
        select(metadata)
        .where(metadata.c.resource_id.in_(ids))
        .order_by(metadata.c.last_action_date.desc(), metadata.c.id)
        .limit(500)
    )
    return render_template(
        "portal/history.html",
        listing=listing,
        rows=list(rows),
        changes=review.of_service(get_session(), listing.service.id),
        key_of=key_of,
    )
