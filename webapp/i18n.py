"""Locale negotiation, catalog checks and what `<html lang dir>` needs."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from flask import Flask, has_request_context, request, session
from flask_babel import format_timedelta, get_locale
from markupsafe import Markup

from webapp.runtime import settings
from webapp.settings import SUPPORTED_LOCALES

SECOND = timedelta(seconds=1)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# Browsers send regional Chinese tags; all of them read Simplified Chinese here.
ALIASES = {"zh": "zh_Hans", "zh_CN": "zh_Hans", "zh_SG": "zh_Hans", "zh_Hans_CN": "zh_Hans"}


def normalise(tag: str | None) -> str | None:
    """A supported locale for a tag such as `es-MX` or `zh-CN`, else None."""
    if not tag:
        return None
    tag = tag.replace("-", "_")
    if tag in SUPPORTED_LOCALES:
        return tag
    if tag in ALIASES:
        return ALIASES[tag]
    base = tag.split("_", 1)[0]
    if base in SUPPORTED_LOCALES:
        return base
    return ALIASES.get(base)


def offered(tag: str | None) -> str | None:
    """Like `normalise`, for the languages this deployment offers (LANGUAGES) only."""
    found = normalise(tag)
    return found if found in settings().languages else None


def select_locale() -> str:
    """Session choice, then Accept-Language, then the deployment default."""
    if not has_request_context():
        return settings().default_locale
    chosen = offered(session.get("lang"))
    if chosen:
        return chosen
    for tag, _quality in request.accept_languages:
        found = offered(tag)
        if found:
            return found
    return settings().default_locale


def html_lang() -> str:
    return str(get_locale()).replace("_", "-")


def html_dir() -> str:
    return get_locale().character_order == "right-to-left" and "rtl" or "ltr"


def _own_name(code: str) -> str:
    """A language named in itself, capitalised as a list entry is: "Español", "中文"."""
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """Each supported language named in itself, so anyone can find their own."""
    return [(code, _own_name(code)) for code in SUPPORTED_LOCALES]


def offered_choices() -> list[tuple[str, str]]:
    """The languages this deployment offers, each named in itself: the language switch."""
    return [(code, name) for code, name in language_choices() if code in settings().languages]


def locale_name(code: str) -> Markup:
    """A language of the app by its own name, marked as that language: "Español" for `es`
    (a code the app does not know stays as it is)."""
    if code not in SUPPORTED_LOCALES:
        return Markup.escape(code)
    return Markup('<bdi lang="%s">%s</bdi>') % (code.replace("_", "-"), _own_name(code))


def spoken_languages() -> dict[str, str]:
    """The languages of the UI as a service's staff speak them (ISO 639 codes, `zh` not
    `zh_Hans`), each named in itself: what a survivor can ask to be helped in."""
    codes = dict.fromkeys(code.split("_", 1)[0] for code in SUPPORTED_LOCALES)
    return {code: _own_name(code) for code in codes}


# Codes Babel does not name but services offer: sign languages above all.
UNNAMED = {"bfi": "British Sign Language", "sgn": "Sign language"}


def language_name(code: str, locale: str | None = None) -> str:
    """A language a service offers, named for the reader: a language of the interface in itself
    (as the language filter names it), any other in `locale` (the page's), else in English."""
    if locale is None and code in spoken_languages():
        return spoken_languages()[code]
    names = Locale.parse(locale or str(get_locale())).languages
    return names.get(code) or Locale("en").languages.get(code) or UNNAMED.get(code) or code


def content_language(value: object) -> Markup:
    """` lang=".." dir="auto"` for directory text, which may be in another language than the page.

    Screen readers then read it in its own language, and a line of English in an Arabic page
    keeps its full stop at its end. Text without a known language still gets its own direction.
    """
    tag = getattr(value, "tag", None)
    return Markup(' lang="%s" dir="auto"') % tag if tag else Markup(' dir="auto"')


def left_to_right(value: object) -> Markup:
    """A phone number or time kept left to right, digits in order, inside right-to-left text."""
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def time_ago(moment: datetime, now: datetime) -> str:
    """ "3 hours ago" in the reader's language; a moment ahead of the clock counts as just past."""
    return format_timedelta(min(moment - now, -SECOND), add_direction=True)


def time_until(moment: datetime, now: datetime) -> str:
    """ "in 3 hours" in the reader's language; a moment already past counts as a second away."""
    return format_timedelta(max(moment - now, SECOND), add_direction=True)


def local_moment(moment: datetime) -> str:
    """A date and time in the deployment's time zone, written the reader's way."""
    zone = ZoneInfo(settings().time_zone)
    return format_datetime(moment.astimezone(zone), "medium", locale=get_locale())


def missing_catalogs() -> list[str]:
    return [
        code
        for code in SUPPORTED_LOCALES
        if code != "en" and not (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").exists()
    ]


def register(app: Flask) -> None:
    missing = missing_catalogs()
    if missing:
        raise RuntimeError(
            "Compiled translations are missing for "
            + ", ".join(missing)
            + ": run `pybabel compile -d translations` first"
        )
    app.jinja_env.globals.update(
        html_lang=html_lang,
        html_dir=html_dir,
        language_choices=language_choices,
        offered_choices=offered_choices,
        current_locale=get_locale,
    )
    app.jinja_env.filters.update(
        content_language=content_language,
        locale_name=locale_name,
        ltr=left_to_right,
        ago=time_ago,
        until=time_until,
        moment=local_moment,
        language_name=language_name,
    )
