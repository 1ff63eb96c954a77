"""Error pages that keep the disguise: the decoy's look when locked, the quick exit when not.

A CSRF failure is a 400 like any other: the same neutral page.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.survivor.state import is_unlocked

STAFF_BLUEPRINTS = frozenset({"staff", "console", "portal", "partners", "admin"})
NOT_FOUND_HEADING = _l("Not here")
OTHER_HEADING = _l("Please try again")
MESSAGES = {
    400: _l("This page was open for too long or something was missing. Go back and try again."),
    403: _l("Your account does not give you access to this page."),
    404: _l("There is nothing at this address."),
    405: _l("There is nothing at this address."),
    429: _l("Too many tries in a short time. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing you saved was lost. Try again soon."),
}


def render_error(error: HTTPException):
    code = error.code or 500
    message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if request.blueprint in STAFF_BLUEPRINTS:
        template = "staff/error.html"
        # Staff views may say why (a translated reason); survivor pages keep the neutral text.
        if isinstance(error.description, LazyString):
            message = error.description
    else:
        template = "survivor/error.html" if is_unlocked() else "decoy/error.html"
    heading = NOT_FOUND_HEADING if code in (404, 405) else OTHER_HEADING
    return render_template(template, heading=heading, message=message), code


def render_unexpected(error: Exception):
    current_app.logger.error("unhandled %s", type(error).__name__, exc_info=error)
    return render_error(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
