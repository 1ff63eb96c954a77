"""The Twilio webhooks' blueprint: nothing under it answers a request Twilio did not sign.

The signature is checked before routing, so an unsigned caller learns nothing, not even which
hooks exist: every path under the prefix answers 403 to it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from webapp import errors
from webapp.extensions import csrf
from webapp.hooks.signature import is_signed
from webapp.runtime import settings

PREFIX = "/hooks/twilio"
bp = Blueprint("hooks", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


def render_error(error: HTTPException):
    """Twilio reads the status; the body names it and nothing else."""
    code = error.code or 500
    response = jsonify(status=code, error=HTTP_STATUS_CODES.get(code, "Error"))
    response.status_code = code
    return response


def require_signature():
    if not (request.path + "/").startswith(PREFIX + "/"):
        return None
    config = settings()
    if not is_signed(request, auth_token=config.twilio_auth_token, public_url=config.public_url):
        abort(403)
    return None


def register(app: Flask) -> None:
    from webapp.hooks import views  # noqa: F401  (routes attach to bp on import)

    app.before_request(require_signature)
    app.register_blueprint(bp)
    errors.answer_under(app, PREFIX, render_error)
