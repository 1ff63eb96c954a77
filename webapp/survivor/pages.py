"""Pages behind the unlock, the language switch, the lock and the quick exit."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from webapp.i18n import offered
from webapp.runtime import settings
from webapp.security import local_path
from webapp.survivor.blueprint import bp
from webapp.survivor.disguise import device_code_token
from webapp.survivor.forms import CodeForm, LookForm
from webapp.survivor.state import (
    INTRO_SEEN,
    LANGUAGE,
    THEME,
    current_theme,
    lock,
    unlocked_required,
)


@bp.get("/home")
@unlocked_required
def home():
    return render_template("survivor/home.html")


@bp.get("/tips")
@unlocked_required
def tips():
    session[INTRO_SEEN] = True
    return render_template("survivor/tips.html")


@bp.get("/settings")
@unlocked_required
def preferences():
    return _render_preferences(LookForm(theme=current_theme().key), CodeForm())


@bp.post("/settings/look")
@unlocked_required
def choose_look():
    form = LookForm()
    if not form.validate_on_submit():
        return _render_preferences(form, CodeForm(), status=400)
    session[THEME] = form.theme.data
    return _render_preferences(form, CodeForm(), store={"t": form.theme.data}, saved="look")


@bp.post("/settings/code")
@unlocked_required
def choose_code():
    look = LookForm(theme=current_theme().key)
    if "forget" in request.form:
        return _render_preferences(look, CodeForm(formdata=None), store={"k": None}, saved="forget")
    form = CodeForm()
    if not form.validate_on_submit():
        return _render_preferences(look, form, status=400)
    token = device_code_token(settings().secret_key, form.code.data)
    return _render_preferences(look, CodeForm(formdata=None), store={"k": token}, saved="code")


def _render_preferences(look, code, *, status=200, store=None, saved=None):
    page = render_template("survivor/settings.html", look=look, code=code, store=store, saved=saved)
    return page, status


@bp.get("/lock")
def lock_now():
    """Where the idle timer sends a page: back to the decoy, locked."""
    lock()
    return redirect(url_for("survivor.decoy"), 303)


@bp.get("/x")
def leave():
    """Quick exit: end the session, clear this site's cookies and cache, go somewhere neutral."""
    session.clear()
    response = redirect(settings().exit_url, 303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@bp.post("/lang")
def choose_language():
    chosen = offered(request.form.get("lang"))
    if chosen:
        session[LANGUAGE] = chosen
    target = local_path(request.form.get("next")) or url_for("survivor.decoy")
    return redirect(target, 303)
