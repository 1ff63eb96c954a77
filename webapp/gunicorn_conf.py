"""Gunicorn settings for the Procfile's `web` process: access lines carry no client address."""

import logging
import os

from webapp.security import NoAddressFilter

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
# Method, path without query string, status, bytes, duration: never %(h)s, %(a)s or %(q)s.
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"


def when_ready(server) -> None:
    """Error lines can quote an address (a bad request, a timeout): filter those too."""
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).addFilter(NoAddressFilter())


def post_fork(server, worker) -> None:
    when_ready(server)
