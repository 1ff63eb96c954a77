"""The public HSDS API: Page envelopes that validate, filters, proximity, and no hidden place."""

from __future__ import annotations

import copy
import json

import pytest

from tests import factories
from tests.conftest import make_settings
from tests.integration.test_directory_privacy import SECRETS, SHELTER
from webapp import create_app
from webapp.db import MANY_VALUES, session_scope
from webapp.directory import hsds

EXAMPLES = hsds.HSDS_DIR / "examples"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
NEAR_10001 = {  # a public clinic a few hundred metres from the centre of ZIP 10001
    "id": "4d5e6f70-8192-4a3b-8c4d-5e6f708192a3",
    "name": "Midtown legal clinic",
    "status": "active",
    "last_modified": "2026-11-01T12:00:00.000Z",
    "organization": {
        "id": "5e6f7081-92a3-4b4c-9d5e-6f708192a3b4",
        "name": "Midtown Legal Aid",
        "description": "Free legal help.",
    },
    "service_at_locations": [
        {
            "id": "6f708192-a3b4-4c5d-8e6f-708192a3b4c5",
            "location": {
                "id": "708192a3-b4c5-4d6e-9f70-8192a3b4c5d6",
                "location_type": "physical",
                "name": "Midtown office",
                "latitude": 40.7506,
                "longitude": -73.9970,
            },
        }
    ],
}


@pytest.fixture
def client(migrated_app, tmp_path):
    app = migrated_app
    runner = app.test_cli_runner()
    assert runner.invoke(args=["directory", "import", str(EXAMPLES / "csv")]).exit_code == 0
    example = runner.invoke(args=["directory", "import", str(EXAMPLES / "service_full.json")])
    assert example.exit_code == 0, example.output
    feed = tmp_path / "feed.json"
    shelter = copy.deepcopy(SHELTER)
    shelter["service_at_locations"][0]["location"]["latitude"] = 40.7490
    shelter["service_at_locations"][0]["location"]["longitude"] = -73.9960
    feed.write_text(json.dumps([shelter, NEAR_10001]))
    result = runner.invoke(args=["directory", "import", str(feed)])
    assert result.exit_code == 0, result.output
    return app.test_client()


def get_json(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_json()


@pytest.mark.parametrize(
    ("url", "item_schema"),
    [
        ("/api/hsds/services", "service"),
        ("/api/hsds/organizations", "organization"),
        ("/api/hsds/service_at_locations", "service_at_location"),
        ("/api/hsds/taxonomies", "taxonomy"),
        ("/api/hsds/taxonomy_terms", "taxonomy_term"),
    ],
)
def test_lists_are_pages_that_validate(client, url, item_schema):
    page = get_json(client, url)
    assert page["total_items"] >= 1 and page["contents"]
    assert hsds.page_validation_errors(page, item_schema) == []


def test_records_validate_and_unknown_ones_are_404(client):
    service = get_json(client, f"/api/hsds/services/{EXAMPLE_SERVICE}")
    assert hsds.validation_errors(service, "service") == []
    assert service["organization"]["name"]
    assert client.get("/api/hsds/services/00000000-0000-4000-8000-000000000000").status_code == 404


def test_base_and_openapi(client):
    base = get_json(client, "/api/hsds/")
    assert base["version"] == "3.0" and base["openapi_url"].endswith("/api/hsds/openapi.json")
    forged = client.get("/api/hsds/", headers={"Host": "evil.example"}).get_json()
    assert "evil.example" not in json.dumps(forged), "links never come from the Host header"
    assert "paths" in get_json(client, "/api/hsds/openapi.json")


def test_search_taxonomy_and_modified_after_filter_services(client):
    assert [
        s["id"] for s in get_json(client, "/api/hsds/services?search=legal clinic")["contents"]
    ] == [NEAR_10001["id"]]
    by_term = get_json(client, f"/api/hsds/services?taxonomy_term_id={EXAMPLE_TERM}")
    assert [s["id"] for s in by_term["contents"]] == [EXAMPLE_SERVICE]
    recent = get_json(client, "/api/hsds/services?modified_after=2026-10-01T00:00:00Z")
    assert [s["id"] for s in recent["contents"]] == [NEAR_10001["id"]]
    assert client.get("/api/hsds/services?modified_after=yesterday").status_code == 400


def test_pages_and_ndjson(client):
    first = get_json(client, "/api/hsds/services?per_page=1")
    assert first["size"] == 1 and first["first_page"] and not first["last_page"]
    assert first["total_pages"] == first["total_items"] == 3
    last = get_json(client, "/api/hsds/services?per_page=1&page=3")
    assert last["last_page"] and last["page_number"] == 3
    past = get_json(client, "/api/hsds/services?per_page=1&page=9")
    assert past["empty"] and past["contents"] == [] and past["total_items"] == 3
    lines = client.get("/api/hsds/services?format=ndjson").get_data(as_text=True).splitlines()
    assert len(lines) == 3 and all(json.loads(line)["id"] for line in lines)


def test_a_long_page_nests_in_each_service_its_own_records_and_no_other(migrated_app):
    """A page of more services than `one_of` sends as a list: PostgreSQL reads them by array."""
    count = MANY_VALUES + 8
    with session_scope(migrated_app) as session:
        numbers = {}
        for n in range(count):
            organization = factories.organization(session, name=f"Organization {n}")
            service = factories.service(session, name=f"Service {n}", organization_id=organization)
            numbers[service] = (f"217-555-{n:04d}", f"Organization {n}")
            factories.phone(session, service, number=numbers[service][0])
    page = get_json(migrated_app.test_client(), f"/api/hsds/services?per_page={count}&lang=es")
    assert page["total_items"] == page["size"] == count
    found = {
        item["id"]: ([p["number"] for p in item["phones"]], item["organization"]["name"])
        for item in page["contents"]
    }
    assert found == {service: ([number], name) for service, (number, name) in numbers.items()}


def test_proximity_sorts_by_distance_and_never_places_a_hidden_shelter(client):
    near = get_json(client, "/api/hsds/service_at_locations?postcode=10001&proximity=5000")
    ids = [item["id"] for item in near["contents"]]
    assert ids == [NEAR_10001["service_at_locations"][0]["id"]]
    assert client.get("/api/hsds/service_at_locations?postcode=ABCDE").status_code == 400


def test_no_api_answer_holds_a_hidden_address(client):
    urls = [
        "/api/hsds/services",
        "/api/hsds/service_at_locations",
        "/api/hsds/organizations",
        f"/api/hsds/services/{SHELTER['id']}",
        f"/api/hsds/service_at_locations/{SHELTER['service_at_locations'][0]['id']}",
        "/api/hsds/services?format=ndjson",
        "/api/hsds/services?lang=es",
        f"/api/hsds/services/{SHELTER['id']}?lang=ar",
    ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        for secret in [*SECRETS, "40.749", "-73.996"]:
            assert secret not in body, (url, secret)


def test_the_api_is_readable_from_other_sites_and_rate_limited(client):
    response = client.get("/api/hsds/")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    statuses = [client.get("/api/hsds/").status_code for _ in range(125)]
    assert 429 in statuses


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/hsds/services/nope", 404),
        ("/api/hsds/no/such/path", 404),
        ("/api/hsds/services?modified_after=yesterday", 400),
        ("/api/hsds/services?page=x", 400),
    ],
)
def test_errors_answer_as_json_a_machine_can_read(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "<html" not in response.get_data(as_text=True)


def test_a_service_that_is_not_active_is_not_published(client, tmp_path):
    closed = copy.deepcopy(NEAR_10001)
    closed |= {"id": "8192a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7", "name": "Closed legal clinic"}
    closed["status"] = "inactive"
    closed["service_at_locations"] = []
    feed = tmp_path / "closed.json"
    feed.write_text(json.dumps([closed]))
    imported = client.application.test_cli_runner().invoke(args=["directory", "import", str(feed)])
    assert imported.exit_code == 0, imported.output
    listed = get_json(client, "/api/hsds/services?search=clinic")["contents"]
    assert [s["id"] for s in listed] == [NEAR_10001["id"]]
    assert client.get(f"/api/hsds/services/{closed['id']}").status_code == 404


def test_links_are_absolute_from_public_url_whatever_the_host_says(clock):
    app = create_app(make_settings(public_url="https://haven.example.org"), clock=clock)
    base = app.test_client().get("/api/hsds/", headers={"Host": "evil.example"}).get_json()
    assert base["profile"] == "https://haven.example.org/api/hsds/"
    assert base["openapi_url"] == "https://haven.example.org/api/hsds/openapi.json"
