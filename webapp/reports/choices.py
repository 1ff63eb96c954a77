"""What a report form offers: kinds of harm, roughly when, who is writing, and areas.

Codes are stored; labels are what people read. Areas come from `resources/report_areas.json`
(place names, shown as written) plus two choices of our own.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from flask_babel import lazy_gettext as _l

AREAS_FILE = Path(__file__).resolve().parents[2] / "resources" / "report_areas.json"

KINDS = {
    "physical": _l("Hitting, pushing, choking or other physical harm"),
    "threats": _l("Threats or frightening behaviour"),
    "sexual": _l("Sexual violence or pressure"),
    "stalking": _l("Being followed, watched or tracked"),
    "online": _l("Harassment by phone, messages or online"),
    "control": _l("Control over money, papers, phone or where someone goes"),
    "property": _l("Damage to belongings or the home"),
    "children": _l("Harm or threats to children"),
    "other": _l("Something else"),
}
HAPPENED = {
    "ongoing": _l("It is still going on"),
    "days": _l("In the last few days"),
    "weeks": _l("In the last few weeks"),
    "months": _l("In the last few months"),
    "year": _l("More than a year ago"),
    "unsure": _l("I am not sure"),
}
ROLES = {
    "victim": _l("It happened to me"),
    "witness": _l("I saw or heard it happen to someone else"),
}
OTHER_AREAS = {
    "elsewhere": _l("Somewhere else"),
    "unsaid": _l("I would rather not say"),
}


@functools.cache
def _listed_areas() -> tuple[tuple[str, str], ...]:
    listed = json.loads(AREAS_FILE.read_text(encoding="utf-8"))["areas"]
    return tuple((area["code"], area["name"]) for area in listed)


def areas() -> dict[str, object]:
    """Area codes and what people read, the listed places first."""
    return dict(_listed_areas()) | OTHER_AREAS
