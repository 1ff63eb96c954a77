"""`/healthz` (the process answers) and `/readyz` (its database, and Redis when configured,
answer too), for a load balancer or a platform's probes.

They are answered before Flask sees the request: no session is opened (a session read needs
the database a probe is asking about), no cookie is set, nothing is rate-limited, and the
access log leaves them out (logs.py). Plain JSON that names nothing about what the site is.
"""

from __future__ import annotations

import json

import redis
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import runtime
from webapp.logs import name_route

LIVE, READY = "/healthz", "/readyz"
PROBES = (LIVE, READY)
REDIS_TIMEOUT_SECONDS = 2
HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
]


def database_answers(app: Flask) -> bool:
    try:
        with app.extensions["db.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def readiness(app: Flask) -> tuple[int, dict]:
    checks = {"database": "ok" if database_answers(app) else "unreachable"}
    redis_url = runtime.settings(app).redis_url
    if redis_url:
        checks["redis"] = "ok" if redis_answers(redis_url) else "unreachable"
    ready = all(state == "ok" for state in checks.values())
    return (200 if ready else 503), {"status": "ok" if ready else "unavailable", "checks": checks}


class Probes:
    """WSGI middleware answering the two probe paths (GET or HEAD) and passing the rest on."""

    def __init__(self, app: Flask, wrapped):
        self.app, self.wrapped = app, wrapped

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in PROBES or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wrapped(environ, start_response)
        name_route(environ, path)
        status, body = (200, {"status": "ok"}) if path == LIVE else readiness(self.app)
        payload = json.dumps(body).encode()
        reason = "OK" if status == 200 else "Service Unavailable"
        start_response(f"{status} {reason}", [*HEADERS, ("Content-Length", str(len(payload)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [payload]


def register(app: Flask) -> None:
    app.wsgi_app = Probes(app, app.wsgi_app)  # type: ignore[method-assign]
