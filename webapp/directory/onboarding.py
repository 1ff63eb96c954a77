"""New organizations, added to the directory by a moderator (then their editors are invited).

The HSDS `organization` row is written at once: a moderator is who would approve it anyway.
Its description is kept as plain text, as every page shows it (escaped, never as markup).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts import audit
from webapp.db import new_id
from webapp.directory.errors import OrganizationRefused
from webapp.directory.models import Organization

WEB_SCHEMES = ("http", "https")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The longest each field may be, in characters.
LIMITS = {"name": 200, "description": 4000, "website": 500, "email": 254}

NAME_TAKEN = _l("An organization with this name is already in the directory.")
NOT_A_WEBSITE = _l("Type a web address that starts with http:// or https://.")
NOT_AN_EMAIL = _l("Type an email address such as info@example.org.")
NEEDED = {
    "name": _l("Type the organization's name."),
    "description": _l("Say in a sentence or two what the organization does."),
}


@dataclass(frozen=True)
class NewOrganization:
    """What a moderator types about an organization; website and email may stay empty."""

    name: str
    description: str
    website: str = ""
    email: str = ""

    def cleaned(self) -> NewOrganization:
        return NewOrganization(
            name=" ".join(self.name.split()),
            description=self.description.strip(),
            website=self.website.strip(),
            email=self.email.strip(),
        )


def website_problem(address: str) -> str | None:
    """Why `address` cannot be an organization's website (http or https only), or None."""
    if any(c.isspace() or ord(c) < 32 for c in address):
        return NOT_A_WEBSITE
    try:
        parts = urlsplit(address)
    except ValueError:
        return NOT_A_WEBSITE
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return NOT_A_WEBSITE
    return None


def _folded(name: str) -> str:
    """A name as people tell names apart: case, accents' composition and spacing aside."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_taken(session: Session, name: str) -> bool:
    wanted = _folded(name)
    return any(_folded(taken) == wanted for taken in session.scalars(select(Organization.name)))


def problems(session: Session, wanted: NewOrganization) -> dict:
    """Each field's problem, as a translated message (empty when all is well)."""
    found: dict = {}
    for field, message in NEEDED.items():
        if not getattr(wanted, field):
            found[field] = message
    for field, limit in LIMITS.items():
        if len(getattr(wanted, field)) > limit:
            found.setdefault(field, _l("Keep it to at most %(num)d characters.", num=limit))
    if wanted.website and (problem := website_problem(wanted.website)):
        found.setdefault("website", problem)
    if wanted.email and not EMAIL.match(wanted.email):
        found.setdefault("email", NOT_AN_EMAIL)
    if "name" not in found and name_taken(session, wanted.name):
        found["name"] = NAME_TAKEN
    return found


def onboard(session: Session, wanted: NewOrganization, *, now: datetime, actor_id: int) -> str:
    """Add the organization to the directory; returns its id. OrganizationRefused says why not."""
    wanted = wanted.cleaned()
    found = problems(session, wanted)
    if found:
        raise OrganizationRefused(found)
    organization = Organization(
        id=new_id(),
        name=wanted.name,
        description=wanted.description,
        website=wanted.website or None,
        email=wanted.email or None,
    )
    session.add(organization)
    session.flush()
    audit.record(
        session,
        "organization.onboarded",
        now=now,
        actor_id=actor_id,
        organization_id=organization.id,
    )
    return organization.id
