"""What reaches a log line: no client address, and no address a survivor asked for.

Access lines name the route's pattern (`/places/<service_id>`), never the path itself, which
would say which shelter was opened, or carry a results token. Gunicorn reads the pattern from
the WSGI environ (`%({haven.route}e)s`, see gunicorn_conf.py); the development server's lines
are rewritten by a filter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime

from flask import Flask, request

from webapp import runtime

ROUTE = "haven.route"
UNKNOWN_ROUTE = "-"
_last_route = threading.local()
REQUEST_TARGET = re.compile(r"([A-Z]{3,7}) (/\S*)( HTTP/\d(?:\.\d)?)")


IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")


def _blank_ipv6(match: re.Match) -> str:
    text = match.group()
    # A clock time has two colons; an IPv6 address has "::" or seven colons.
    return "-" if "::" in text or text.count(":") == 7 else text


def strip_addresses(text: str) -> str:
    return IPV6.sub(_blank_ipv6, IPV4.sub("-", text))


class NoAddressFilter(logging.Filter):
    """Blank out IP addresses before a log line is written anywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_addresses(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def note_route(response):
    """Record the route's pattern where the access log finds it."""
    name_route(request.environ, request.url_rule.rule if request.url_rule else UNKNOWN_ROUTE)
    return response


def name_route(environ: dict, route: str) -> None:
    """What the access lines (gunicorn's, the development server's) call this request."""
    environ[ROUTE] = route
    _last_route.value = route


class RouteOnlyFilter(logging.Filter):
    """The development server's request lines: the route's pattern in place of the path."""

    def filter(self, record: logging.LogRecord) -> bool:
        route = getattr(_last_route, "value", UNKNOWN_ROUTE)
        message = record.getMessage()
        named = REQUEST_TARGET.sub(lambda m: f"{m[1]} {route}{m[3]}", message, count=1)
        if named != message:
            record.msg, record.args = named, None
            _last_route.value = UNKNOWN_ROUTE
        return True


# Load balancers ask these every few seconds (health.py): their lines would drown the rest.
QUIET_ROUTES = ("/healthz", "/readyz")
QUIET_LINE = re.compile(r"(?:^|\")[A-Z]{3,7} (?:/healthz|/readyz)[ ?\"]")


class QuietProbesFilter(logging.Filter):
    """Drop the access lines of the health probes (gunicorn's and the development server's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not QUIET_LINE.search(record.getMessage())


class JsonLines(logging.Formatter):
    """One JSON object a line (LOG_FORMAT=json), for a hosting platform's log tools: time,
    level, logger and message, and an error's traceback; addresses blanked once more here, for
    lines from loggers that carry no filter of ours."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": strip_addresses(record.getMessage()),
        }
        if record.exc_info:
            line["error"] = strip_addresses(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def use_json_lines(stream=None) -> None:
    """Send every log line (the app's, the development server's) as JSON to standard error."""
    root = logging.getLogger()
    if any(isinstance(handler.formatter, JsonLines) for handler in root.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.INFO)


def gunicorn_json_config() -> dict:
    """Gunicorn's `logconfig_dict` for JSON lines: its own lines and the app's."""
    handler = {"class": "logging.StreamHandler", "formatter": "json"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "webapp.logs.JsonLines"}},
        "handlers": {
            "console": {**handler, "stream": "ext://sys.stdout"},
            "error_console": {**handler, "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def register(app: Flask) -> None:
    app.after_request(note_route)
    # Twilio's SDK logs every request's URL and query parameters at INFO (a number in a list
    # filter, a call's id): only its warnings and errors may reach our logs.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    werkzeug = logging.getLogger("werkzeug")
    for kind in (QuietProbesFilter, RouteOnlyFilter, NoAddressFilter):
        if not any(isinstance(f, kind) for f in werkzeug.filters):
            werkzeug.addFilter(kind())
    if runtime.settings(app).log_format == "json":
        use_json_lines()
