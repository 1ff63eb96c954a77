"""HSDS import and export: the official examples, round trips, broken input, re-imports."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import make_settings
from webapp import create_app
from webapp.db import session_scope
from webapp.directory import finder, hsds
from webapp.directory.errors import ImportFailed
from webapp.directory.exchange import haven, nested, store, tabular
from webapp.directory.tables import TABLES
from webapp.directory.values import parse, to_json, to_text

EXAMPLES = hsds.HSDS_DIR / "examples"


@pytest.fixture
def app(migrated_app):
    return migrated_app


def fresh_app(clock, tmp_path, name: str):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / name}"), clock=clock)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    return app


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def succeed(app, *args: str):
    """Run a command that must work: a failed import or export fails the test where it happens."""
    result = run(app, *args)
    assert result.exit_code == 0, result.output
    return result


def row_counts(app) -> dict[str, int]:
    with session_scope(app) as session:
        return {
            t: session.scalar(select(func.count()).select_from(sql)) for t, sql in TABLES.items()
        }


def as_tabular_json(archive_path) -> dict:
    """The exported CSVs as the HSDS `tabular` JSON object, for schema validation."""
    layouts = hsds.tabular_layout()
    document = {}
    with zipfile.ZipFile(archive_path) as archive:
        for name, layout in layouts.items():
            rows = csv.DictReader(archive.read(layout.path).decode().splitlines())
            fields = {field.name: field for field in layout.fields}
            document[name] = [
                {
                    k: (json.loads(v) if fields[k].type == "number" else v)
                    for k, v in row.items()
                    if v
                }
                for row in rows
            ]
    return document


def test_official_csv_examples_import_and_export_validates(app, tmp_path):
    result = run(app, "directory", "import", str(EXAMPLES / "csv"))
    assert result.exit_code == 0, result.output
    assert "imported 1 organization" in result.output
    assert "taxonomy_terms.csv, row 2, taxonomy_id" in result.output, "dangling links are reported"
    archive = tmp_path / "export.zip"
    assert run(app, "directory", "export", str(archive)).exit_code == 0
    assert hsds.validation_errors(as_tabular_json(archive), "tabular") == []
    exported = tmp_path / "export.json"
    assert run(app, "directory", "export", str(exported)).exit_code == 0
    services = json.loads(exported.read_text())
    assert len(services) == 1
    assert hsds.validation_errors(services[0], "service") == []


def test_official_json_example_imports_with_everything_nested(app, tmp_path):
    result = run(app, "directory", "import", str(EXAMPLES / "service_full.json"))
    assert result.exit_code == 0, result.output
    exported = tmp_path / "export.json"
    succeed(app, "directory", "export", str(exported))
    service = json.loads(exported.read_text())[0]
    original = json.loads((EXAMPLES / "service_full.json").read_text())
    assert service["name"] == original["name"] and service["minimum_age"] == 12
    assert service["organization"]["name"] == original["organization"]["name"]
    assert (
        service["service_at_locations"][0]["location"]["addresses"][0]["city"]
        == (original["service_at_locations"][0]["location"]["addresses"][0]["city"])
    )
    assert hsds.validation_errors(service, "service") == []


@pytest.mark.parametrize("suffix", [".zip", ".json"])
def test_export_import_export_is_identical(app, clock, tmp_path, suffix):
    succeed(app, "directory", "import", str(EXAMPLES / "csv"))
    succeed(app, "directory", "import", str(EXAMPLES / "service_full.json"))
    first = tmp_path / f"first{suffix}"
    succeed(app, "directory", "export", str(first))
    again = fresh_app(clock, tmp_path, "again.db")
    imported = run(again, "directory", "import", str(first))
    assert imported.exit_code == 0, imported.output
    second = tmp_path / f"second{suffix}"
    succeed(again, "directory", "export", str(second))
    assert row_counts(again)["service"] == row_counts(app)["service"] == 1
    assert first.read_bytes() == second.read_bytes()


def test_reimporting_the_same_data_creates_no_duplicates(app):
    succeed(app, "directory", "import", str(EXAMPLES / "csv"))
    once = row_counts(app)
    assert once["service"] == once["organization"] == 1 and once["location"] >= 1
    succeed(app, "directory", "import", str(EXAMPLES / "csv"))
    succeed(app, "directory", "import", str(EXAMPLES / "service_full.json"))
    assert row_counts(app) == once


def broken_copy(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "csv", folder)
    (folder / "datapackage.json").unlink()
    services = (folder / "services.csv").read_text().replace(",12,100,", ",twelve,100,")
    (folder / "services.csv").write_text(services)
    with open(folder / "phones.csv", "a", newline="") as phones:
        csv.writer(phones).writerow(["not-a-uuid", "", "", "", "", "", "", "", "", ""])
    addresses = (folder / "addresses.csv").read_text().splitlines()
    addresses[0] += ",colour"
    (folder / "addresses.csv").write_text("\n".join(addresses) + "\n")
    return folder


def test_a_broken_import_reports_every_problem_and_writes_nothing(app, tmp_path):
    succeed(app, "directory", "import", str(EXAMPLES / "service_full.json"))
    before = row_counts(app)
    result = run(app, "directory", "import", str(broken_copy(tmp_path)))
    assert result.exit_code != 0
    assert "services.csv, row 2, minimum_age: 'twelve' is not a number" in result.output
    assert "phones.csv, row 3, id: 'not-a-uuid' is not a UUID" in result.output
    assert "phones.csv, row 3, number: required, but empty" not in result.output, (
        "a row whose id is unreadable is reported once, by its id"
    )
    assert "addresses.csv, row 1, colour: unknown column" in result.output
    assert "nothing was imported" in result.output
    assert row_counts(app) == before


def test_missing_required_values_and_required_links_are_problems(app, tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    layout = hsds.tabular_layout()["service_at_location"]
    with open(folder / layout.path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(layout.field_names)
        writer.writerow(["e94c9f38-1e8f-4564-91d4-d53501ab1765", "", "", "a description"])
    with pytest.raises(ImportFailed) as failed:
        with session_scope(app) as session:
            store.save(session, tabular.read_datapackage(folder))
    messages = [str(problem) for problem in failed.value.problems]
    assert "service_at_location.csv, row 2, service_id: required, but empty" in messages
    assert "service_at_location.csv, row 2, location_id: required, but empty" in messages


def test_json_problems_name_the_service_and_the_path(app, tmp_path):
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    service["phones"][0]["number"] = 5551234
    service["schedules"][0]["opens_at"] = "ten o'clock"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([service]))
    messages = [str(problem) for problem in nested.read_services(broken).problems]
    assert any(m.startswith("broken.json, row 1") and "phones[0].number" in m for m in messages)


def test_values_keep_their_canonical_form():
    fields = {field.name: field for field in hsds.tabular_layout()["service"].fields}
    assert to_json(fields["minimum_age"], 12.0) == 12
    assert to_json(fields["minimum_age"], 12.5) == 12.5
    stamp = parse(fields["last_modified"], "2023-03-15T10:30:45.123Z")
    assert to_text(fields["last_modified"], stamp) == "2023-03-15T10:30:45.123Z"
    assert to_text(fields["assured_date"], parse(fields["assured_date"], "2005-01-01")) == (
        "2005-01-01"
    )


SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def with_extensions(tmp_path, translations: list[list[str]], records: list[list[str]]):
    folder = tmp_path / "extended"
    shutil.copytree(EXAMPLES / "csv", folder)
    (folder / "datapackage.json").unlink()
    for name, header, rows in (
        (
            "x_haven_translations.csv",
            ["table", "record_id", "field", "language", "value", "origin"],
            translations,
        ),
        ("x_haven_records.csv", ["table", "record_id", "source_language", "status"], records),
    ):
        with open(folder / name, "w", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
    return folder


def test_translations_and_record_settings_round_trip(app, clock, tmp_path):
    folder = with_extensions(
        tmp_path,
        [
            ["service", SERVICE_ID, "description", "es", "Consejería profesional.", "human"],
            ["service", SERVICE_ID, "eligibility_description", "ar", "للجميع من سن 12.", "machine"],
        ],
        [["service", SERVICE_ID, "en", "published"]],
    )
    assert run(app, "directory", "import", str(folder)).exit_code == 0
    first = tmp_path / "first.zip"
    succeed(app, "directory", "export", str(first))
    with zipfile.ZipFile(first) as archive:
        exported = archive.read("x_haven_translations.csv").decode()
        assert "Consejería profesional." in exported and "للجميع من سن 12." in exported
        assert f"service,{SERVICE_ID},en,published" in archive.read("x_haven_records.csv").decode()
    again = fresh_app(clock, tmp_path, "again.db")
    assert run(again, "directory", "import", str(first)).exit_code == 0
    second = tmp_path / "second.zip"
    succeed(again, "directory", "export", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_names_and_phone_numbers_are_never_translated(app, tmp_path):
    folder = with_extensions(
        tmp_path,
        [
            ["service", SERVICE_ID, "name", "es", "Consejería comunitaria", "human"],
            ["phone", "a6ed2f8d-5a24-4b12-a1e3-6a4c6b3f1c11", "number", "es", "555", "human"],
            ["service", "00000000-0000-4000-8000-000000000000", "description", "es", "x", "human"],
            ["service", SERVICE_ID, "description", "de", "Beratung", "human"],
        ],
        [["service", SERVICE_ID, "en", "hidden"]],
    )
    result = run(app, "directory", "import", str(folder))
    assert result.exit_code != 0
    assert "x_haven_translations.csv, row 2, field: service.name is not a translatable" in (
        result.output
    )
    assert "x_haven_translations.csv, row 3, field: phone.number is not a translatable" in (
        result.output
    )
    assert "x_haven_translations.csv, row 4, record_id: no service" in result.output
    assert "x_haven_translations.csv, row 5, language: 'de' is not one of" in result.output
    assert "x_haven_records.csv, row 2, status: 'hidden' is not one of published, draft" in (
        result.output
    )
    assert row_counts(app)["service"] == 0


def extension_files(archive_path) -> dict[str, str]:
    with zipfile.ZipFile(archive_path) as archive:
        return {name: archive.read(name).decode() for name in haven.FILES}


def test_json_carries_drafts_and_translations_to_another_haven(app, clock, tmp_path):
    assert run(app, "seed").exit_code == 0
    exported = tmp_path / "directory.json"
    succeed(app, "directory", "export", str(exported))
    services = json.loads(exported.read_text())
    assert all(hsds.validation_errors(service, "service") == [] for service in services)
    drafts = [s for s in services if s.get("x_haven", {}).get("status") == "draft"]
    assert drafts, "the seed's draft service says it is a draft"
    again = fresh_app(clock, tmp_path, "again.db")
    imported = run(again, "directory", "import", str(exported))
    assert imported.exit_code == 0, imported.output
    for source, name in ((app, "source.zip"), (again, "copy.zip")):
        done = run(source, "directory", "export", str(tmp_path / name))
        assert done.exit_code == 0, done.output
    original, copy = (
        extension_files(tmp_path / "source.zip"),
        extension_files(tmp_path / "copy.zip"),
    )
    assert copy[haven.RECORDS_FILE] == original[haven.RECORDS_FILE]
    assert copy[haven.TRANSLATIONS_FILE] == original[haven.TRANSLATIONS_FILE]
    draft = again.test_client().get(f"/api/hsds/services/{drafts[0]['id']}")
    assert draft.status_code == 404, "a draft stays unpublished after the move"


@pytest.mark.parametrize("suffix", [".zip", ".json"])
def test_the_seed_with_its_bed_counts_round_trips(app, clock, tmp_path, suffix):
    assert run(app, "seed").exit_code == 0
    first = tmp_path / f"first{suffix}"
    succeed(app, "directory", "export", str(first))
    again = fresh_app(clock, tmp_path, "again.db")
    imported = run(again, "directory", "import", str(first))
    assert imported.exit_code == 0, imported.output
    assert row_counts(again)["service_capacity"] == 4 and row_counts(again)["unit"] == 1
    second = tmp_path / f"second{suffix}"
    succeed(again, "directory", "export", str(second))
    assert first.read_bytes() == second.read_bytes()
    if suffix == ".json":
        services = json.loads(first.read_text())
        capacities = [c for s in services for c in s.get("capacities", [])]
        assert len(capacities) == 4 and all(c["unit"]["name"] == "Bed" for c in capacities)
        for capacity in capacities:
            plain = {k: v for k, v in capacity.items() if k != "x_haven"}
            assert hsds.validation_errors(plain, "service_capacity") == []
    else:
        with zipfile.ZipFile(first) as archive:
            listed = {r["path"] for r in json.loads(archive.read("datapackage.json"))["resources"]}
            assert {"units.csv", "service_capacity.csv"} <= listed <= set(archive.namelist())


def test_json_extension_problems_name_the_path(app, tmp_path):
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    service["x_haven"] = {
        "status": "hidden",
        "translations": [
            {"field": "name", "language": "es", "value": "Nombre", "origin": "human"},
            {"field": "description", "language": "es", "value": "Texto", "origin": "guess"},
        ],
        "colour": "red",
    }
    service["phones"][0]["x_haven"] = {"visibility": "hidden"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([service]))
    result = run(app, "directory", "import", str(broken))
    assert result.exit_code != 0
    for expected in (
        "broken.json, row 1, x_haven.status: 'hidden' is not one of published, draft",
        "broken.json, row 1, x_haven.translations[0].field: service.name is not a translatable",
        "broken.json, row 1, x_haven.translations[1].origin: 'guess' is not one of",
        "broken.json, row 1, x_haven.colour: not a Haven field",
        "broken.json, row 1, phones[0].x_haven.visibility: only on a location",
    ):
        assert expected in result.output
    assert row_counts(app)["service"] == 0


SEED = hsds.HSDS_DIR.parent / "seed"


def confidential_places() -> tuple[list[str], set[tuple[float, float]]]:
    """The street addresses and exact points of the seed's confidential shelters."""
    with open(SEED / "x_haven_location_privacy.csv", newline="") as handle:
        hidden = {row["location_id"] for row in csv.DictReader(handle)}
    with open(SEED / "addresses.csv", newline="") as handle:
        streets = [r["address_1"] for r in csv.DictReader(handle) if r["location_id"] in hidden]
    with open(SEED / "locations.csv", newline="") as handle:
        points = {
            (float(r["latitude"]), float(r["longitude"]))
            for r in csv.DictReader(handle)
            if r["id"] in hidden and r["latitude"]
        }
    return streets, points


def exported_points(archive_path) -> set[tuple[float, float]]:
    with zipfile.ZipFile(archive_path) as archive:
        rows = csv.DictReader(archive.read("locations.csv").decode().splitlines())
        return {(float(r["latitude"]), float(r["longitude"])) for r in rows if r["latitude"]}


def test_seed_loads_national_hotlines_and_a_demo_region_and_keeps_shelters_apart(app, tmp_path):
    result = run(app, "seed")
    assert result.exit_code == 0, result.output
    assert run(app, "seed").exit_code == 0, "seeding twice changes nothing"
    assert row_counts(app)["service"] >= 50
    exported = tmp_path / "all.json"
    succeed(app, "directory", "export", str(exported))
    services = json.loads(exported.read_text())
    assert all(hsds.validation_errors(service, "service") == [] for service in services)
    text = exported.read_text()
    assert "1-800-799-7233" in text and "988" in text
    succeed(app, "directory", "export", str(tmp_path / "all.zip"))
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        text += "".join(archive.read(name).decode() for name in archive.namelist())
    streets, points = confidential_places()
    assert len(streets) >= 4 and len(points) >= 4
    for street in streets:
        assert street not in text, street
    assert not points & exported_points(tmp_path / "all.zip")
    json_points = {
        (location["latitude"], location["longitude"])
        for service in services
        for link in service.get("service_at_locations", [])
        if "latitude" in (location := link["location"])
    }
    assert not points & json_points


def honolulu_service(byday: str, postal_code: str = "96813") -> dict:
    """A service open 09:00-17:00 on `byday`, at a place with this ZIP code (its zone)."""
    ids = iter(f"7a1b2c3d-0000-4000-8000-00000000000{n}" for n in range(10))
    service_id, organization_id, location_id = next(ids), next(ids), next(ids)
    return {
        "id": service_id,
        "name": "Island helpline",
        "status": "active",
        "organization": {"id": organization_id, "name": "Island Aid", "description": "Aid."},
        "schedules": [
            {
                "id": next(ids),
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": "09:00",
                "closes_at": "17:00",
            }
        ],
        "service_at_locations": [
            {
                "id": next(ids),
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": next(ids),
                            "address_1": "1 Aloha Way",
                            "city": "Honolulu",
                            "region": "HI",
                            "state_province": "HI",
                            "postal_code": postal_code,
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def open_now_ids(app, at) -> set[str]:
    with session_scope(app) as session:
        answer = finder.find(
            session, finder.Query(open_now=True), locale="en", now=at, time_zone="America/Chicago"
        )
        return {result.id for result in answer.results}


def test_imported_hours_are_read_in_the_zone_of_their_place(app, tmp_path):
    feed = tmp_path / "island.json"
    service = honolulu_service("MO")
    feed.write_text(json.dumps([service]))
    succeed(app, "directory", "import", str(feed))
    # Monday 2027-01-11, 20:00 UTC: 10:00 in Honolulu, 14:00 in Chicago; 01:00 UTC: 15:00 in
    # Honolulu and 19:00 in Chicago.
    monday_morning, monday_evening = (
        datetime(2027, 1, 11, 20, tzinfo=UTC),
        datetime(2027, 1, 12, 1, tzinfo=UTC),
    )
    assert open_now_ids(app, monday_evening) == {service["id"]}
    feed.write_text(json.dumps([honolulu_service("TU")]))
    succeed(app, "directory", "import", str(feed))
    assert open_now_ids(app, monday_morning) == set(), "the new days replace the old"
    feed.write_text(json.dumps([honolulu_service("MO", postal_code="60614")]))
    succeed(app, "directory", "import", str(feed))
    assert open_now_ids(app, monday_evening) == set(), "a Chicago place: closed at 19:00"
    assert open_now_ids(app, monday_morning) == {service["id"]}


@pytest.mark.parametrize("table", ["service", "organization", "service_at_location", "taxonomy"])
def test_nested_tables_are_read_after_every_table_they_are_nested_in(table):
    order = nested.reachable(table)
    assert order[0] == table and len(set(order)) == len(order)
    for child, links in nested.parents(table).items():
        for parent, _child_column, _parent_column in links:
            assert order.index(parent) < order.index(child), (parent, child)
