"""Staff sign-in: password, then a second factor (enrolled at first sign-in), then a session."""

from __future__ import annotations

import secrets

from flask import (
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.accounts import audit, operations, secondfactor, throttle
from webapp.accounts.errors import InvalidCode
from webapp.accounts.models import User
from webapp.accounts.passwords import PasswordHasher, hasher_for
from webapp.accounts.sessions import end_all_sessions, end_session, live_sessions, start_session
from webapp.crypto import derive_key
from webapp.db import get_session, keep_on_refusal
from webapp.runtime import now, settings
from webapp.security import client_key, cookie_name, delete_cookie, local_path, set_cookie
from webapp.staff.blueprint import bp
from webapp.staff.forms import CodeForm, EnrolForm, SignInForm
from webapp.staff.principal import (
    STAFF_COOKIE,
    current_principal,
    landing_for,
    signed_in_required,
)

PENDING = "staff_pending"
DEVICE_COOKIE = "staff_device"
DEVICE_DAYS = 180
# Between the password and the second factor, at most this long.
PENDING_SECONDS = 300
ISSUER = "Haven"


def hasher() -> PasswordHasher:
    return hasher_for(settings())


@bp.get("/login")
def login():
    principal = current_principal()
    if principal is not None:
        return redirect(landing_for(principal), 303)
    return render_template("staff/login.html", form=SignInForm())


@bp.post("/login")
def login_submit():
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 400
    email, db = operations.normalise_email(form.email.data), get_session()
    known = operations.find_user(db, email)
    device = trusted_device(known)
    if throttle.sign_in_held(email, client_key(), device):
        _audit_failure(known, "held")
        message = _("Too many attempts. Wait 15 minutes, then try again.")
        return _refuse(form, message, 429)
    user = operations.check_password(db, hasher(), email, form.password.data)
    if user is None:
        throttle.count_failure(email, client_key(), device)
        _audit_failure(known, "password")
        return _refuse(form, _("That email and password do not match an active account."), 401)
    return redirect(second_step_for(user, _safe_next()), 303)


def second_step_for(user: User, next_path: str | None = None) -> str:
    """After the password (typed, or just set from an invitation): remember who is halfway
    signed in, for a few minutes, and answer where their second step is (enrolment the first
    time)."""
    session[PENDING] = {"u": user.id, "at": int(now().timestamp())}
    step = "staff.second_factor" if user.mfa_enrolled_at else "staff.enrol"
    return url_for(step, next=next_path)


def _refuse(form: SignInForm, message: str, status: int):
    form.password.data = ""
    return render_template("staff/login.html", form=form, refusal=message), status


def _audit_failure(user: User | None, reason: str) -> None:
    """Record a refused sign-in step; the refusal answers 4xx, and the record must stay."""
    keep_on_refusal()
    audit.record(
        get_session(),
        "signin.failed",
        now=now(),
        subject_id=user.id if user else None,
        reason=reason,
    )


def _safe_next() -> str | None:
    """Where to go after signing in: a path of this site only (see `local_path`)."""
    return local_path(request.args.get("next"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or now().timestamp() - pending["at"] > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = get_session().get(User, pending["u"])
    return user if user is not None and user.is_active else None


@bp.route("/code", methods=["GET", "POST"])
def second_factor():
    user = _pending_user()
    if user is None or user.mfa_enrolled_at is None:
        return redirect(url_for("staff.login"), 303)
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template(
            "staff/code.html", form=form
        ), 400 if request.method == "POST" else 200
    email, device = user.email, trusted_device(user)
    if throttle.sign_in_held(email, client_key(), device):
        _audit_failure(user, "held")
        return _code_refused(form, _("Too many attempts. Wait 15 minutes, then try again."), 429)
    try:
        via = operations.verify_second_factor(
            get_session(), user, form.code.data, now=now(), secret_key=settings().secret_key
        )
    except InvalidCode:
        throttle.count_failure(email, client_key(), device)
        _audit_failure(user, "code")
        return _code_refused(
            form,
            _("That code did not work. Check it, or wait for the next code from your app."),
            401,
        )
    return _signed_in(user, via)


def _code_refused(form: CodeForm, message: str, status: int):
    form.code.data = ""
    return render_template("staff/code.html", form=form, refusal=message), status


@bp.route("/enrol", methods=["GET", "POST"])
def enrol():
    user = _pending_user()
    if user is None or user.mfa_enrolled_at is not None:
        return redirect(url_for("staff.login"), 303)
    pending = session[PENDING]
    secret = pending.setdefault("s", secondfactor.new_secret())
    session.modified = True
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = operations.enrol_totp(
                get_session(),
                user,
                secret,
                form.code.data,
                now=now(),
                secret_key=settings().secret_key,
            )
        except InvalidCode:
            form.code.data = ""
            form.code.errors = [_("That code did not work. Check the time on your phone.")]
        else:
            response = _signed_in(user, "enrolment")
            page = render_template(
                "staff/recovery_codes.html", codes=codes, next_url=response.location
            )
            response.set_data(page)
            response.status_code, response.location = 200, None
            response.headers.pop("Location", None)
            response.mimetype = "text/html"
            return response
    uri = secondfactor.provisioning_uri(secret, user.email, ISSUER)
    return render_template(
        "staff/enrol.html", form=form, secret=secret, qr=secondfactor.qr_svg(uri)
    ), 400 if form.errors else 200


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(derive_key(settings().secret_key, "haven staff device"), "device")


def trusted_device(user: User | None) -> str | None:
    """The id of this browser if it has signed in to `user` before, else None."""
    token = request.cookies.get(cookie_name(DEVICE_COOKIE))
    if user is None or not token:
        return None
    try:
        claim = _device_serializer().loads(token)
    except BadSignature:
        return None
    return claim["n"] if claim.get("u") == user.id else None


def _remember_device(response, user: User) -> None:
    nonce = trusted_device(user) or secrets.token_urlsafe(16)
    claim = _device_serializer().dumps({"u": user.id, "n": nonce})
    set_cookie(response, DEVICE_COOKIE, claim, max_age=DEVICE_DAYS * 86400)


def _signed_in(user: User, via: str):
    """A fresh session id for this sign-in; the survivor-side session starts over too."""
    moment, db = now(), get_session()
    session.clear()
    token = start_session(db, user, now=moment)
    audit.record(db, "signin.succeeded", now=moment, actor_id=user.id, subject_id=user.id, via=via)
    response = redirect(_safe_next() or landing_for(user), 303)
    set_cookie(response, STAFF_COOKIE, token)
    _remember_device(response, user)
    return response


@bp.post("/logout")
@signed_in_required
def logout(principal: User):
    end_session(get_session(), request.cookies.get(cookie_name(STAFF_COOKIE), ""), now=now())
    audit.record(
        get_session(), "signout", now=now(), actor_id=principal.id, subject_id=principal.id
    )
    return _signed_out()


def _signed_out():
    response = redirect(url_for("staff.login"), 303)
    delete_cookie(response, STAFF_COOKIE)
    return response


@bp.get("/sessions")
@signed_in_required
def sessions(principal: User):
    return render_template(
        "staff/sessions.html", sessions=live_sessions(get_session(), principal.id)
    )


@bp.post("/sessions/end-all")
@signed_in_required
def end_everywhere(principal: User):
    moment, db = now(), get_session()
    ended = end_all_sessions(db, principal.id, now=moment, reason="everywhere")
    audit.record(
        db,
        "signout.everywhere",
        now=moment,
        actor_id=principal.id,
        subject_id=principal.id,
        count=ended,
    )
    return _signed_out()
