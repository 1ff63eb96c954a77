"""Writing a change request into the directory, with an HSDS `metadata` row per field.

`forward` publishes a change (it must still find the values it was made from), `backward` puts
a live change back when a moderator rejects it (it must still find the change's own values).
Either refuses with `ChangedSince` and writes nothing when the listing moved on in between.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory import privacy, search, weekly
from webapp.directory.changes import hours, languages
from webapp.directory.changes.models import Action, ChangeRequest, FieldChange
from webapp.directory.errors import ChangedSince, Clash, NeedsFrontDoor
from webapp.directory.models import FieldTranslation, Organization
from webapp.directory.tables import TABLES

CAPACITY = "service_capacity"
HOURS = "hours"  # a service's schedules, said by one model (changes.hours)
PLACE = "place"  # a location's visibility and address (directory.privacy)
LANGUAGES = "languages"  # a service's language rows


def values_of(field_change: FieldChange) -> tuple[object, object]:
    """The field's value before and after the change."""
    return json.loads(field_change.before or "null"), json.loads(field_change.after or "null")


def forward(session: Session, change: ChangeRequest, *, now: datetime) -> None:
    """Publish the change: every field from its `before` to its `after` value."""
    _write(session, change, now, reverse=False)


def backward(session: Session, change: ChangeRequest, *, now: datetime) -> None:
    """Undo a published change: every field from its `after` back to its `before` value."""
    _write(session, change, now, reverse=True)


def _write(session: Session, change: ChangeRequest, now: datetime, *, reverse: bool) -> None:
    action = Action(change.action)
    if reverse:
        action = {Action.ADD: Action.REMOVE, Action.REMOVE: Action.ADD}.get(action, action)
    pairs = []
    for field_change in change.fields:
        before, after = values_of(field_change)
        pairs.append((field_change, *((after, before) if reverse else (before, after))))
    _check(session, change, action, [(fc, expected) for fc, expected, _ in pairs])
    table = TABLES[change.resource]
    own = {fc.field: after for fc, _before, after in pairs if not fc.language}
    if HOURS in own:
        hours.write(session, change.record_id, own.pop(HOURS) or hours.empty())
    if LANGUAGES in own:
        languages.write(session, change.record_id, own.pop(LANGUAGES) or [])
    if PLACE in own:
        place = own.pop(PLACE)
        if place["visibility"] != "public" and not privacy.has_front_door(
            session, change.record_id
        ):
            raise NeedsFrontDoor(change.record_id)
        privacy.set_place(session, change.record_id, place)
    if action is Action.REMOVE:
        session.execute(delete(table).where(table.c.id == change.record_id))
        session.execute(
            delete(FieldTranslation).where(
                FieldTranslation.resource == change.resource,
                FieldTranslation.record_id == change.record_id,
            )
        )
    elif action is Action.ADD:
        session.execute(
            insert(table).values(id=change.record_id, service_id=change.service_id, **own)
        )
    elif own:
        if change.resource == CAPACITY:
            own["updated"] = now
        session.execute(update(table).where(table.c.id == change.record_id).values(**own))
    for fc, _before, after in pairs:
        if fc.language and action is not Action.REMOVE:
            _translate(session, change, fc, after)
    _record_history(session, change, action, pairs, now)
    _touch(session, change.service_id, now)


def _check(session: Session, change: ChangeRequest, action: Action, expected: list) -> None:
    """The listing must hold what the change was made from; else nothing is written."""
    table = TABLES[change.resource]
    row = session.execute(select(table).where(table.c.id == change.record_id)).first()
    if action is Action.ADD:
        if row is not None:
            raise ChangedSince([Clash("id", change.record_id, change.record_id)])
        return
    if row is None:
        raise ChangedSince([Clash("id", None, change.record_id)])
    clashes = []
    for fc, value in expected:
        current = _current(session, change, row, fc)
        if not _same(current, value):
            clashes.append(Clash(_key(fc), current, value))
    if clashes:
        raise ChangedSince(clashes)


def current_value(session: Session, change: ChangeRequest, fc: FieldChange) -> object:
    """What the listing holds today for this field of the change (None: no such record)."""
    table = TABLES[change.resource]
    row = session.execute(select(table).where(table.c.id == change.record_id)).first()
    return None if row is None else _current(session, change, row, fc)


def _current(session: Session, change: ChangeRequest, row, fc: FieldChange) -> object:
    if fc.field == HOURS:
        return hours.read(session, change.record_id)[0]
    if fc.field == PLACE:
        return privacy.place_of(session, change.record_id)
    if fc.field == LANGUAGES:
        return languages.read(session, change.record_id)
    if not fc.language:
        return row._mapping[fc.field]
    found = _translation(session, change, fc)
    return found.value if found else None


def _same(stored: object, value: object) -> bool:
    if isinstance(stored, float) and isinstance(value, int | float):
        return stored == float(value)
    return stored == value


def _translation(session: Session, change: ChangeRequest, fc: FieldChange):
    return session.scalar(
        select(FieldTranslation).where(
            FieldTranslation.resource == change.resource,
            FieldTranslation.record_id == change.record_id,
            FieldTranslation.field == fc.field,
            FieldTranslation.language == fc.language,
        )
    )


def _translate(session: Session, change: ChangeRequest, fc: FieldChange, value) -> None:
    found = _translation(session, change, fc)
    if value is None:
        if found is not None:
            session.delete(found)
        return
    if found is None:
        found = FieldTranslation(
            resource=change.resource,
            record_id=change.record_id,
            field=fc.field,
            language=fc.language,
        )
        session.add(found)
    found.value, found.origin, found.source_digest = value, "human", fc.source_digest


def _key(fc: FieldChange) -> str:
    return f"{fc.field}@{fc.language}" if fc.language else fc.field


def _record_history(session, change: ChangeRequest, action: Action, pairs, now) -> None:
    """One HSDS metadata row per field, exported with the directory. `updated_by` names the
    organization and the change, never a person: the export is public."""
    organization = session.get(Organization, change.organization_id)
    who = f"{organization.name if organization else 'organization'} (change {change.id})"
    rows = [
        {
            "id": new_id(),
            "resource_id": change.record_id,
            "resource_type": change.resource,
            "last_action_date": now.date(),
            "last_action_type": action.value,
            "field_name": _key(fc),
            "previous_value": _text(before, _sealed(fc, before, after)),
            "replacement_value": _text(after, _sealed(fc, before, after)),
            "updated_by": who,
        }
        for fc, before, after in pairs
    ]
    if rows:
        session.execute(insert(TABLES["metadata"]), rows)


def _sealed(fc: FieldChange, before, after) -> bool:
    """A place confidential before or after: its address stays out of the public history."""
    return fc.field == PLACE and any(
        value and value.get("visibility") != "public" for value in (before, after)
    )


def _text(value: object, sealed: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "visibility" in value:
        return value["visibility"] if sealed else _place_text(value)
    if isinstance(value, dict):
        return hours.summary(value)
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _touch(session: Session, service_id: str | None, now: datetime) -> None:
    """The service's `last_modified` (the API's `modified_after`), its search document and its
    weekly hours."""
    if service_id is None:
        return
    services = TABLES["service"]
    session.execute(update(services).where(services.c.id == service_id).values(last_modified=now))
    search.reindex(session, [service_id])
    weekly.rebuild(session, [service_id])


def _place_text(place: dict) -> str:
    parts = [place["address"].get(name) for name in privacy.ADDRESS_FIELDS]
    return f"{place['visibility']}: " + ", ".join(part for part in parts if part)
