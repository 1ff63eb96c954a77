"""HSDS field values: read from CSV text or JSON, checked, written back in one canonical form.

Both imports read every value here, so CSV and JSON are held to the same rules: the field's
type and the constraints its Table Schema declares in the datapackage (`enum`, `pattern`), the
`email` format as JSON Schema checks it, and phone numbers (`phones.problem`).

Canonical output is what makes export -> import -> export identical: whole numbers without a
decimal point, dates as YYYY-MM-DD, date-times in UTC with milliseconds and "Z", times as given.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

from webapp.directory import phones
from webapp.directory.errors import ValueProblem
from webapp.directory.hsds import Field

TIME = re.compile(r"^([01]\d|2[0-4]):[0-5]\d(:[0-5]\d)?(Z|[+-]\d{2}:\d{2})?$")


def parse(field: Field, raw: object) -> object:
    """The stored value for `raw` (CSV text or a JSON value); empty means absent (None)."""
    if raw is None or raw == "":
        return None
    reader = _READERS.get(field.type, _read_string)
    value = reader(field, raw)
    if reason := _constraint_problem(field, value):
        raise ValueProblem(f"{shown(raw)} {reason}")
    return value


def _constraint_problem(field: Field, value: object) -> str | None:
    """What the value breaks of its field's declared constraints, or None."""
    if field.enum is not None and value not in field.enum:
        return "is not one of " + ", ".join(field.enum)
    if field.pattern is not None and not re.fullmatch(field.pattern, str(value)):
        return f"does not match the pattern {field.pattern}"
    if field.format == "email" and "@" not in str(value):
        return "is not an email address"
    if (field.table, field.name) == ("phone", "number"):
        return phones.problem(str(value))
    return None


def shown(raw: object, limit: int = 40) -> str:
    """A value quoted in a problem report, cut short when long (a runaway quote's, say)."""
    text = repr(raw)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(str(raw))} characters)"


def _read_string(field: Field, raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueProblem(f"expected text, got {type(raw).__name__}")
    if field.format == "uuid":
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise ValueProblem(f"{raw!r} is not a UUID") from None
    return raw


def _read_number(_field: Field, raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueProblem("expected a number, got true/false")
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueProblem(f"{raw!r} is not a number") from None


def _read_date(_field: Field, raw: object) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValueProblem(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _read_datetime(_field: Field, raw: object) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise ValueProblem(f"{raw!r} is not a date and time (ISO 8601)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_datetime(raw: str) -> datetime:
    """An ISO 8601 date and time as an aware UTC datetime (a date alone means its midnight)."""
    return _read_datetime(None, raw)  # type: ignore[arg-type]


def _read_time(_field: Field, raw: object) -> str:
    if not isinstance(raw, str) or not TIME.match(raw):
        raise ValueProblem(f"{raw!r} is not a time (HH:MM or HH:MM:SS)")
    return raw


_READERS = {
    "string": _read_string,
    "number": _read_number,
    "date": _read_date,
    "datetime": _read_datetime,
    "time": _read_time,
}


def to_json(field: Field, value: object) -> object:
    """The JSON form of a stored value (numbers stay numbers)."""
    if field.type == "number":
        return int(value) if float(value).is_integer() else value  # type: ignore[arg-type]
    return to_text(field, value)


def to_text(field: Field, value: object) -> str:
    """The CSV form of a stored value."""
    if value is None:
        return ""
    if field.type == "number":
        number = float(value)  # type: ignore[arg-type]
        return str(int(number)) if number.is_integer() else repr(number)
    if field.type == "datetime":
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")  # type: ignore[union-attr]
    if field.type == "date":
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)
