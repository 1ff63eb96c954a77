"""Addresses through the portal: a moderator publishes them, and a confidential one is never
published, not even in the history the directory exports."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests import factories
from tests.integration.test_portal import (
    approve,
    hidden_fields,
    latest_change,
    service_page,
    staff,
    stored,
    survivor_page,
)
from webapp.db import session_scope
from webapp.directory import geo, privacy
from webapp.directory.models import LocationPrivacy
from webapp.directory.tables import TABLES

OLD_STREET, NEW_STREET = "12 Elm Street", "480 Quarry Lane"
PLACE = {"f-place": "1"}


@pytest.fixture
def place(db_app, clock):
    clock.now = factories.NOW.timestamp()
    settings = db_app.config["HAVEN_SETTINGS"]
    with session_scope(db_app) as session:
        organization = factories.organization(session, name="Riverside Shelter")
        service = factories.service(session, organization_id=organization, name="Riverside house")
        ids = {
            "organization": organization,
            "service": service,
            "location": factories.location(session, service, street=OLD_STREET),
            "editor": factories.editor(session, settings, [organization]).id,
            "moderator": factories.user(session, settings, roles=["moderator"]).id,
        }
        ids["phone"] = factories.phone(session, service)
    return ids


def send_place(db_app, clock, ids, data: dict, who="editor"):
    browser = staff(db_app, clock, ids[who])
    page = service_page(ids)
    return browser.send(page, f"{page}/changes", data, match=PLACE)


def everything_public(app, service_id: str) -> str:
    """The survivor's page, the API's answer, a full export and the exported history."""
    runner = app.test_cli_runner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.json"
        result = runner.invoke(args=["directory", "export", str(path)])
        assert result.exit_code == 0, result.output
        exported = path.read_text()
    answer = api(app, service_id)
    with session_scope(app) as session:
        rows = session.execute(text("SELECT * FROM addresses")).all()
        history = session.execute(select(TABLES["metadata"])).all()
    return "\n".join([survivor_page(app, service_id), answer, exported, str(rows), str(history)])


def api(app, service_id: str) -> str:
    return app.test_client().get(f"/api/hsds/services/{service_id}").get_data(as_text=True)


def test_a_new_address_is_published_once_approved_with_its_history(db_app, clock, place):
    assert OLD_STREET in api(db_app, place["service"])
    answer = send_place(db_app, clock, place, {"p-address_1": NEW_STREET})
    assert answer.status_code == 303
    assert NEW_STREET not in api(db_app, place["service"])
    approve(staff(db_app, clock, place["moderator"]), latest_change(db_app).id)
    assert NEW_STREET in api(db_app, place["service"])
    metadata = TABLES["metadata"]
    with session_scope(db_app) as session:
        (entry,) = session.execute(
            select(metadata).where(metadata.c.resource_id == place["location"])
        ).all()
    assert entry.field_name == "place"
    assert OLD_STREET in entry.previous_value and NEW_STREET in entry.replacement_value
    editor = staff(db_app, clock, place["editor"])
    history = editor.get(f"{service_page(place)}/history").get_data(as_text=True)
    assert f"Public: the address is shown: {NEW_STREET}" in history, "said in words"


def test_hiding_a_place_takes_its_street_out_of_everything_public(db_app, clock, place):
    send_place(db_app, clock, place, {"p-address_1": NEW_STREET})
    approve(staff(db_app, clock, place["moderator"]), latest_change(db_app).id)
    assert NEW_STREET in everything_public(db_app, place["service"])

    answer = send_place(db_app, clock, place, {"p-visibility": "hidden"})
    assert answer.status_code == 303
    approve(staff(db_app, clock, place["moderator"]), latest_change(db_app).id)

    public = everything_public(db_app, place["service"])
    for secret in (NEW_STREET, OLD_STREET, "39.80", "-89.64"):
        assert secret not in public, secret
    location = stored(db_app, "location", place["location"])
    assert location["latitude"] is None and location["longitude"] is None
    with session_scope(db_app) as session:
        sealed = json.loads(session.get(LocationPrivacy, place["location"]).exact_place)
    assert sealed["addresses"][0]["address_1"] == NEW_STREET
    assert sealed["coordinates"] == [39.8017, -89.6437]
    form = staff(db_app, clock, place["editor"]).get(service_page(place)).get_data(as_text=True)
    assert f'value="{NEW_STREET}"' in form, "its editors still see where it is"


def test_a_hidden_place_moves_without_its_new_street_reaching_the_public(db_app, clock, place):
    send_place(db_app, clock, place, {"p-visibility": "area_only", "p-public_area": "North side"})
    moderator = staff(db_app, clock, place["moderator"])
    approve(moderator, latest_change(db_app).id)
    send_place(db_app, clock, place, {"p-address_1": NEW_STREET, "p-postal_code": "62702"})
    approve(moderator, latest_change(db_app).id)

    public = everything_public(db_app, place["service"])
    assert NEW_STREET not in public and OLD_STREET not in public
    assert "North side" in api(db_app, place["service"])
    location = stored(db_app, "location", place["location"])
    assert location["latitude"] == round(location["latitude"], 1), "area only: a coarse point"


def test_a_place_nobody_can_phone_cannot_be_hidden(db_app, clock, place):
    with session_scope(db_app) as session:
        phones = TABLES["phone"]
        session.execute(phones.delete().where(phones.c.id == place["phone"]))
    answer = send_place(db_app, clock, place, {"p-visibility": "hidden"})
    assert answer.status_code == 400
    assert "needs a public phone number first" in answer.get_data(as_text=True)
    assert OLD_STREET in api(db_app, place["service"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"p-visibility": "area_only", "p-public_area": ""}, "Name the area survivors see"),
        ({"p-address_1": "", "p-city": "Springfield"}, "Give the street and number"),
        ({"p-country": "USA"}, "Give the country as two letters"),
        ({"p-country": ""}, "Give the country as two letters"),
        ({"p-state_province": ""}, "Give the state, or leave the whole address empty."),
        ({"p-postal_code": ""}, "Give the ZIP code, or leave the whole address empty."),
        ({"p-visibility": "everyone"}, "Choose who may see the address."),
    ],
)
def test_a_place_that_cannot_be_is_refused_with_what_was_typed(db_app, clock, place, data, message):
    answer = send_place(db_app, clock, place, {"p-city": "Springfield", **data})
    text_ = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in text_
    assert 'aria-invalid="true"' in text_
    assert latest_change(db_app) is None


def sealed_place(app, location_id: str) -> dict:
    with session_scope(app) as session:
        return json.loads(session.get(LocationPrivacy, location_id).exact_place)


def approved(db_app, clock, place, data: dict) -> None:
    answer = send_place(db_app, clock, place, data)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert approve(staff(db_app, clock, place["moderator"]), latest_change(db_app).id).status_code
    assert latest_change(db_app).status == "approved"


def centre_of(postal_code: str) -> list[float]:
    found = geo.find_postcode(postal_code, "US")
    return [found.latitude, found.longitude]


def test_a_hidden_place_keeps_its_sealed_point_when_only_its_street_changes(db_app, clock, place):
    approved(db_app, clock, place, {"p-visibility": "hidden"})
    first = sealed_place(db_app, place["location"])
    approved(db_app, clock, place, {"p-address_1": NEW_STREET})
    sealed = sealed_place(db_app, place["location"])
    assert sealed["coordinates"] == [39.8017, -89.6437]
    [address] = sealed["addresses"]
    assert address["address_1"] == NEW_STREET and address["city"] == "Springfield"
    assert address["id"] == first["addresses"][0]["id"], "the same address, moved"
    assert address["address_type"] == "physical"
    assert NEW_STREET not in everything_public(db_app, place["service"])


@pytest.mark.parametrize("visibility", ["public", "hidden", "area_only"])
def test_a_new_postal_code_moves_the_point_to_its_centre(db_app, clock, place, visibility):
    if visibility != "public":
        wish = {"p-visibility": visibility, "p-public_area": "North side"}
        approved(db_app, clock, place, wish)
    approved(db_app, clock, place, {"p-postal_code": "62704", "p-country": "us"})
    centre = centre_of("62704")
    assert centre != [39.8017, -89.6437]
    location = stored(db_app, "location", place["location"])
    if visibility == "public":
        assert [location["latitude"], location["longitude"]] == centre
    elif visibility == "area_only":
        assert sealed_place(db_app, place["location"])["coordinates"] == centre
        assert (location["latitude"], location["longitude"]) == geo.coarse(*centre, 1)
    else:
        assert sealed_place(db_app, place["location"])["coordinates"] == centre
        assert (location["latitude"], location["longitude"]) == (None, None)


@pytest.mark.parametrize(("postal_code", "country"), [("00000", "US"), ("62704", "CA")])
def test_a_postal_code_of_nowhere_keeps_the_point(db_app, clock, place, postal_code, country):
    """Unknown here, or in a country with no postal-code centres: the point stays."""
    approved(db_app, clock, place, {"p-postal_code": postal_code, "p-country": country})
    location = stored(db_app, "location", place["location"])
    assert (location["latitude"], location["longitude"]) == (39.8017, -89.6437)


def test_a_hidden_place_made_public_again_shows_its_street_and_point(db_app, clock, place):
    approved(db_app, clock, place, {"p-visibility": "hidden"})
    approved(db_app, clock, place, {"p-visibility": "public"})
    assert OLD_STREET in api(db_app, place["service"])
    location = stored(db_app, "location", place["location"])
    assert (location["latitude"], location["longitude"]) == (39.8017, -89.6437)
    with session_scope(db_app) as session:
        assert session.get(LocationPrivacy, place["location"]) is None


def test_a_new_address_for_a_place_without_one_is_a_physical_address(db_app, clock, place):
    with session_scope(db_app) as session:
        addresses = TABLES["address"]
        session.execute(addresses.delete().where(addresses.c.location_id == place["location"]))
    typed = {"p-address_1": NEW_STREET, "p-city": "Springfield", "p-state_province": "IL"}
    approved(db_app, clock, place, {**typed, "p-postal_code": "62701", "p-country": "US"})
    with session_scope(db_app) as session:
        addresses = TABLES["address"]
        [row] = session.execute(
            select(addresses).where(addresses.c.location_id == place["location"])
        ).all()
    assert row.address_1 == NEW_STREET and row.address_type == "physical"
    assert row.id and row.id != place["location"]


def test_another_places_phone_is_no_front_door(db_app, clock, place):
    with session_scope(db_app) as session:
        phones = TABLES["phone"]
        session.execute(phones.delete().where(phones.c.id == place["phone"]))
        other_service = factories.service(session, organization_id=place["organization"])
        other = factories.location(session, other_service, street="1 Other Road")
        session.execute(
            phones.insert().values(
                id="8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f",
                location_id=other,
                number="217-555-0142",
                type="voice",
            )
        )
    answer = send_place(db_app, clock, place, {"p-visibility": "hidden"})
    assert answer.status_code == 400
    assert "needs a public phone number first" in answer.get_data(as_text=True)


def test_hiding_a_place_scrubs_its_own_history_and_no_other(db_app, clock, place):
    approved(db_app, clock, place, {"p-address_1": NEW_STREET})
    metadata = TABLES["metadata"]
    with session_scope(db_app) as session:
        other_service = factories.service(session, organization_id=place["organization"])
        other = factories.location(session, other_service, street="1 Other Road")
        session.execute(
            metadata.insert().values(
                id="9d0e1f2a-3b4c-4d5e-9f6a-7b8c9d0e1f2a",
                resource_id=other,
                resource_type="location",
                last_action_date=factories.NOW.date(),
                last_action_type="update",
                field_name="place",
                previous_value="1 Old Road",
                replacement_value="1 Other Road",
                updated_by="a moderator",
            )
        )
        session.execute(
            metadata.insert().values(
                id="1f2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c",
                resource_id=place["location"],
                resource_type="location",
                last_action_date=factories.NOW.date(),
                last_action_type="update",
                field_name="name",
                previous_value="Front door",
                replacement_value="Front office",
                updated_by="a moderator",
            )
        )
    approved(db_app, clock, place, {"p-visibility": "hidden"})
    with session_scope(db_app) as session:
        rows = session.execute(select(metadata).where(metadata.c.field_name == "place")).all()
    own = [
        (row.previous_value, row.replacement_value)
        for row in rows
        if row.resource_id == place["location"]
    ]
    assert ("[confidential]", "[confidential]") in own
    assert not any(NEW_STREET in value or OLD_STREET in value for pair in own for value in pair)
    assert [
        (row.previous_value, row.replacement_value) for row in rows if row.resource_id == other
    ] == [("1 Old Road", "1 Other Road")]
    with session_scope(db_app) as session:
        named = session.execute(select(metadata).where(metadata.c.field_name == "name")).one()
    assert (named.previous_value, named.replacement_value) == ("Front door", "Front office")


def test_changing_the_street_leaves_the_mailing_address_as_it_was(db_app, clock, place):
    """The mailing address is stored first: the street is still the one the form changes."""
    addresses = TABLES["address"]
    with session_scope(db_app) as session:
        mine = addresses.c.location_id == place["location"]
        physical = dict(session.execute(select(addresses).where(mine)).one()._mapping)
        session.execute(addresses.delete().where(mine))
        session.execute(
            addresses.insert().values(
                id="0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3b",
                location_id=place["location"],
                address_1="PO Box 40",
                city="Springfield",
                state_province="IL",
                postal_code="62705",
                country="US",
                address_type="postal",
            )
        )
        session.execute(addresses.insert().values(**physical))
    approved(db_app, clock, place, {"p-address_1": NEW_STREET})
    with session_scope(db_app) as session:
        rows = session.execute(
            select(addresses.c.address_type, addresses.c.address_1)
            .where(addresses.c.location_id == place["location"])
            .order_by(addresses.c.address_type)
        ).all()
    assert [tuple(row) for row in rows] == [("physical", NEW_STREET), ("postal", "PO Box 40")]


def test_the_editors_form_shows_empty_fields_empty(db_app, clock, place):
    page = service_page(place)
    html = staff(db_app, clock, place["editor"]).get(page).get_data(as_text=True)
    [values] = [f for f in hidden_fields(html, f"{page}/changes") if "p-address_1" in f]
    assert values["p-address_1"] == OLD_STREET
    assert values["p-address_2"] == "" and values["p-public_area"] == ""


@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_a_place_without_a_point_can_be_moved_and_hidden(db_app, clock, place, visibility):
    with session_scope(db_app) as session:
        locations = TABLES["location"]
        session.execute(
            locations.update()
            .where(locations.c.id == place["location"])
            .values(latitude=None, longitude=None)
        )
    approved(db_app, clock, place, {"p-visibility": visibility, "p-address_1": NEW_STREET})
    location = stored(db_app, "location", place["location"])
    assert (location["latitude"], location["longitude"]) == (None, None)
    if visibility == "hidden":
        sealed = sealed_place(db_app, place["location"])
        assert sealed["coordinates"] is None
        assert sealed["addresses"][0]["address_1"] == NEW_STREET
    else:
        assert NEW_STREET in api(db_app, place["service"])


def test_an_address_taken_away_leaves_the_place_without_a_street(db_app, clock, place):
    empty = {f"p-{name}": "" for name in privacy.ADDRESS_FIELDS}
    answer = send_place(db_app, clock, place, empty)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    moderator = staff(db_app, clock, place["moderator"])
    assert approve(moderator, latest_change(db_app).id).status_code == 303
    with session_scope(db_app) as session:
        rows = session.execute(
            select(TABLES["address"]).where(TABLES["address"].c.location_id == place["location"])
        ).all()
    assert rows == [], "no street, and no empty address row in its place"
    assert OLD_STREET not in survivor_page(db_app, place["service"])
