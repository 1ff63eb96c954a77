"""The installable decoy: web app manifest, service worker and versioned static assets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, url_for
from flask_babel import get_locale

from webapp.disguise import THEMES
from webapp.i18n import html_dir, html_lang
from webapp.runtime import settings

PWA_ROOT = Path(__file__).resolve().parent.parent / "pwa"
STATIC_ROOT = PWA_ROOT / "static"
ICON_SIZES = (192, 512)

bp = Blueprint("pwa", __name__)


def asset_version() -> str:
    """One hash over every static file, so a changed asset gets a new URL and a new cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_ROOT.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=current_app.config["ASSET_VERSION"])


def shell_urls() -> list[str]:
    """What the service worker may keep: the decoy page and static assets, nothing else."""
    theme_files = [theme.icon(size) for theme in THEMES.values() for size in ICON_SIZES]
    return [url_for("survivor.decoy")] + [
        asset_url(name) for name in ("css/app.css", "js/app.js", *theme_files)
    ]


@bp.get("/manifest.webmanifest")
def manifest():
    """Always the deployment's decoy: the browser fetches it without the survivor's cookie."""
    theme = THEMES[settings().disguise]
    body = {
        "id": "/",
        "name": str(theme.name),
        "short_name": str(theme.short_name),
        "lang": html_lang(),
        "dir": html_dir(),
        "start_url": url_for("survivor.decoy"),
        "scope": "/",
        "display": "standalone",
        "theme_color": theme.theme_color,
        "background_color": theme.background_color,
        "icons": [
            {
                "src": asset_url(theme.icon(size)),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    source = (PWA_ROOT / "sw.js").read_text()
    script = source.replace("__VERSION__", current_app.config["ASSET_VERSION"]).replace(
        "__SHELL__", json.dumps(shell_urls())
    )
    return Response(script, mimetype="text/javascript")


def register(app: Flask) -> None:
    app.config["ASSET_VERSION"] = asset_version()
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["current_locale"] = get_locale
