"""The HSDS API's blueprint: readable from other sites, rate limited, errors as JSON."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from webapp import errors
from webapp.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/hsds")
limiter.limit("120 per minute")(bp)


@bp.after_request
def readable_elsewhere(response):
    """Other sites' scripts may read the directory; nothing here depends on cookies."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def render_error(error: HTTPException):
    """A JSON answer a machine can read: the status and its name, nothing about the request."""
    code = error.code or 500
    response = jsonify(status=code, error=HTTP_STATUS_CODES.get(code, "Error"))
    response.status_code = code
    return readable_elsewhere(response)


def register(app: Flask) -> None:
    from webapp.api import views  # noqa: F401  (routes attach to bp on import)

    app.register_blueprint(bp)
    errors.answer_under(app, bp.url_prefix or "/", render_error)
