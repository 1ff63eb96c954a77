"""Gunicorn settings for the Procfile's `web` process.

- Access lines carry no client address and no path: the route's pattern instead (see logs.py).
- Threaded workers: a client that announces a body and then goes quiet holds one thread, not a
  whole worker, so a few slow clients cannot starve the site. Many can: in production put a
  reverse proxy that buffers request bodies in front (README, "Running in production").
- X-Forwarded-* headers are trusted only through PROXY_HOPS (ProxyFix in the app), never
  because a request came from loopback.
"""

import logging
import os

from webapp.logs import NoAddressFilter, QuietProbesFilter, gunicorn_json_config

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# A worker silent this long is restarted; an idle keep-alive connection is closed after keepalive.
timeout = 30
keepalive = 5
forwarded_allow_ips = ""
accesslog = "-"
errorlog = "-"
# Method, route pattern, status, bytes, duration: never %(h)s, %(a)s, %(U)s or %(q)s.
access_log_format = "%(m)s %({haven.route}e)s %(s)s %(B)s %(M)sms"
# LOG_FORMAT=json: one JSON object a line, gunicorn's lines and the app's alike.
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = gunicorn_json_config()


def when_ready(server) -> None:
    """Error lines can quote an address (a bad request, a timeout): filter those too."""
    for name in ("gunicorn.error", "gunicorn.access"):
        logging.getLogger(name).addFilter(NoAddressFilter())
    logging.getLogger("gunicorn.access").addFilter(QuietProbesFilter())


def post_fork(server, worker) -> None:
    when_ready(server)
