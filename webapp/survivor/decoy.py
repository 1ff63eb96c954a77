"""The decoy at `/`: a working recipes or calculator app whose own field takes the unlock code."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from limits import parse

from webapp.extensions import limiter
from webapp.runtime import settings
from webapp.security import client_key
from webapp.survivor.blueprint import bp
from webapp.survivor.disguise import (
    RECIPES,
    THEMES,
    CalculationError,
    calculate,
    code_unlocks,
    find_recipe,
    is_code_shaped,
    search_recipes,
)
from webapp.survivor.state import INTRO_SEEN, THEME, current_theme, unlock
from webapp.text import ascii_digits

# Wrong codes a client may try before even the right one stops working for a while.
UNLOCK_ATTEMPTS = parse("10/15 minutes")


@bp.get("/")
def decoy():
    return render_decoy()


@bp.post("/")
def decoy_entry():
    """The decoy's own field: a search or a sum, unless what was typed is this device's code.

    A device that chose its own look sends it as `t` (start.js), in a POST with its CSRF token:
    no link from another site can change it.
    """
    chosen = request.form.get("t")
    if chosen in THEMES:
        session[THEME] = chosen
        return redirect(url_for("survivor.decoy"), 303)
    typed = ascii_digits(request.form.get("q", "")[:200])
    if try_unlock(typed, request.form.get("k", "")[:200]):
        unlock()
        first_time = not session.get(INTRO_SEEN)
        return redirect(url_for("survivor.tips" if first_time else "survivor.home"), 303)
    return render_decoy(typed)


@bp.get("/r/<slug>")
def recipe(slug: str):
    found = find_recipe(slug)
    if found is None or current_theme().key != "recipes":
        abort(404)
    return render_template("decoy/recipe.html", recipe=found)


def render_decoy(typed: str = ""):
    if current_theme().key == "calculator":
        return render_template("decoy/calculator.html", **_calculation(typed))
    results = search_recipes(typed) if typed.strip() else None
    return render_template("decoy/recipes.html", query=typed, results=results, recipes=RECIPES)


def _calculation(typed: str) -> dict:
    if not typed.strip():
        return {"display": "", "expression": "", "failed": False}
    try:
        return {"display": calculate(typed), "expression": typed, "failed": False}
    except CalculationError:
        return {"display": typed, "expression": "", "failed": True}


def try_unlock(typed: str, device_token: str) -> bool:
    """Check a code-shaped entry, counting wrong ones so the code cannot be guessed."""
    if not is_code_shaped(typed):
        return False
    key = client_key()
    if not limiter.limiter.test(UNLOCK_ATTEMPTS, "unlock", key):
        return False
    config = settings()
    if code_unlocks(
        typed,
        default_code=config.unlock_code,
        device_token=device_token,
        secret_key=config.secret_key,
    ):
        return True
    limiter.limiter.hit(UNLOCK_ATTEMPTS, "unlock", key)
    return False
