"""Lighthouse mobile scores of the decoy and every survivor page: a report against DESIGN.md
section 6 (performance at least 0.95, accessibility 1.0).

Run from the repo root: .venv/bin/python bench/lighthouse.py [--json]
Needs Node (Lighthouse runs through `npx lighthouse`, offline) and Chromium. Survivor pages are
loaded with an unlocked session cookie; the search results page is the answer to a POST, which
Lighthouse cannot send, so the form page and a service's page stand for the directory.
About 12 s a page.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.survivor_pages import (  # noqa: E402
    build_app,
    detail_page,
    exit_site,
    serving,
    survivor_pages,
    unlock,
)
from tests.chromium import CHROMIUM_ARGS, DEBIAN_CHROMIUM  # noqa: E402

GOALS = {"performance": 0.95, "accessibility": 1.0}
SESSION_COOKIE = "s"


def chromium_path() -> str:
    """Debian's Chromium, else the one Playwright downloaded."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return playwright.chromium.executable_path


def lighthouse(url: str, cookie: str | None) -> dict:
    """One Lighthouse run (mobile, the default form factor): category scores and failed audits."""
    command = [
        shutil.which("npx") or "npx",
        "--yes",
        "lighthouse",
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        "--only-categories=" + ",".join(GOALS),
        "--chrome-flags=" + " ".join(["--headless=new", *CHROMIUM_ARGS]),
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH=chromium_path())
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-500:]}")
    report = json.loads(done.stdout)
    scores = {name: report["categories"][name]["score"] for name in GOALS}
    failed = sorted(
        audit_id
        for name in GOALS
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"])
        and (report["audits"][audit_id]["score"] or 0) < 0.9
    )
    # The main document's own address: a survivor page then shows "/" in the address bar
    # (one address), which finalDisplayedUrl reports.
    final = report.get("mainDocumentUrl") or report["finalDisplayedUrl"]
    return {"url": url, "final_url": final, "scores": scores, "failed": failed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    exit_server = make_server("127.0.0.1", 0, exit_site, threaded=True)
    with tempfile.TemporaryDirectory() as workdir, serving(exit_server) as exit_base:
        app = build_app(workdir, exit_base + "/weather")
        client = app.test_client()
        # Lighthouse refuses to score a 404, so the error page is left out.
        pages = survivor_pages(client, unlock(client)) + [detail_page(client)]
        cookie = f"{SESSION_COOKIE}={client.get_cookie(SESSION_COOKIE).value}"
        with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base:
            results = [lighthouse(base + "/", None)]
            results += [lighthouse(base + path, cookie) for path in pages]
    for result in results:
        url = result.pop("url")
        result["page"] = url.removeprefix(base)
        # A locked session would land on the decoy: then the survivor page was not measured.
        result["measured"] = result.pop("final_url") == url
        result["pass"] = result["measured"] and all(
            result["scores"][k] >= goal for k, goal in GOALS.items()
        )
    if options.json:
        print(json.dumps({"goals": GOALS, "pages": results}, indent=2))
        return 0
    print("Lighthouse, mobile; goals: " + ", ".join(f"{k} >= {v}" for k, v in GOALS.items()))
    print(f"{'page':<48} {'perf':>5} {'a11y':>5}  goal   audits below 0.9")
    for r in results:
        scores = [f"{r['scores'][k]:.2f}" for k in GOALS]
        verdict, failed = ("met" if r["pass"] else "MISSED"), " ".join(r["failed"])
        failed = failed if r["measured"] else "NOT MEASURED: the page redirected elsewhere"
        print(f"{r['page']:<48} {scores[0]:>5} {scores[1]:>5}  {verdict:<6} {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
