"""The installable decoy: its web app manifest and its service worker."""

from __future__ import annotations

import json

from flask import Response, current_app, url_for

from webapp.assets import DIST, asset_url
from webapp.i18n import html_dir, html_lang
from webapp.runtime import settings
from webapp.survivor.blueprint import bp
from webapp.survivor.disguise import THEMES

ICON_SIZES = (192, 512)


def shell_urls() -> list[str]:
    """What the service worker may keep: the decoy page and static assets, nothing else."""
    theme_files = [theme.icon(size) for theme in THEMES.values() for size in ICON_SIZES]
    return [url_for("survivor.decoy")] + [
        asset_url(name) for name in ("css/app.css", "js/app.js", "js/start.js", *theme_files)
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
    source = (DIST / "sw.js").read_text()
    script = source.replace("__VERSION__", current_app.config["ASSET_VERSION"]).replace(
        "__SHELL__", json.dumps(shell_urls())
    )
    return Response(script, mimetype="text/javascript")
