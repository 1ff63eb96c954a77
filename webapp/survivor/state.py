"""What the survivor's session remembers: unlocked or not, theme, language. Nothing else."""

from __future__ import annotations

from functools import wraps

from flask import redirect, session, url_for

from webapp.runtime import now, settings
from webapp.survivor.disguise import THEMES, Theme

UNLOCKED_AT = "u"
SEEN_AT = "v"
THEME = "t"
INTRO_SEEN = "i"
LANGUAGE = "lang"
# However active, an unlocked session ends after this long.
ABSOLUTE_SECONDS = 12 * 3600


def current_theme() -> Theme:
    return THEMES.get(session.get(THEME, ""), THEMES[settings().disguise])


def unlock() -> None:
    """Open the survivor pages: a fresh session so nothing from the decoy carries over."""
    keep = {key: session[key] for key in (THEME, LANGUAGE, INTRO_SEEN) if key in session}
    session.clear()
    session.update(keep)
    session[UNLOCKED_AT] = session[SEEN_AT] = int(now().timestamp())


def lock() -> None:
    for key in (UNLOCKED_AT, SEEN_AT, "csrf_token"):
        session.pop(key, None)


def is_unlocked() -> bool:
    """Unlocked, and neither idle past LOCK_AFTER_MINUTES nor open past the absolute cap."""
    opened, seen = session.get(UNLOCKED_AT), session.get(SEEN_AT)
    if not opened or not seen:
        return False
    moment = now().timestamp()
    if moment - seen > settings().lock_after_minutes * 60 or moment - opened > ABSOLUTE_SECONDS:
        lock()
        return False
    session[SEEN_AT] = int(moment)
    return True


def unlocked_required(view):
    """Survivor pages show only behind the unlock; anyone else sees the decoy."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_unlocked():
            return redirect(url_for("survivor.decoy"), 303)
        return view(*args, **kwargs)

    return wrapper
