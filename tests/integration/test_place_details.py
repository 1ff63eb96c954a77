"""What a service's page tells a survivor: the whole number to dial, and when hours change."""

from __future__ import annotations

import json

import pytest

from tests.conftest import unlock

ORGANIZATION = {
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "name": "Sangamon Legal Aid",
    "description": "Free legal help.",
}
SERVICE = {
    "id": "8b7c6d5e-4f3a-4b2c-9d1e-0f9a8b7c6d5e",
    "name": "Protection order help desk",
    "status": "active",
    "description": "Help to apply for an order of protection.",
    "organization": ORGANIZATION,
    "phones": [
        {
            "id": "7c6d5e4f-3a2b-4c1d-8e0f-9a8b7c6d5e4f",
            "number": "+1217-555-0142",
            "extension": 204,
        },
        {
            "id": "6d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f2a",
            "number": "217-555-0199",
            "type": "text",
        },
    ],
}


@pytest.fixture
def survivor(migrated_app, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([SERVICE]))
    imported = migrated_app.test_cli_runner().invoke(args=["directory", "import", str(feed)])
    assert imported.exit_code == 0, imported.output
    client = migrated_app.test_client()
    unlock(client)
    return client


def page(client, language: str = "en") -> str:
    response = client.get(f"/places/{SERVICE['id']}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_phone_extension_is_shown_and_dialled(survivor):
    shown = page(survivor)
    assert 'href="tel:+12175550142,204"' in shown, "the dialer pauses, then dials 204"
    assert 'Call <bdi dir="ltr">+1217-555-0142</bdi> ext. <bdi dir="ltr">204</bdi>' in shown
    assert 'href="sms:+12175550199"' in shown, "a text goes to the number itself"


def test_an_extension_stays_left_to_right_in_arabic(survivor):
    shown = page(survivor, "ar")
    assert 'href="tel:+12175550142,204"' in shown
    assert '<bdi dir="ltr">+1217-555-0142</bdi>' in shown
    assert '<bdi dir="ltr">204</bdi>' in shown
