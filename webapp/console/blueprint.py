"""The console blueprint, a staff area."""

from __future__ import annotations

from flask import Blueprint, Flask

from webapp.staff.blueprint import register_area

bp = Blueprint("console", __name__, url_prefix="/console")


def register(app: Flask) -> None:
    from webapp.console import reports, views  # noqa: F401  (routes attach to bp on import)

    register_area(app, bp)
