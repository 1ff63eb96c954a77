"""What a service's editable records hold now, who may change them, and an editor's proposal.

The form carries a digest of each value as the editor saw it (`marks`). A proposal changes only
the fields whose typed value differs from what was seen; if someone changed one of those since,
the proposal is refused with both values (`ChangedSince`) and nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory import privacy
from webapp.directory.changes import apply, hours, languages
from webapp.directory.changes.fields import Tier, columns, editable
from webapp.directory.changes.models import (
    Action,
    ChangeRequest,
    FieldChange,
    OrganizationPolicy,
    Status,
)
from webapp.directory.errors import ChangedSince, Clash, NeedsFrontDoor, NothingChanged
from webapp.directory.models import FieldTranslation, OrganizationMembership, RecordSetting
from webapp.directory.tables import TABLES
from webapp.directory.translated import digest

TRANSLATION = "@"  # "description@es": the Spanish translation of the description


def key_of(field_name: str, language: str = "") -> str:
    return f"{field_name}{TRANSLATION}{language}" if language else field_name


def split_key(key: str) -> tuple[str, str]:
    field_name, _, language = key.partition(TRANSLATION)
    return field_name, language


@dataclass
class Record:
    """One editable HSDS record: its editable fields' values, and their translations."""

    resource: str
    id: str
    values: dict[str, object]
    translations: dict[str, FieldTranslation] = field(default_factory=dict)  # by key
    unusual_hours: bool = False  # schedules the hours form cannot say (see changes.hours)
    place_id: str = ""  # the location an accessibility record describes

    def current(self, key: str) -> object:
        field_name, language = split_key(key)
        if not language:
            return self.values.get(field_name)
        found = self.translations.get(key)
        return found.value if found else None


@dataclass
class Listing:
    """A service as the portal edits it: the service and its phones, capacities and places."""

    service: Record
    organization_id: str
    source_language: str
    phones: list[Record]
    capacities: list[Record]
    locations: list[Record]
    accessibility: list[Record] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [self.service, *self.phones, *self.capacities, *self.locations, *self.accessibility]

    def record(self, resource: str, record_id: str) -> Record | None:
        every = self.records
        return next((r for r in every if (r.resource, r.id) == (resource, record_id)), None)


def load(session: Session, service_id: str) -> Listing | None:
    """The service and the records an editor may change with it; None when there is none."""
    services = TABLES["service"]
    row = session.execute(select(services).where(services.c.id == service_id)).first()
    if row is None:
        return None
    setting = session.get(RecordSetting, ("service", service_id))
    location_ids = _location_ids(session, service_id)
    phones = TABLES["phone"]
    phone_rows = _rows(
        session,
        "phone",
        (phones.c.service_id == service_id) | phones.c.location_id.in_(location_ids or [""]),
    )
    capacity = TABLES["service_capacity"]
    locations, access = TABLES["location"], TABLES["accessibility"]
    return Listing(
        service=_record(session, "service", row._mapping),
        organization_id=row.organization_id,
        source_language=setting.source_language if setting else "en",
        phones=phone_rows,
        capacities=_rows(session, "service_capacity", capacity.c.service_id == service_id),
        locations=_rows(session, "location", locations.c.id.in_(location_ids or [""])),
        accessibility=_rows(
            session, "accessibility", access.c.location_id.in_(location_ids or [""])
        ),
    )


def _location_ids(session: Session, service_id: str) -> list[str]:
    links = TABLES["service_at_location"]
    return list(
        session.scalars(select(links.c.location_id).where(links.c.service_id == service_id))
    )


def _rows(session: Session, resource: str, condition) -> list[Record]:
    table = TABLES[resource]
    rows = session.execute(select(table).where(condition).order_by(table.c.id))
    return [_record(session, resource, row._mapping) for row in rows]


def _record(session: Session, resource: str, row) -> Record:
    names = columns(resource)
    values = {name: _plain(row[name]) for name in names}
    translations = session.scalars(
        select(FieldTranslation).where(
            FieldTranslation.resource == resource, FieldTranslation.record_id == row["id"]
        )
    )
    record = Record(
        resource,
        row["id"],
        values,
        {key_of(t.field, t.language): t for t in translations if t.field in values},
    )
    if resource == "service":
        record.values["hours"], record.unusual_hours = hours.read(session, row["id"])
        record.values["languages"] = languages.read(session, row["id"])
    if resource == "location":
        record.values["place"] = privacy.place_of(session, row["id"])
    if resource == "accessibility":
        record.place_id = row["location_id"]
    return record


def _plain(value: object) -> object:
    """Numbers as the form shows them: 3 rather than 3.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def may_edit(session: Session, user_id: int, *, moderator: bool, organization_id: str) -> bool:
    """Moderators may propose changes to any listing; editors only to their organizations'."""
    if moderator:
        return True
    membership = session.get(OrganizationMembership, (user_id, organization_id))
    return membership is not None


def quick_changes_allowed(session: Session, organization_id: str) -> bool:
    policy = session.get(OrganizationPolicy, organization_id)
    return bool(policy and policy.quick_changes)


@dataclass(frozen=True)
class Proposal:
    """What an editor asks for one record of a listing."""

    listing: Listing
    resource: str
    record_id: str
    typed: dict[str, object]  # by key: the field, or field@language
    seen: dict[str, str]  # by key: the digest of the value when the form was opened
    action: Action = Action.UPDATE
    source_digests: dict[str, str] = field(default_factory=dict)  # by translation key


def propose(
    session: Session, proposal: Proposal, *, author_id: int, now: datetime
) -> list[ChangeRequest]:
    """Store the proposal as change requests; low-risk parts go live at once when allowed.

    Raises NothingChanged, or ChangedSince (nothing stored) when a field the editor changed
    holds something else now than when they opened the form.
    """
    listing, record = proposal.listing, _target(proposal)
    changed, clashes = {}, []
    for key, value in proposal.typed.items():
        current = record.current(key) if record else None
        seen = proposal.seen.get(key, digest(current))
        if digest(value) == seen or value == current:
            continue
        if digest(current) != seen:
            clashes.append(Clash(key, current, value))
        changed[key] = (current, value)
    if clashes:
        raise ChangedSince(clashes)
    place = changed.get("place", (None, None))[1]
    if place and place["visibility"] != "public":
        if not privacy.has_front_door(session, proposal.record_id):
            raise NeedsFrontDoor(proposal.record_id)
    if proposal.action is Action.REMOVE and record is not None:
        changed = {key: (record.current(key), None) for key in columns(record.resource)}
    if not changed:
        raise NothingChanged()
    quick = quick_changes_allowed(session, listing.organization_id)
    made = []
    for tier, keys in _by_tier(proposal.resource, changed, quick).items():
        change = _request(proposal, author_id, now, {k: changed[k] for k in keys})
        session.add(change)
        session.flush()
        if tier is Tier.QUICK:
            apply.forward(session, change, now=now)
            change.status = Status.LIVE
        made.append(change)
    session.flush()
    return made


def _target(proposal: Proposal) -> Record | None:
    if proposal.action is Action.ADD:
        return None
    record = proposal.listing.record(proposal.resource, proposal.record_id)
    if record is None:
        raise LookupError(f"{proposal.resource} {proposal.record_id} is not part of this listing")
    return record


def _by_tier(resource: str, changed: dict, quick: bool) -> dict[Tier, list[str]]:
    """Quick fields apart from the rest, when the organization may publish them at once."""
    tiers: dict[Tier, list[str]] = {}
    for key in changed:
        field_name, language = split_key(key)
        rule = editable(resource, field_name)
        tier = Tier.QUICK if quick and rule.tier is Tier.QUICK and not language else Tier.REVIEW
        tiers.setdefault(tier, []).append(key)
    return tiers


def _request(proposal: Proposal, author_id: int, now: datetime, changed: dict) -> ChangeRequest:
    record_id = proposal.record_id or new_id()
    change = ChangeRequest(
        organization_id=proposal.listing.organization_id,
        service_id=proposal.listing.service.id,
        resource=proposal.resource,
        record_id=record_id,
        action=proposal.action,
        status=Status.PENDING,
        author_id=author_id,
        created_at=now,
    )
    for key, (before, after) in sorted(changed.items()):
        field_name, language = split_key(key)
        change.fields.append(
            FieldChange(
                field=field_name,
                language=language,
                before=json.dumps(before, ensure_ascii=False),
                after=json.dumps(after, ensure_ascii=False),
                source_digest=proposal.source_digests.get(key),
            )
        )
    return change
