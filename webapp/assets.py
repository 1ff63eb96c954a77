"""Static assets under versioned URLs, so a changed file gets a new URL and a new cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, url_for

PWA_ROOT = Path(__file__).resolve().parent.parent / "pwa"
STATIC_ROOT = PWA_ROOT / "static"


def asset_version() -> str:
    """One hash over every static file."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_ROOT.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=current_app.config["ASSET_VERSION"])


def register(app: Flask) -> None:
    app.config["ASSET_VERSION"] = asset_version()
    app.jinja_env.globals["asset_url"] = asset_url
