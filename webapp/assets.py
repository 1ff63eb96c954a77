"""What the browser is served of `pwa/`: built from readable sources, under versioned URLs.

`pwa/src/` holds the sources (commented, readable); the build writes `pwa/dist/` with scripts
and stylesheets minified (rjsmin, rcssmin), so no comment that names the app's purpose or its
mechanism reaches a phone's caches. `python -m webapp.assets` builds (the run command and the
Procfile's release run it); outside production an app builds for itself when a source changed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, current_app, url_for

PWA_ROOT = Path(__file__).resolve().parent.parent / "pwa"
SOURCES = PWA_ROOT / "src"
DIST = PWA_ROOT / "dist"
STATIC_ROOT = DIST / "static"
STAMP = DIST / ".sources"
MINIFIERS = {
    ".js": lambda text: rjsmin.jsmin(text).strip() + "\n",
    ".css": lambda text: rcssmin.cssmin(text).strip() + "\n",
}


class AssetsNotBuilt(RuntimeError):
    """The served files are missing or older than their sources."""


def sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SOURCES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(SOURCES).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def built(path: Path) -> bytes:
    """What the build makes of one source file."""
    minify = MINIFIERS.get(path.suffix)
    return minify(path.read_text(encoding="utf-8")).encode() if minify else path.read_bytes()


def build() -> int:
    """Write every source's built form into `pwa/dist/`; returns how many files."""
    count = 0
    for path in sorted(SOURCES.rglob("*")):
        if path.is_file():
            _write(DIST / path.relative_to(SOURCES), built(path))
            count += 1
    _write(STAMP, sources_digest().encode())
    return count


def _write(target: Path, content: bytes) -> None:
    """Replace `target` at once, so a server (or a second builder) never reads half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".build-")
    with os.fdopen(handle, "wb") as output:
        output.write(content)
    os.replace(temporary, target)


def is_current() -> bool:
    return STAMP.exists() and STAMP.read_text() == sources_digest()


def asset_version() -> str:
    """One hash over every served static file, so a changed one gets a new URL and cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_ROOT.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=current_app.config["ASSET_VERSION"])


def register(app: Flask, *, production: bool) -> None:
    if not is_current():
        if production:
            raise AssetsNotBuilt("pwa/dist is missing or stale: run `python -m webapp.assets`")
        build()
    app.config["ASSET_VERSION"] = asset_version()
    app.jinja_env.globals["asset_url"] = asset_url


if __name__ == "__main__":
    print(f"built {build()} files into {DIST}")
