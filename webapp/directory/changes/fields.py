"""What the portal lets editors change, of which kind, and whether it waits for a moderator.

A wrong phone number sends a survivor to a stranger; a published shelter street sends an abuser
to her. Those fields, and whatever decides whether or how she is taken in (intake steps,
eligibility, ages), always wait for a moderator (`Tier.REVIEW`). Only capacity and opening hours
with their closures (`Tier.QUICK`) may go live before review, and only for organizations a
moderator allows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from webapp.directory import translated


class Tier(StrEnum):
    REVIEW = "review"
    QUICK = "quick"


class Kind(StrEnum):
    LINE = "line"  # one line of plain text
    TEXT = "text"  # plain text, several lines
    RICH = "rich"  # a few HTML tags, sanitised (clean.RICH_TAGS)
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"
    EXTENSION = "extension"
    COUNT = "count"  # a whole number, 0 or more
    AGE = "age"
    CHOICE = "choice"
    HOURS = "hours"  # the week and its dated exceptions (changes.hours), not a column
    PLACE = "place"  # visibility, public area and address (directory.privacy), not a column
    LANGUAGES = "languages"  # the codes of the languages spoken (HSDS language rows)


@dataclass(frozen=True)
class Editable:
    resource: str  # the HSDS table
    field: str  # its column
    kind: Kind
    tier: Tier = Tier.REVIEW
    limit: int = 0  # most characters (text kinds)
    choices: tuple[str, ...] = ()
    required: bool = False

    @property
    def translatable(self) -> bool:
        return self.kind in (Kind.LINE, Kind.TEXT, Kind.RICH) and translated.translatable(
            self.resource, self.field
        )


PHONE_TYPES = ("voice", "text", "textphone", "fax", "video", "pager", "cell")

SERVICE = (
    Editable("service", "name", Kind.LINE, limit=200, required=True),
    Editable("service", "alternate_name", Kind.LINE, limit=200),
    Editable("service", "description", Kind.RICH, limit=4000),
    Editable("service", "alert", Kind.TEXT, limit=500),
    Editable("service", "application_process", Kind.TEXT, limit=2000),
    Editable("service", "eligibility_description", Kind.TEXT, limit=2000),
    Editable("service", "minimum_age", Kind.AGE),
    Editable("service", "maximum_age", Kind.AGE),
    Editable("service", "fees_description", Kind.TEXT, limit=1000),
    Editable("service", "interpretation_services", Kind.TEXT, limit=1000),
    Editable("service", "wait_time", Kind.LINE, limit=200),
    Editable("service", "url", Kind.URL, limit=500),
    Editable("service", "email", Kind.EMAIL, limit=254),
    Editable("service", "hours", Kind.HOURS, Tier.QUICK),
    Editable("service", "languages", Kind.LANGUAGES),
)
PHONE = (
    Editable("phone", "number", Kind.PHONE, limit=40, required=True),
    Editable("phone", "extension", Kind.EXTENSION),
    Editable("phone", "type", Kind.CHOICE, choices=PHONE_TYPES),
    Editable("phone", "description", Kind.LINE, limit=200),
)
CAPACITY = (
    Editable("service_capacity", "available", Kind.COUNT, Tier.QUICK, required=True),
    Editable("service_capacity", "maximum", Kind.COUNT, Tier.QUICK),
)
LOCATION = (
    Editable("location", "name", Kind.LINE, limit=200),
    Editable("location", "description", Kind.TEXT, limit=2000),
    Editable("location", "transportation", Kind.TEXT, limit=1000),
    Editable("location", "place", Kind.PLACE),
)
ACCESSIBILITY = (
    Editable("accessibility", "description", Kind.TEXT, limit=1000),
    Editable("accessibility", "details", Kind.TEXT, limit=1000),
)
VIRTUAL = (Kind.HOURS, Kind.PLACE, Kind.LANGUAGES)

BY_RESOURCE: dict[str, tuple[Editable, ...]] = {
    "service": SERVICE,
    "phone": PHONE,
    "service_capacity": CAPACITY,
    "location": LOCATION,
    "accessibility": ACCESSIBILITY,
}


def columns(resource: str) -> list[str]:
    """The editable fields that are HSDS columns of the resource's own table."""
    return [rule.field for rule in BY_RESOURCE[resource] if rule.kind not in VIRTUAL]


def editable(resource: str, field: str) -> Editable:
    """The field's rules; KeyError for anything the portal does not edit."""
    for candidate in BY_RESOURCE[resource]:
        if candidate.field == field:
            return candidate
    raise KeyError(f"{resource}.{field}")
