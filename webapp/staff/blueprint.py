"""The staff blueprints (sign-in, administration) and what every staff area shares.

The console, the portal and the partners' area are staff areas too: each registers through
`register_area`, so its pages know who is signed in and its errors answer as staff pages.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import LazyString
from werkzeug.exceptions import HTTPException

from webapp import errors
from webapp.staff.principal import current_principal

bp = Blueprint("staff", __name__, url_prefix="/staff")
admin = Blueprint("admin", __name__, url_prefix="/admin")
AREAS = "staff.areas"


def render_error(error: HTTPException):
    """Staff views may say why (a translated reason); otherwise the neutral text."""
    code = error.code or 500
    heading, message = errors.page_text(code)
    if isinstance(error.description, LazyString):
        message = error.description
    return render_template("staff/error.html", heading=heading, message=message), code


def inject_principal() -> dict:
    """Staff pages know who is signed in, for the navigation and sign-out."""
    if request.blueprint in current_app.extensions.get(AREAS, ()):
        return {"principal": current_principal()}
    return {}


def register_area(app: Flask, area: Blueprint) -> None:
    """Serve a staff area: its pages get the principal, its errors the staff look."""
    app.register_blueprint(area)
    app.extensions.setdefault(AREAS, set()).add(area.name)
    errors.answer_under(app, area.url_prefix or "/", render_error)


def register(app: Flask) -> None:
    """Attach sign-in and administration views, then serve both areas."""
    from webapp.staff import admin as admin_views  # noqa: F401
    from webapp.staff import auth  # noqa: F401

    app.context_processor(inject_principal)
    register_area(app, bp)
    register_area(app, admin)
