"""Errors answer in the language of the audience whose address was asked for.

Each audience registers a renderer for its URL prefix (the survivor pages for `/`, the staff
areas, the API, the webhooks); the longest prefix that matches the path wins, so an address no
route matches (a 404) is still answered the way its neighbours are.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

Renderer = Callable[[HTTPException], object]
EXTENSION = "errors.renderers"

NOT_FOUND_HEADING = _l("Not here")
OTHER_HEADING = _l("Please try again")
# What a person reads on an error page, by status; neutral, so a survivor's page never says why
# (a CSRF failure is a 400 like any other).
MESSAGES = {
    400: _l("This page was open for too long or something was missing. Go back and try again."),
    403: _l("Your account does not give you access to this page."),
    404: _l("There is nothing at this address."),
    405: _l("There is nothing at this address."),
    429: _l("Too many tries in a short time. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing you saved was lost. Try again soon."),
}


def page_text(code: int) -> tuple[str, str]:
    """The (heading, message) of a person's error page for this status."""
    heading = NOT_FOUND_HEADING if code in (404, 405) else OTHER_HEADING
    return heading, MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])


def answer_under(app: Flask, prefix: str, renderer: Renderer) -> None:
    """Errors for paths under `prefix` (a URL prefix such as `/api/hsds`) use `renderer`."""
    app.extensions.setdefault(EXTENSION, {})[prefix.rstrip("/") + "/"] = renderer


def renderer_for(path: str) -> Renderer:
    renderers: dict[str, Renderer] = current_app.extensions[EXTENSION]
    matching = [prefix for prefix in renderers if (path + "/").startswith(prefix)]
    return renderers[max(matching, key=len)]


def render_error(error: HTTPException):
    return renderer_for(request.path)(error)


def render_unexpected(error: Exception):
    current_app.logger.error("unhandled %s", type(error).__name__, exc_info=error)
    return render_error(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
