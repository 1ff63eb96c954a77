"""What a service's page tells a survivor: the whole number to dial, and when hours change."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
    "schedules": [
        # Thursday evenings, closed from 5 to 25 February 2027 (HSDS: the regular schedule until
        # the day before, a copy from the day it reopens).
        {
            "id": "5e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a1b",
            "freq": "WEEKLY",
            "byday": "TH",
            "opens_at": "18:30",
            "closes_at": "20:00",
            "valid_to": "2027-02-04",
        },
        {
            "id": "4f3a2b1c-0d9e-4f8a-9b6c-5d4e3f2a1b0c",
            "freq": "WEEKLY",
            "byday": "TH",
            "opens_at": "18:30",
            "closes_at": "20:00",
            "valid_from": "2027-02-26",
        },
        # Tax season only.
        {
            "id": "3a2b1c0d-9e8f-4a7b-8c5d-4e3f2a1b0c9d",
            "freq": "WEEKLY",
            "byday": "MO",
            "opens_at": "16:00",
            "closes_at": "20:00",
            "valid_from": "2027-03-01",
            "valid_to": "2027-04-15",
        },
        # Last year's Saturdays, over before the page is read.
        {
            "id": "2b1c0d9e-8f7a-4b6c-9d4e-3f2a1b0c9d8e",
            "freq": "WEEKLY",
            "byday": "SA",
            "opens_at": "09:00",
            "closes_at": "13:00",
            "valid_to": "2026-12-31",
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
    """The service's page; thin spaces (which CLDR puts around some dashes) as plain ones."""
    response = client.get(f"/places/{SERVICE['id']}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\u2009", " ")


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


def on(clock, day: str) -> None:
    clock.now = datetime.fromisoformat(f"{day}T17:00:00").replace(tzinfo=UTC).timestamp()


def test_a_closure_shows_its_dates_instead_of_the_same_hours_twice(survivor, clock):
    on(clock, "2027-01-15")
    unlock(survivor)
    shown = page(survivor)
    assert shown.count('Thu <bdi dir="ltr">18:30 – 20:00</bdi>') == 1
    assert "<li>Closed <bdi>Feb 5 – 25, 2027</bdi></li>" in shown


def test_hours_held_for_a_season_show_their_dates_and_past_ones_are_gone(survivor, clock):
    on(clock, "2027-01-15")
    unlock(survivor)
    shown = page(survivor)
    line = '<li>Mon <bdi dir="ltr">16:00 – 20:00</bdi>, <bdi>Mar 1 – Apr 15, 2027</bdi></li>'
    assert line in shown
    assert "09:00–13:00" not in shown, "Saturdays ended last year"


def test_during_a_closure_the_page_says_when_the_hours_start_again(survivor, clock):
    on(clock, "2027-02-10")
    unlock(survivor)
    shown = page(survivor)
    assert '<li>Thu <bdi dir="ltr">18:30 – 20:00</bdi> from <bdi>Feb 26, 2027</bdi></li>' in shown
    assert "<li>Closed <bdi>Feb 5 – 25, 2027</bdi></li>" in shown
    on(clock, "2027-03-01")
    unlock(survivor)
    assert "Closed" not in page(survivor), "a closure that is over is not shown"


def test_a_closure_reads_in_the_readers_language(survivor, clock):
    on(clock, "2027-01-15")
    unlock(survivor)
    spanish = page(survivor, "es")
    assert "<li>Cerrado <bdi>5–25 feb 2027</bdi></li>" in spanish
    arabic = page(survivor, "ar")
    assert "<li>مغلق <bdi>5–25 فبراير 2027</bdi></li>" in arabic
