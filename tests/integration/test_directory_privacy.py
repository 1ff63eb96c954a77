"""A confidential shelter's street address and exact point leave the server in no export."""

from __future__ import annotations

import copy
import csv
import json
import re
import zipfile

import pytest
from sqlalchemy import select, text

from tests.conftest import csrf_token, make_settings, unlock
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
    "phones": [{"id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", "number": "217-555-0100"}],
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


LOCATION_ID = SHELTER["service_at_locations"][0]["location"]["id"]
LINK_ID = SHELTER["service_at_locations"][0]["id"]
# The shelter's point at any precision from a whole degree to the stored one: 41, 40.7, 40.71 ...
NEAR_POINTS = {round(value, places) for value in (LAT, LON) for places in range(7)}
NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w.])")
NEARBY = {  # a public clinic about 2 km from the shelter: searches near it show distances
    "id": "3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b",
    "name": "Canal Street legal clinic",
    "status": "active",
    "organization": {
        "id": "4d5e6f70-8192-4a34-b5c6-d7e8f90a1b2c",
        "name": "Downtown Legal Aid",
        "description": "Free legal help.",
    },
    "service_at_locations": [
        {
            "id": "5e6f7081-92a3-4b45-86d7-e8f90a1b2c3d",
            "location": {
                "id": "6f708192-a3b4-4c56-97e8-f90a1b2c3d4e",
                "location_type": "physical",
                "name": "Canal Street office",
                "latitude": 40.7193,
                "longitude": -73.9987,
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
    for name in ("out.json", "out.zip"):
        result = runner.invoke(args=["directory", "export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    found.append((tmp_path / "out.json").read_text())
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        found += [archive.read(name).decode() for name in archive.namelist()]
    return "\n".join(found)


def raw_database(app) -> str:
    with app.extensions["db.engine"].connect() as connection:
        public = [str(list(connection.execute(select(TABLES[t])))) for t in ("location", "address")]
        kept = connection.execute(text("SELECT exact_place FROM location_privacy")).scalars()
        return "\n".join(public + list(kept))


def numbers_near_the_shelter(answer: str) -> list[str]:
    """Numbers in `answer` that are the shelter's latitude or longitude, however rounded."""
    return [number for number in NUMBER.findall(answer) if float(number) in NEAR_POINTS]


def survivor_answers(app) -> dict[str, str]:
    """The shelter's page, and a search from the shelter's own doorstep, as a survivor sees them."""
    client = app.test_client()
    assert unlock(client).status_code == 303
    page = client.get(f"/places/{SHELTER['id']}")
    assert page.status_code == 200 and "Safe Harbor Shelter" in page.get_data(as_text=True)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    search = client.post(
        "/places", data={"csrf_token": token, "latitude": str(LAT), "longitude": str(LON)}
    )
    assert search.status_code == 200
    results = search.get_data(as_text=True)
    listed = {
        service: item
        for item in results.split("<li")[1:]
        for service in (SHELTER["id"], NEARBY["id"])
        if f'href="/places/{service}"' in item
    }
    assert "km away" in listed[NEARBY["id"]], "a public place near the searcher shows its distance"
    assert "km away" not in listed[SHELTER["id"]] and "data-km" not in listed[SHELTER["id"]]
    return {"/places/<shelter>": page.get_data(as_text=True), "search near the shelter": results}


def api_answers(app) -> dict[str, str]:
    client, answers = app.test_client(), {}
    for url in (
        "/api/hsds/services",
        f"/api/hsds/services/{SHELTER['id']}",
        "/api/hsds/services?format=ndjson",
        "/api/hsds/service_at_locations",
        f"/api/hsds/service_at_locations/{LINK_ID}",
        "/api/hsds/service_at_locations?postcode=10013",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.get_data(as_text=True)
    service = json.loads(answers[f"/api/hsds/services/{SHELTER['id']}"])
    location = service["service_at_locations"][0]["location"]
    assert location["id"] == LOCATION_ID
    assert (location.get("latitude"), location.get("longitude")) == (None, None)
    near = json.loads(answers["/api/hsds/service_at_locations?postcode=10013"])["contents"]
    assert [link["id"] for link in near] == [NEARBY["service_at_locations"][0]["id"]], (
        "a place with no point is near nothing"
    )
    return answers


def exports_checked_for_the_point(app, tmp_path) -> dict[str, str]:
    """Both export formats, after checking the shelter's location in each has no point."""
    runner = app.test_cli_runner()
    for name in ("points.json", "points.zip"):
        result = runner.invoke(args=["directory", "export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    services = json.loads((tmp_path / "points.json").read_text())
    [shelter] = [service for service in services if service["id"] == SHELTER["id"]]
    location = shelter["service_at_locations"][0]["location"]
    assert (location.get("latitude"), location.get("longitude")) == (None, None)
    with zipfile.ZipFile(tmp_path / "points.zip") as archive:
        # datapackage.json describes the tables and holds no record (HSDS's examples say "41,42").
        tables = {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name != "datapackage.json"
        }
    rows = csv.DictReader(tables["locations.csv"].splitlines())
    [row] = [r for r in rows if r["id"] == LOCATION_ID]
    assert (row["latitude"], row["longitude"]) == ("", "")
    return {"points.json": (tmp_path / "points.json").read_text(), **tables}


def test_a_hidden_location_has_no_point_in_any_answer(app, tmp_path):
    """Not the exact point and not a rounded one: a rounded point still leads to the door."""
    result = import_services(app, tmp_path, [SHELTER, NEARBY])
    assert result.exit_code == 0, result.output
    with app.extensions["db.engine"].connect() as connection:
        locations = TABLES["location"]
        stored = connection.execute(
            select(locations.c.latitude, locations.c.longitude).where(locations.c.id == LOCATION_ID)
        ).one()
    assert tuple(stored) == (None, None)

    answers = {
        **survivor_answers(app),
        **api_answers(app),
        **exports_checked_for_the_point(app, tmp_path),
        "raw location and address tables": raw_database(app),
    }
    assert {name: numbers_near_the_shelter(answer) for name, answer in answers.items()} == {
        name: [] for name in answers
    }


def test_a_hidden_shelter_is_exported_without_address_or_point(app, tmp_path):
    result = import_services(app, tmp_path, [SHELTER])
    assert result.exit_code == 0, result.output
    exported = every_export(app, tmp_path)
    assert "Safe Harbor Shelter" in exported and "217-555-0100" in exported
    assert '"visibility": "hidden"' in exported and "Riverside" in exported
    for secret in SECRETS:
        assert secret not in exported, secret
    for secret in SECRETS[:4]:
        assert secret not in raw_database(app), "the exact place is stored encrypted, apart"
    with session_scope(app) as session:
        kept = json.loads(session.get(LocationPrivacy, LOCATION_ID).exact_place)
    assert kept["addresses"][0]["address_1"] == STREET and kept["coordinates"] == [LAT, LON]


def test_an_area_only_location_shows_a_coarse_point(app, tmp_path):
    shelter = copy.deepcopy(SHELTER)
    shelter["service_at_locations"][0]["location"]["x_haven"]["visibility"] = "area_only"
    result = import_services(app, tmp_path, [shelter])
    assert result.exit_code == 0, result.output
    with session_scope(app) as session:
        locations = TABLES["location"]
        point = session.execute(select(locations.c.latitude, locations.c.longitude)).one()
    assert tuple(point) == (40.7, -74.0)
    assert STREET not in every_export(app, tmp_path)


def test_a_later_feed_cannot_publish_a_confidential_address(app, tmp_path):
    first = import_services(app, tmp_path, [SHELTER])
    assert first.exit_code == 0, first.output
    feed = copy.deepcopy(SHELTER)
    del feed["service_at_locations"][0]["location"]["x_haven"]
    result = import_services(app, tmp_path, [feed], name="partner.json")
    assert result.exit_code == 0, result.output
    exported = every_export(app, tmp_path)
    assert "Safe Harbor Shelter" in exported and '"visibility": "hidden"' in exported
    for secret in SECRETS:
        assert secret not in exported
    answers = {**exports_checked_for_the_point(app, tmp_path), "raw tables": raw_database(app)}
    assert {name: numbers_near_the_shelter(answer) for name, answer in answers.items()} == {
        name: [] for name in answers
    }


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
    imported = import_services(app, tmp_path, [SHELTER])
    assert imported.exit_code == 0, imported.output
    exported = app.test_cli_runner().invoke(
        args=["directory", "export", str(tmp_path / "first.zip")]
    )
    assert exported.exit_code == 0, exported.output
    again = create_app(
        make_settings(database_url=f"sqlite:///{tmp_path / 'again.db'}"), clock=clock
    )
    assert again.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    result = again.test_cli_runner().invoke(
        args=["directory", "import", str(tmp_path / "first.zip")]
    )
    assert result.exit_code == 0, result.output
    with session_scope(again) as session:
        privacy = session.get(LocationPrivacy, LOCATION_ID)
        assert (privacy.visibility, privacy.public_area) == ("hidden", "Riverside")
    second = again.test_cli_runner().invoke(
        args=["directory", "export", str(tmp_path / "second.zip")]
    )
    assert second.exit_code == 0, second.output
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()


def public_shelter() -> dict:
    shelter = copy.deepcopy(SHELTER)
    del shelter["service_at_locations"][0]["location"]["x_haven"]
    return shelter


def import_privacy_file(app, tmp_path, rows: str):
    """A datapackage holding nothing but Haven's privacy file: `location_id,visibility,...`."""
    folder = tmp_path / "privacy-only"
    folder.mkdir()
    (folder / "x_haven_location_privacy.csv").write_text(
        "location_id,visibility,public_area\n" + rows
    )
    return app.test_cli_runner().invoke(args=["directory", "import", str(folder)])


def test_a_privacy_file_alone_seals_a_place_already_published(app, tmp_path):
    first = import_services(app, tmp_path, [public_shelter(), NEARBY])
    assert first.exit_code == 0, first.output
    assert STREET in raw_database(app), "published until a moderator's file says otherwise"

    result = import_privacy_file(app, tmp_path, f"{LOCATION_ID},hidden,Riverside\n")
    assert result.exit_code == 0, result.output
    answers = {**exports_checked_for_the_point(app, tmp_path), "raw tables": raw_database(app)}
    assert {name: numbers_near_the_shelter(answer) for name, answer in answers.items()} == {
        name: [] for name in answers
    }
    assert STREET not in every_export(app, tmp_path)
    with session_scope(app) as session:
        privacy = session.get(LocationPrivacy, LOCATION_ID)
        kept = json.loads(privacy.exact_place)
        assert (privacy.visibility, privacy.public_area) == ("hidden", "Riverside")
    assert kept["addresses"][0]["address_1"] == STREET and kept["coordinates"] == [LAT, LON]


def test_a_later_feed_without_the_place_keeps_the_sealed_one(app, tmp_path):
    first = import_services(app, tmp_path, [SHELTER])
    assert first.exit_code == 0, first.output
    feed = copy.deepcopy(SHELTER)
    location = feed["service_at_locations"][0]["location"]
    for name in ("addresses", "latitude", "longitude", "x_haven"):
        del location[name]
    result = import_services(app, tmp_path, [feed], name="partner.json")
    assert result.exit_code == 0, result.output
    with session_scope(app) as session:
        privacy = session.get(LocationPrivacy, LOCATION_ID)
        kept = json.loads(privacy.exact_place)
    assert privacy.visibility == "hidden"
    assert kept["addresses"][0]["address_1"] == STREET and kept["coordinates"] == [LAT, LON]


def test_sealing_one_place_leaves_a_public_neighbour_as_it_was(app, tmp_path):
    """The public clinic comes first in the feed, and keeps its published street address."""
    clinic = copy.deepcopy(NEARBY)
    clinic["service_at_locations"][0]["location"]["addresses"] = [
        {
            "id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
            "address_1": "40 Canal Street",
            "city": "Riverside",
            "state_province": "NY",
            "postal_code": "10013",
            "country": "US",
            "address_type": "physical",
        }
    ]
    result = import_services(app, tmp_path, [clinic, SHELTER])
    assert result.exit_code == 0, result.output
    exported = every_export(app, tmp_path)
    assert "40 Canal Street" in exported and STREET not in exported
    exports_checked_for_the_point(app, tmp_path)
    with session_scope(app) as session:
        kept = json.loads(session.get(LocationPrivacy, LOCATION_ID).exact_place)
    assert [address["address_1"] for address in kept["addresses"]] == [STREET]


def test_the_locations_own_phone_is_a_front_door_and_a_neighbours_is_not(app, tmp_path):
    shelter = copy.deepcopy(SHELTER)
    location = shelter["service_at_locations"][0]["location"]
    location["phones"] = shelter.pop("phones")
    assert import_services(app, tmp_path, [shelter]).exit_code == 0

    clinic = copy.deepcopy(NEARBY)
    clinic["service_at_locations"][0]["location"]["phones"] = [
        {"id": "1b2c3d4e-5f60-4718-a293-b4c5d6e7f809", "number": "217-555-0199"}
    ]
    alone = copy.deepcopy(SHELTER)
    alone["id"] = "2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819"
    del alone["phones"]
    link = alone["service_at_locations"][0]
    link["id"], link["location"]["id"] = (
        "3c4d5e6f-7081-4920-b3c4-d5e6f7081920",
        "4d5e6f70-8192-4a31-c4d5-e6f708192a31",
    )
    link["location"]["addresses"][0]["id"] = "5e6f7081-92a3-4b42-d5e6-f708192a3b42"
    refused = import_services(app, tmp_path, [clinic, alone], name="second.json")
    assert refused.exit_code != 0
    assert "a confidential location needs a public phone" in refused.output


def test_a_later_feed_with_only_the_point_keeps_the_sealed_street(app, tmp_path):
    first = import_services(app, tmp_path, [SHELTER])
    assert first.exit_code == 0, first.output
    feed = copy.deepcopy(SHELTER)
    location = feed["service_at_locations"][0]["location"]
    del location["addresses"], location["x_haven"]
    location["latitude"], location["longitude"] = 40.7131, -74.0061
    result = import_services(app, tmp_path, [feed], name="partner.json")
    assert result.exit_code == 0, result.output
    with session_scope(app) as session:
        kept = json.loads(session.get(LocationPrivacy, LOCATION_ID).exact_place)
    assert kept["addresses"][0]["address_1"] == STREET, "the editors' street is not lost"
    assert kept["coordinates"] == [40.7131, -74.0061], "the newer point is kept"
    assert "40.7131" not in every_export(app, tmp_path)


def test_a_phone_already_stored_is_a_front_door_for_a_later_feed(app, tmp_path):
    first = import_services(app, tmp_path, [public_shelter()])
    assert first.exit_code == 0, first.output
    feed = copy.deepcopy(SHELTER)
    del feed["phones"]
    result = import_services(app, tmp_path, [feed], name="partner.json")
    assert result.exit_code == 0, result.output
    assert STREET not in every_export(app, tmp_path)


def test_a_confidential_place_imported_with_no_service_at_all_needs_a_phone(app, tmp_path):
    """A datapackage of a location alone, marked hidden: no service there, so no front door."""
    folder = tmp_path / "location-only"
    folder.mkdir()
    (folder / "locations.csv").write_text(
        f"id,location_type,name,latitude,longitude\n{LOCATION_ID},physical,A house,{LAT},{LON}\n"
    )
    (folder / "x_haven_location_privacy.csv").write_text(
        f"location_id,visibility,public_area\n{LOCATION_ID},hidden,Riverside\n"
    )
    result = app.test_cli_runner().invoke(args=["directory", "import", str(folder)])
    assert result.exit_code != 0
    assert "a confidential location needs a public phone" in result.output


def test_a_hidden_location_imported_without_an_address_keeps_its_point(app, tmp_path):
    shelter = copy.deepcopy(SHELTER)
    del shelter["service_at_locations"][0]["location"]["addresses"]
    result = import_services(app, tmp_path, [shelter])
    assert result.exit_code == 0, result.output
    with session_scope(app) as session:
        kept = json.loads(session.get(LocationPrivacy, LOCATION_ID).exact_place)
    assert kept == {"addresses": [], "coordinates": [LAT, LON]}


@pytest.mark.parametrize("visibility", ["hidden", "area_only"])
@pytest.mark.parametrize("kept", ["latitude", "longitude"])
def test_a_lone_coordinate_of_a_confidential_place_is_not_published(
    app, tmp_path, visibility, kept
):
    """A feed with only a latitude (or only a longitude) of a confidential place: half a point
    narrows the search to a line through the door, so neither half is published."""
    feed = copy.deepcopy(SHELTER)
    location = feed["service_at_locations"][0]["location"]
    del location["longitude" if kept == "latitude" else "latitude"]
    location["x_haven"]["visibility"] = visibility
    result = import_services(app, tmp_path, [feed])
    assert result.exit_code == 0, result.output
    with app.extensions["db.engine"].connect() as connection:
        locations = TABLES["location"]
        stored = connection.execute(
            select(locations.c.latitude, locations.c.longitude).where(locations.c.id == LOCATION_ID)
        ).one()
    assert tuple(stored) == (None, None)
    exported = every_export(app, tmp_path) + raw_database(app)
    assert str(LAT if kept == "latitude" else LON) not in exported
