"""The survivor blueprint, its error pages and what every page it renders knows."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from webapp import errors
from webapp.deployment import dial
from webapp.runtime import settings
from webapp.survivor.state import current_theme, is_unlocked

bp = Blueprint("survivor", __name__)


@bp.app_context_processor
def inject_theme() -> dict:
    """Every page, survivor or decoy, wears the decoy's name, colour and icons."""
    return {"theme": current_theme()}


@bp.app_context_processor
def inject_help_lines() -> dict:
    """The deployment's emergency number and national hotlines, ready to show and dial."""
    chosen = settings()
    locale = str(get_locale())
    lines = [
        {
            "name": line.name_in(locale),
            "phone": line.phone,
            "phone_dial": dial(line.phone, chosen.phone_region) if line.phone else "",
            "text": line.text,
            "text_dial": dial(line.text, chosen.phone_region) if line.text else "",
            "text_word": line.text_word,
            "any_hour": line.any_hour,
            "free": line.free,
        }
        for line in chosen.hotlines
    ]
    return {"emergency_number": chosen.emergency_number, "help_lines": lines}


def render_error(error: HTTPException):
    """The decoy's look when locked, the quick exit when not: the disguise holds on errors."""
    code = error.code or 500
    heading, message = errors.page_text(code)
    template = "survivor/error.html" if is_unlocked() else "decoy/error.html"
    return render_template(template, heading=heading, message=message), code


def register(app: Flask) -> None:
    """Attach the survivor views to `bp` (they register on import), then `bp` to the app."""
    from webapp.survivor import (  # noqa: F401
        call,
        corrections,
        decoy,
        notes,
        pages,
        places,
        pwa,
        write,
    )

    app.register_blueprint(bp)
    errors.answer_under(app, "/", render_error)
