"""The survivor surface: the decoy at `/` and the pages behind its unlock code."""

from flask import Blueprint

bp = Blueprint("survivor", __name__)


@bp.app_context_processor
def inject_theme() -> dict:
    """Every page, survivor or decoy, wears the decoy's name, colour and icons."""
    from webapp.survivor.state import current_theme

    return {"theme": current_theme()}


from webapp.survivor import decoy, pages, places  # noqa: E402,F401  (routes register on import)
