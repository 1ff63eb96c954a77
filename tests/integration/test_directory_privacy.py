"""A confidential shelter's street address and exact point leave the server in no export."""

from __future__ import annotations

import copy
import json
import zipfile

import pytest
from sqlalchemy import select, text

from tests.conftest import make_settings
from webapp import create_app
from webapp.db import session_scope
from webapp.directory.models import LocationPrivacy
from webapp.directory.tables import TABLES

STREET, LAT, LON = "17 Quiet Orchard Lane", 40.712345, -74.006789
SECRETS = [STREET, "Quiet Orchard", str(LAT), str(LON), "40.71", "-74.00"]
SHELTER = {
    "id": "5f0c9a7e-3b1d-4f7a-9d55-2a7f3c1e8b01",
    "name": "Safe Harbor Shelter",
    "description": "Emergency shelter for people leaving abuse, and their children.",
    "status": "active",
    "organization": {
        "id": "0b6d3f1e-7c2a-4e8b-9a10-5d4c3b2a1f00",
        "name": "Harbor House",
        "description": "A community organization.",
    },
    "phones": [{"id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", "number": "555-0100"}],
    "service_at_locations": [
        {
            "id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
            "location": {
                "id": "e7f8a9b0-c1d2-4e3f-8a4b-5c6d7e8f9a0b",
                "location_type": "physical",
                "name": "Harbor House shelter",
                "latitude": LAT,
                "longitude": LON,
                "addresses": [
                    {
                        "id": "a0b1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d",
                        "address_1": STREET,
                        "city": "Riverside",
                        "state_province": "NY",
                        "postal_code": "10001",
                        "country": "US",
                        "address_type": "physical",
                    }
                ],
                "x_haven": {"visibility": "hidden", "public_area": "Riverside"},
            },
        }
    ],
}


@pytest.fixture
def app(migrated_app):
    return migrated_app


def import_services(app, tmp_path, services, name="feed.json"):
    feed = tmp_path / name
    feed.write_text(json.dumps(services))
    return app.test_cli_runner().invoke(args=["directory", "import", str(feed)])


def every_export(app, tmp_path) -> str:
    """All bytes every export format writes, as text."""
    runner, found = app.test_cli_runner(), []
    runner.invoke(args=["directory", "export", str(tmp_path / "out.json")])
    runner.invoke(args=["directory", "export", str(tmp_path / "out.zip")])
    found.append((tmp_path / "out.json").read_text())
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        found += [archive.read(name).decode() for name in archive.namelist()]
    return "\n".join(found)


def raw_database(app) -> str:
    with app.extensions["db.engine"].connect() as connection:
        public = [str(list(connection.execute(select(TABLES[t])))) for t in ("location", "address")]
        kept = connection.execute(text("SELECT exact_place FROM location_privacy")).scalars()
        return "\n".join(public + list(kept))


def test_a_hidden_shelter_is_exported_without_address_or_point(app, tmp_path):
    result = import_services(app, tmp_path, [SHELTER])
    assert result.exit_code == 0, result.output
    exported = every_export(app, tmp_path)
    assert "Safe Harbor Shelter" in exported and "555-0100" in exported
    assert '"visibility": "hidden"' in exported and "Riverside" in exported
    for secret in SECRETS:
        assert secret not in exported, secret
    for secret in SECRETS[:4]:
        assert secret not in raw_database(app), "the exact place is stored encrypted, apart"
    with session_scope(app) as session:
        kept = json.loads(
            session.get(
                LocationPrivacy, SHELTER["service_at_locations"][0]["location"]["id"]
            ).exact_place
        )
    assert kept["addresses"][0]["address_1"] == STREET and kept["coordinates"] == [LAT, LON]


def test_an_area_only_location_shows_a_coarse_point(app, tmp_path):
    shelter = copy.deepcopy(SHELTER)
    shelter["service_at_locations"][0]["location"]["x_haven"]["visibility"] = "area_only"
    import_services(app, tmp_path, [shelter])
    with session_scope(app) as session:
        locations = TABLES["location"]
        point = session.execute(select(locations.c.latitude, locations.c.longitude)).one()
    assert tuple(point) == (40.7, -74.0)
    assert STREET not in every_export(app, tmp_path)


def test_a_later_feed_cannot_publish_a_confidential_address(app, tmp_path):
    import_services(app, tmp_path, [SHELTER])
    feed = copy.deepcopy(SHELTER)
    del feed["service_at_locations"][0]["location"]["x_haven"]
    result = import_services(app, tmp_path, [feed], name="partner.json")
    assert result.exit_code == 0, result.output
    for secret in SECRETS:
        assert secret not in every_export(app, tmp_path)


def test_a_confidential_location_needs_a_public_phone(app, tmp_path):
    shelter = copy.deepcopy(SHELTER)
    del shelter["phones"]
    result = import_services(app, tmp_path, [shelter])
    assert result.exit_code != 0
    assert (
        "service_at_locations[0].location.phones: a confidential location needs a public phone"
        in (result.output)
    )


def test_privacy_round_trips_through_the_datapackage(app, clock, tmp_path):
    import_services(app, tmp_path, [SHELTER])
    app.test_cli_runner().invoke(args=["directory", "export", str(tmp_path / "first.zip")])
    again = create_app(
        make_settings(database_url=f"sqlite:///{tmp_path / 'again.db'}"), clock=clock
    )
    again.test_cli_runner().invoke(args=["db", "upgrade"])
    result = again.test_cli_runner().invoke(
        args=["directory", "import", str(tmp_path / "first.zip")]
    )
    assert result.exit_code == 0, result.output
    again.test_cli_runner().invoke(args=["directory", "export", str(tmp_path / "second.zip")])
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
