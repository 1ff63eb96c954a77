"""The settings and the clock of the app serving this request or command."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app

from webapp.clock import Clock
from webapp.settings import Settings

SETTINGS = "HAVEN_SETTINGS"
CLOCK = "clock"
TWILIO_HTTP = "twilio.http_client"


def install(app: Flask, settings: Settings, clock: Clock) -> None:
    app.config[SETTINGS] = settings
    app.extensions[CLOCK] = clock


def settings(app: Flask | None = None) -> Settings:
    """The checked settings the app was built with."""
    return (app or current_app).config[SETTINGS]


def now(app: Flask | None = None) -> datetime:
    """The app clock's current time, timezone-aware in UTC."""
    return datetime.fromtimestamp((app or current_app).extensions[CLOCK].time(), tz=UTC)


def public_url_for(endpoint: str, **values) -> str:
    """An absolute address from PUBLIC_URL (what Twilio signs, what links should carry), never
    from the request's Host header, which anyone can forge; relative without PUBLIC_URL."""
    from flask import url_for

    return settings().public_url.rstrip("/") + url_for(endpoint, **values)


def twilio_http_client(app: Flask | None = None):
    """The HTTP client Twilio's SDK should use: None (its own) unless one was given to the app
    (tests give one that reaches a local fake Twilio)."""
    return (app or current_app).extensions.get(TWILIO_HTTP)
