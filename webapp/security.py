"""Security headers, cookies, the survivor session, safe redirects and client keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request

from webapp import runtime
from webapp.crypto import derive_key
from webapp.visits import VisitSessionInterface

SESSION_COOKIE = "s"
# Every cookie Haven sets: unreadable by scripts, never sent cross-site, for the whole site.
COOKIE_FLAGS = {"httponly": True, "samesite": "Lax", "path": "/"}
HSTS = "max-age=63072000; includeSubDomains"
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "browsing-topics=(), interest-cohort=()"
)
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}
STATIC_CACHE = "public, max-age=604800"


def cookie_name(name: str) -> str:
    """`__Host-` in production: Secure, whole site, no Domain; the plain name over test HTTP."""
    return f"__Host-{name}" if runtime.settings().is_production else name


def set_cookie(response, name: str, value: str, *, max_age: int | None = None) -> None:
    """Set one of Haven's own cookies (besides the session), with the flags every cookie has."""
    secure = runtime.settings().is_production
    response.set_cookie(cookie_name(name), value, max_age=max_age, secure=secure, **COOKIE_FLAGS)


def delete_cookie(response, name: str) -> None:
    secure = runtime.settings().is_production
    response.delete_cookie(cookie_name(name), secure=secure, **COOKIE_FLAGS)


def session_cookie_config(production: bool) -> dict:
    """Flask's settings for the survivor session cookie: the same flags as every other."""
    return {
        "SESSION_COOKIE_NAME": SESSION_COOKIE,
        "SESSION_COOKIE_HTTPONLY": COOKIE_FLAGS["httponly"],
        "SESSION_COOKIE_SAMESITE": COOKIE_FLAGS["samesite"],
        "SESSION_COOKIE_PATH": COOKIE_FLAGS["path"],
        "SESSION_COOKIE_SECURE": production,
    }


def local_path(target: str | None) -> str | None:
    r"""`target` when it is a path of this site that a GET route answers, else None.

    Checked as a browser will read it: browsers drop tabs and line breaks and read a backslash
    as a slash, so `/\t/evil.example` or `/\\evil.example` would leave the site; any control
    character or backslash is refused outright (CR/LF would also break the Location header).
    """
    if not target or "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target if current_app.url_map.bind("").test(parts.path, "GET") else None


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ]
    )


def set_security_headers(response):
    """Every response: the baseline of DESIGN.md; dynamic ones are never stored or validated."""
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint == "static":
        response.headers["Cache-Control"] = STATIC_CACHE
    else:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
    return response


def client_key() -> str:
    """Who is asking, for rate limits, without keeping anyone's address."""
    key = derive_key(current_app.config["SECRET_KEY"], "haven client key")
    address = (request.remote_addr or "").encode()
    return hmac.new(key, address, hashlib.sha256).hexdigest()[:24]


def register(app: Flask) -> None:
    app.config.update(session_cookie_config(runtime.settings(app).is_production))
    app.session_interface = VisitSessionInterface()
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
