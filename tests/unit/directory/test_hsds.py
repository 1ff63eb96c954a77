"""HSDS validation and tabular layout, checked against the official examples in resources/."""

from __future__ import annotations

import copy
import csv
import json

import pytest
from jsonschema import Draft202012Validator

from webapp.directory.hsds import (
    HSDS_3_1_DIR,
    HSDS_DIR,
    SCHEMA_DIR,
    page_validation_errors,
    schema_names,
    schema_registry,
    tabular_layout,
    validation_errors,
)

EXAMPLES = HSDS_DIR / "examples"


def example(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


@pytest.mark.parametrize(
    ("file_name", "schema_name"),
    [
        ("service_full.json", "service"),
        ("service_full.json", "service_with_definitions"),
        ("organization_full.json", "organization"),
        ("location.json", "location"),
        ("service_at_location_full.json", "service_at_location"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_official_object_examples_validate(file_name, schema_name):
    assert validation_errors(example(file_name), schema_name) == []


@pytest.mark.parametrize(
    ("file_name", "item_schema"),
    [
        ("service_list.json", "service_list"),
        ("organization_list.json", "organization_list"),
        ("service_at_location_list.json", "service_at_location_list"),
        ("taxonomy_list.json", "taxonomy"),
        ("taxonomy_term_list.json", "taxonomy_term"),
    ],
)
def test_official_page_examples_validate(file_name, item_schema):
    page = example(file_name)
    assert page["contents"]
    assert page_validation_errors(page, item_schema) == []


def test_official_base_example_matches_the_api_root_response():
    openapi = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    root = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    validator = Draft202012Validator(root["schema"])
    assert list(validator.iter_errors(example("base.json"))) == []


def test_official_tabular_example_has_two_upstream_type_errors():
    """examples/tabular.json keys its tables by CSV file while compiled/tabular.json keys them
    by resource name, so as shipped it validates without checking anything. Keyed by resource
    name, two identifiers are JSON numbers where the schemas want strings: an upstream defect."""
    tabular = example("tabular.json")
    by_path = {table.path: name for name, table in tabular_layout().items()}
    assert set(tabular) == set(by_path) - {"units.csv", "service_capacity.csv"}  # HSDS 3.1
    rekeyed = {by_path[path]: rows for path, rows in tabular.items()}
    assert validation_errors(rekeyed, "tabular") == [
        "location[0].external_identifier: 10092008082 is not of type 'string'",
        "organization_identifier[0].identifier: 1234567 is not of type 'string'",
    ]


def test_broken_service_names_each_path_and_field():
    service = example("service_full.json")
    broken = copy.deepcopy(service)
    del broken["name"]
    broken["status"] = "open"
    broken["phones"][0]["number"] = 5
    del broken["phones"][0]["id"]
    broken["organization"]["email"] = 3
    broken["schedules"][0]["id"] = "not-a-uuid"

    errors = validation_errors(broken, "service")

    assert sorted(errors) == sorted(
        [
            "(root): 'name' is a required property",
            "status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
            "phones[0].number: 5 is not of type 'string'",
            "phones[0]: 'id' is a required property",
            "organization.email: 3 is not of type 'string'",
            "schedules[0].id: 'not-a-uuid' is not a 'uuid'",
        ]
    )
    assert validation_errors(service, "service") == []


def test_broken_page_names_envelope_and_item_problems():
    page = example("taxonomy_list.json")
    page["total_items"] = "ten"
    del page["contents"][0]["name"]

    assert page_validation_errors(page, "taxonomy") == [
        "total_items: 'ten' is not of type 'integer'",
        "contents[0]: 'name' is a required property",
    ]
    assert page_validation_errors({"total_items": 0}, "taxonomy") == [
        "(root): 'contents' is a required property"
    ]


def test_unknown_schema_name_is_refused():
    with pytest.raises(ValueError, match="shelter"):
        validation_errors({}, "shelter")
    with pytest.raises(ValueError, match="shelter"):
        page_validation_errors({"contents": []}, "shelter")


def test_every_vendored_schema_is_draft_2020_12_and_every_ref_resolves_offline():
    registry = schema_registry()
    paths = sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("compiled/*.json"))
    paths += sorted((HSDS_3_1_DIR / "schema").glob("*.json"))
    schema_paths = [path for path in paths if path.name != "openapi.json"]
    assert [path.stem for path in schema_paths] == schema_names()
    for path in schema_paths:
        uri = path.name
        schema = registry.contents(uri)
        Draft202012Validator.check_schema(schema)
        resolver = registry.resolver(base_uri=uri)
        for ref in refs(schema):
            assert resolver.lookup(ref).contents, (uri, ref)


def test_layout_lists_the_21_tables_then_the_two_of_hsds_3_1():
    layout = tabular_layout()
    csv_files = {path.name for path in (EXAMPLES / "csv").glob("*.csv")}

    assert len(layout) == 23
    assert {table.path for table in layout.values()} == csv_files | {
        "units.csv",
        "service_capacity.csv",
    }
    capacity = layout["service_capacity"]
    assert {key.resource for key in capacity.foreign_keys} == {"service", "unit"}
    assert [f.name for f in capacity.fields if f.required] == [
        "id",
        "service_id",
        "unit_id",
        "available",
        "updated",
    ]
    assert layout["service"].path == "services.csv"
    assert layout["service_at_location"].path == "service_at_location.csv"
    assert all(table.primary_key == ("id",) for table in layout.values())
    assert layout["service"].field_names[:4] == ("id", "organization_id", "program_id", "name")
    last_modified = layout["service"].fields[-1]
    assert (last_modified.name, last_modified.type, last_modified.required) == (
        "last_modified",
        "datetime",
        False,
    )
    assert layout["organization"].fields[0].format == "uuid"


HSDS_3_1_TABLES = ("unit", "service_capacity")  # no 3.0 example files for these


@pytest.mark.parametrize("table_name", [t for t in tabular_layout() if t not in HSDS_3_1_TABLES])
def test_example_csv_header_follows_the_layout(table_name):
    table = tabular_layout()[table_name]
    with (EXAMPLES / "csv" / table.path).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == table.field_names


def test_layout_agrees_with_the_object_schemas():
    registry = schema_registry()
    for name, table in tabular_layout().items():
        schema = registry.contents(f"{name}.json")
        columns = [
            key
            for key, prop in schema["properties"].items()
            if prop.get("type") not in ("array", "object") and "$ref" not in prop
        ]
        required = set(schema.get("required", [])) | set(schema.get("tabular_required", []))
        # A required nested object (3.1's capacity `unit`) is its required `_id` in a table.
        required -= {key for key, prop in schema["properties"].items() if "$ref" in prop}
        assert list(table.field_names) == columns, name
        assert {field.name for field in table.fields if field.required} == required, name


def test_foreign_keys_point_at_existing_tables_and_fields():
    layout = tabular_layout()
    phone_targets = {key.resource for key in layout["phone"].foreign_keys}
    assert phone_targets == {
        "contact",
        "location",
        "organization",
        "service",
        "service_at_location",
    }
    for table in layout.values():
        for key in table.foreign_keys:
            assert set(key.fields) <= set(table.field_names), table.name
            assert set(key.reference_fields) <= set(layout[key.resource].field_names), table.name


def test_layout_is_a_fresh_dict_each_time():
    layout = tabular_layout()
    layout.pop("service")
    assert "service" in tabular_layout()
