"""What a report form offers: kinds of harm, roughly when, who is writing, and areas.

Codes are stored; labels are what people read. Areas come from the deployment's areas file
(`REPORT_AREAS_FILE`, by default `resources/report_areas.json`: place names, shown as written)
plus two choices of our own. The file is checked when the app starts (`areas_file_problems`).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

AREAS_FILE = Path(__file__).resolve().parents[2] / "resources" / "report_areas.json"
AREA_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")  # stored in a column of 32 characters
MOST_AREAS = 500
LONGEST_NAME = 100

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


class AreasFileError(ValueError):
    """The areas file cannot be used; `problems` says why, each in one sentence."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: " + "; ".join(problems))
        self.problems = problems


def configured_areas_file() -> Path:
    """The areas file of the app in context (its `REPORT_AREAS_FILE`), else the shipped one."""
    if has_app_context():
        from webapp import runtime  # the settings module checks this file: imported late

        chosen = runtime.settings(current_app).report_areas_file
        if chosen:
            return Path(chosen)
    return AREAS_FILE


def areas(path: Path | None = None) -> dict[str, object]:
    """Area codes and what people read, the listed places first (by default those of the
    configured file)."""
    return dict(_listed_areas(path or configured_areas_file())) | OTHER_AREAS


def areas_file_problems(path: str | Path | None = None) -> list[str]:
    """Why the areas file at `path` (by default the shipped one) cannot be used; [] if it can."""
    path = Path(path) if path else AREAS_FILE
    try:
        _listed_areas(path)
    except AreasFileError as error:
        return [f"REPORT_AREAS_FILE {path}: {problem}" for problem in error.problems]
    return []


@functools.cache
def _listed_areas(path: Path) -> tuple[tuple[str, str], ...]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AreasFileError(path, [f"cannot be read ({error.strerror})"]) from error
    except (UnicodeDecodeError, ValueError) as error:
        raise AreasFileError(path, [f"is not JSON in UTF-8 ({error})"]) from error
    listed = document.get("areas") if isinstance(document, dict) else None
    if not isinstance(listed, list) or not listed:
        raise AreasFileError(path, ['must be an object whose "areas" is a list of areas'])
    problems = _area_problems(listed)
    if problems:
        raise AreasFileError(path, problems)
    return tuple((area["code"], area["name"].strip()) for area in listed)


def _area_problems(listed: list) -> list[str]:
    problems = []
    if len(listed) > MOST_AREAS:
        problems.append(f"lists {len(listed)} areas, at most {MOST_AREAS} can be offered")
    seen: set[str] = set()
    for number, area in enumerate(listed, start=1):
        code = area.get("code") if isinstance(area, dict) else None
        name = area.get("name") if isinstance(area, dict) else None
        if not isinstance(code, str) or not AREA_CODE.fullmatch(code):
            problems.append(
                f"area {number}: code must be 1 to 32 lower-case letters, digits, - or _"
            )
        elif code in OTHER_AREAS:
            problems.append(f"area {number}: code {code!r} is one of the form's own choices")
        elif code in seen:
            problems.append(f"area {number}: code {code!r} is used more than once")
        else:
            seen.add(code)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"area {number}: name must not be empty")
        elif len(name.strip()) > LONGEST_NAME:
            problems.append(f"area {number}: name is longer than {LONGEST_NAME} characters")
    return problems


def labels() -> dict[str, dict[str, object]]:
    """What people read for each stored code, by field: for pages that show a report."""
    return {"kinds": KINDS, "happened": HAPPENED, "roles": ROLES, "areas": areas()}
