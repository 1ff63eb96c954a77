"""The security baseline of webapp/security.py, asserted on every route of the URL map."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_settings, production_settings, scratch_database_url, unlock
from webapp import create_app
from webapp.security import cookie_name

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
        "browsing-topics=(), interest-cohort=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}
CSP = re.compile(
    r"^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9_-]{22}'; style-src 'self'; "
    r"img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; "
    r"worker-src 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; "
    r"base-uri 'none'$"
)
SAMPLE_ARGUMENTS = {
    "slug": "lentil-soup",
    "filename": "css/app.css",
    "user_id": 1,
    "record_id": "ac148810-d857-441c-9679-408f346de14b",
    "service_id": "ac148810-d857-441c-9679-408f346de14b",
    "token": "no-such-search-token",
    "request_id": 1,
    "language": "es",
    "change_id": 1,
    "invitation_id": 1,
    "organization_id": "ac148810-d857-441c-9679-408f346de14b",
    "correction_id": "ac148810-d857-441c-9679-408f346de14b",
    "item_id": "ac148810-d857-441c-9679-408f346de14b",
    "agency_id": "ac148810-d857-441c-9679-408f346de14b",
    "photo_id": 1,
}


@pytest.fixture
def app(clock, tmp_path):
    """A migrated database, so every route, the API's included, answers for real."""
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'h.db'}"), clock=clock)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    return app


def every_get_url(app) -> list[tuple[str, str]]:
    """Each GET rule of the URL map, filled in with a sample value for its arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{a: SAMPLE_ARGUMENTS[a] for a in rule.arguments})
        urls.append((rule.endpoint, url))
    return sorted(urls)


def test_every_route_is_walked(app):
    endpoints = {endpoint for endpoint, _ in every_get_url(app)}
    assert {"survivor.home", "survivor.leave", "survivor.manifest", "static"} <= endpoints


def test_every_get_route_sends_the_baseline(app, unlocked):
    for endpoint, url in every_get_url(app):
        response = unlocked.get(url)
        response.close()
        assert response.status_code < 500, url
        for name, value in EXPECTED.items():
            if endpoint.startswith("api.") and name == "Cross-Origin-Resource-Policy":
                value = "cross-origin"
            assert response.headers.get(name) == value, (url, name)
        assert CSP.match(response.headers["Content-Security-Policy"]), url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in response.headers, "plain HTTP gets no HSTS"
        if endpoint == "static":
            assert response.headers["Cache-Control"] == "public, max-age=604800"
        else:
            assert response.headers["Cache-Control"] == "no-store", url
            assert "ETag" not in response.headers and "Last-Modified" not in response.headers


def test_each_response_gets_its_own_nonce(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_https_requests_get_hsts(client):
    response = client.get("/", base_url="https://haven.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_error_pages_send_the_baseline_too(unlocked):
    response = unlocked.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert CSP.match(response.headers["Content-Security-Policy"])


def test_one_neutral_session_cookie(client):
    response = client.get("/")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    cookie = cookies[0]
    assert cookie.startswith("s=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie
    assert "Secure" not in cookie, "test settings are not production"


def test_production_cookie_is_secure():
    settings = production_settings(scratch_database_url())
    app = create_app(settings)
    cookie = app.test_client().get("/", base_url="https://haven.example.org").headers["Set-Cookie"]
    assert "Secure" in cookie
    with app.app_context():
        locked = cookie_name("staff")
    assert locked == "__Host-staff", "the staff cookie is host-locked in production"


def test_session_cookie_reveals_nothing(client):
    unlock(client)
    cookie = client.get_cookie("s").value
    assert "lang" not in cookie and "." not in cookie.strip("=")
    for word in ("unlock", "tips", "home", "true", "{"):
        assert word not in cookie


@pytest.mark.parametrize("path", ["/", "/home", "/x", "/manifest.webmanifest", "/sw.js"])
def test_no_frames_and_no_sniffing_anywhere(unlocked, path):
    response = unlocked.get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_behind_a_tls_terminating_proxy(clock):
    client = create_app(make_settings(proxy_hops=1), clock=clock).test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert (
        "Strict-Transport-Security"
        not in create_app(make_settings())
        .test_client()
        .get("/", headers={"X-Forwarded-Proto": "https"})
        .headers
    ), "without PROXY_HOPS the header is not trusted"
