"""The settings and the clock of the app serving this request or command."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app

from webapp.clock import Clock
from webapp.settings import Settings

SETTINGS = "HAVEN_SETTINGS"
CLOCK = "clock"


def install(app: Flask, settings: Settings, clock: Clock) -> None:
    app.config[SETTINGS] = settings
    app.extensions[CLOCK] = clock


def settings(app: Flask | None = None) -> Settings:
    """The checked settings the app was built with."""
    return (app or current_app).config[SETTINGS]


def now(app: Flask | None = None) -> datetime:
    """The app clock's current time, timezone-aware in UTC."""
    return datetime.fromtimestamp((app or current_app).extensions[CLOCK].time(), tz=UTC)
