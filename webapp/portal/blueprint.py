"""The portal blueprint, a staff area."""

from __future__ import annotations

from flask import Blueprint, Flask

from webapp.staff.blueprint import register_area

bp = Blueprint("portal", __name__, url_prefix="/portal")


def register(app: Flask) -> None:
    from webapp.portal import invitations, views  # noqa: F401  (routes attach to bp on import)

    register_area(app, bp)
