"""Twilio's webhooks: a request Twilio did not sign gets 403 and learns nothing else."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import make_settings
from webapp import create_app

TOKEN = "f" * 32
PUBLIC_URL = "https://haven.example.org"
FORM = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}


@pytest.fixture
def client(clock):
    settings = make_settings(twilio_auth_token=TOKEN, public_url=PUBLIC_URL)
    return create_app(settings, clock=clock).test_client()


def signature(url: str, params: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def test_an_unsigned_post_is_refused_before_anything_else(client):
    response = client.post("/hooks/twilio/messages/status", data=FORM)
    assert response.status_code == 403
    assert response.get_json() == {"status": 403, "error": "Forbidden"}


@pytest.mark.parametrize(
    "forged",
    [
        signature(PUBLIC_URL + "/hooks/twilio/messages/status", FORM, token="e" * 32),
        signature(PUBLIC_URL + "/hooks/twilio/other", FORM),
        signature(PUBLIC_URL + "/hooks/twilio/messages/status", {**FORM, "MessageStatus": "sent"}),
        "not a signature",
    ],
    ids=["another-token", "another-url", "another-body", "garbage"],
)
def test_a_wrong_signature_is_refused(client, forged):
    response = client.post(
        "/hooks/twilio/messages/status", data=FORM, headers={"X-Twilio-Signature": forged}
    )
    assert response.status_code == 403


def test_a_signed_request_passes_the_gate_without_a_csrf_token(client):
    url = PUBLIC_URL + "/hooks/twilio/no-such-hook"
    response = client.post(
        "/hooks/twilio/no-such-hook",
        data=FORM,
        headers={"X-Twilio-Signature": signature(url, FORM)},
    )
    assert response.status_code == 404, "past the signature and CSRF, to routing"
    assert response.get_json() == {"status": 404, "error": "Not Found"}


def test_without_public_url_the_address_flask_sees_is_what_was_signed(clock):
    client = create_app(make_settings(twilio_auth_token=TOKEN), clock=clock).test_client()
    signed = signature("http://localhost/hooks/twilio/x?a=1", FORM)
    response = client.post("/hooks/twilio/x?a=1", data=FORM, headers={"X-Twilio-Signature": signed})
    assert response.status_code == 404


def test_without_an_auth_token_nothing_is_ever_accepted(clock):
    client = create_app(make_settings(), clock=clock).test_client()
    url = PUBLIC_URL + "/hooks/twilio/x"
    response = client.post(
        "/hooks/twilio/x", data=FORM, headers={"X-Twilio-Signature": signature(url, FORM, "")}
    )
    assert response.status_code == 403


def test_paths_beside_the_hooks_are_not_guarded_by_them(client):
    assert client.get("/hooks/twilioX").status_code == 404
    assert "html" in client.get("/hooks/twilioX").mimetype
