"""What the survivor's session remembers: unlocked or not, theme, language, and for a short
while the searches whose results pages she may come back to. Nothing else."""

from __future__ import annotations

import secrets
from functools import wraps

from flask import redirect, session, url_for

from webapp.runtime import now, settings
from webapp.survivor.disguise import THEMES, Theme

UNLOCKED_AT = "u"
SEEN_AT = "v"
THEME = "t"
INTRO_SEEN = "i"
LANGUAGE = "lang"
SEARCHES = "f"
NOTEBOOK = "n"  # the notebook opened in this visit (its id only; the key stays in the page)
# A results address works this long, for the last few searches only.
SEARCH_SECONDS = 30 * 60
SEARCHES_KEPT = 5
# However active, an unlocked session ends after this long.
ABSOLUTE_SECONDS = 12 * 3600


def current_theme() -> Theme:
    return THEMES.get(session.get(THEME, ""), THEMES[settings().disguise])


def unlock() -> None:
    """Open the survivor pages: a fresh session so nothing from the decoy carries over."""
    keep = {key: session[key] for key in (THEME, LANGUAGE, INTRO_SEEN) if key in session}
    session.clear()
    session.update(keep)
    session.renew()  # a new token: one known before the unlock opens nothing
    session[UNLOCKED_AT] = session[SEEN_AT] = int(now().timestamp())


def lock() -> None:
    for key in (UNLOCKED_AT, SEEN_AT, SEARCHES, NOTEBOOK, "csrf_token"):
        session.pop(key, None)


def remember_search(fields: dict) -> str:
    """Keep a search's fields in the server-side session; returns the opaque token that
    names its results page (so no word searched is ever in an address or a form to resend)."""
    moment = int(now().timestamp())
    kept = {
        token: entry
        for token, entry in session.get(SEARCHES, {}).items()
        if moment - entry["at"] < SEARCH_SECONDS
    }
    token = secrets.token_urlsafe(12)
    kept[token] = {"at": moment, "fields": fields}
    session[SEARCHES] = dict(sorted(kept.items(), key=lambda item: item[1]["at"])[-SEARCHES_KEPT:])
    return token


def recalled_search(token: str) -> dict | None:
    """The fields of a search this session made lately, else None."""
    entry = session.get(SEARCHES, {}).get(token)
    if entry is None or now().timestamp() - entry["at"] >= SEARCH_SECONDS:
        return None
    return entry["fields"]


def is_unlocked() -> bool:
    """Unlocked, and neither idle past LOCK_AFTER_MINUTES nor open past the absolute cap."""
    opened, seen = session.get(UNLOCKED_AT), session.get(SEEN_AT)
    if not opened or not seen:
        return False
    moment = now().timestamp()
    if moment - seen > settings().lock_after_minutes * 60 or moment - opened > ABSOLUTE_SECONDS:
        lock()
        return False
    if seen != int(moment):  # an unchanged session is not written again
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
