"""History hygiene: a form the page script submits learns of a redirect without following it.

The safety core (pwa/static/js/app.js) sends POSTs with `X-Replace: 1`. A redirect answer then
comes back as 204 with the target in `X-Replace-Location`, and the page calls
`location.replace` itself: one history entry, and the target is rendered once instead of twice.
"""

from __future__ import annotations

from flask import Flask, request

REQUEST_HEADER = "X-Replace"
RESPONSE_HEADER = "X-Replace-Location"


def redirect_as_header(response):
    if request.headers.get(REQUEST_HEADER) == "1" and response.status_code in (301, 302, 303, 307):
        location = response.headers.pop("Location")
        response.status_code = 204
        response.headers[RESPONSE_HEADER] = location
        response.set_data(b"")
    return response


def register(app: Flask) -> None:
    app.after_request(redirect_as_header)
