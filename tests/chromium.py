"""How Haven's browser tests and benchmarks start Chromium on these machines."""

from __future__ import annotations

from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_options() -> dict:
    """Debian's Chromium where installed, else the one Playwright downloaded."""
    options: dict = {"args": CHROMIUM_ARGS}
    if DEBIAN_CHROMIUM.exists():
        options["executable_path"] = str(DEBIAN_CHROMIUM)
    return options
