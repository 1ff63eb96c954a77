"""Haven's own cookies and the redirects it follows after a sign-in or a language switch."""

from __future__ import annotations

import pytest
from flask import Response

from tests.conftest import make_settings, production_settings, scratch_database_url
from webapp import create_app
from webapp.security import client_key, delete_cookie, local_path, set_cookie


@pytest.fixture(scope="module")
def app():
    return create_app(make_settings())


@pytest.fixture(scope="module")
def production_app():
    return create_app(production_settings(scratch_database_url()))


@pytest.mark.parametrize(
    "target",
    ["/places", "/places?page=2", "/places?q=a b~", "/staff/login", "/"],
)
def test_a_page_of_this_site_is_followed_as_given(app, target):
    with app.test_request_context():
        assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "places",
        "//evil.example/",
        "///evil.example/",
        "///places",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/places\r\nSet-Cookie: s=1",
        "/places?q=\x1f",
        "/places?q=\x7f",
        "/places?q=\x00",
        "/places?q=a\\b",
        "https://evil.example/places",
        "http:/places",
        "/no/such/page",
        "/lang",
    ],
)
def test_anything_else_is_not_followed(app, target):
    """Another site, a path a browser reads as another site, a control character, a page that
    does not exist or does not answer a GET: the caller then goes to its own default page."""
    with app.test_request_context():
        assert local_path(target) is None


def cookies_of(response: Response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_own_cookies_over_test_http_are_plain_but_never_readable_by_scripts(app):
    with app.test_request_context():
        response = Response()
        set_cookie(response, "staff", "token-1", max_age=60)
        delete_cookie(response, "device")
    made, deleted = cookies_of(response)
    assert made.startswith("staff=token-1;")
    assert deleted.startswith("device=;")
    for cookie in (made, deleted):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie and "Domain" not in cookie
    assert "Max-Age=60" in made
    assert "Max-Age=0" in deleted or "Expires=Thu, 01 Jan 1970" in deleted


def test_own_cookies_in_production_are_host_locked_and_secure(production_app):
    with production_app.test_request_context(base_url="https://haven.example.org"):
        response = Response()
        set_cookie(response, "staff", "token-1")
        delete_cookie(response, "device")
    made, deleted = cookies_of(response)
    assert made.startswith("__Host-staff=token-1;")
    assert deleted.startswith("__Host-device=;")
    for cookie in (made, deleted):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Path=/" in cookie and "Domain" not in cookie
    assert "Max-Age" not in made and "Expires" not in made, "a session cookie unless told"


def test_each_client_has_its_own_key_and_no_address_in_it(app):
    keys = {}
    for address in ("203.0.113.7", "203.0.113.8", None):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            keys[address] = client_key()
            assert client_key() == keys[address]
    assert len(set(keys.values())) == 3
    for key in keys.values():
        assert len(key) == 24 and "203" not in key
    other = create_app(make_settings())
    with other.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        assert client_key() != keys["203.0.113.7"], "keyed by the server's secret"
