"""The vendored HSDS 3 reference files: JSON Schema validation and the tabular layout.

HSDS 3.0 (`resources/hsds/`) plus two tables of HSDS 3.1 (`resources/hsds-3.1/`): a service's
`capacities` (`service_capacity`) and their `unit`, which survivors need for shelter beds.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

HSDS_DIR = Path(__file__).resolve().parents[2] / "resources" / "hsds"
SCHEMA_DIR = HSDS_DIR / "schema"
HSDS_3_1_DIR = HSDS_DIR.parent / "hsds-3.1"
# Where HSDS 3.1 nests its additions in objects 3.0 already has: (property, table, is a list).
NESTED_3_1 = {"service": [("capacities", "service_capacity", True)]}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Field:
    """One column of an HSDS table, as the datapackage declares it (its Table Schema field)."""

    table: str
    name: str
    type: str
    format: str | None
    required: bool
    enum: tuple[str, ...] | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One HSDS table: its CSV file, its columns in order and its keys."""

    name: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


def schema_names() -> list[str]:
    """The names `validation_errors` accepts: per-object schemas, then the compiled ones."""
    return [uri.removesuffix(".json") for uri in _schema_files()]


@functools.cache
def _schema_files() -> dict[str, Path]:
    # The files declare no $id and refer to each other by bare file name ("phone.json"), the
    # compiled tabular.json included, so all of them share one flat namespace of file names.
    paths = sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("compiled/*.json"))
    paths += sorted((HSDS_3_1_DIR / "schema").glob("*.json"))
    return {path.name: path for path in paths if path.name != "openapi.json"}


def object_schema(name: str) -> dict:
    """The JSON Schema of one HSDS object, e.g. `service` or (from HSDS 3.1) `unit`."""
    return _read_json(_schema_files()[_schema_uri(name)])


@functools.cache
def schema_registry() -> Registry:
    """Every vendored schema, under its file name; none of them declares `$schema`.

    HSDS's openapi.json sets `jsonSchemaDialect` to Draft 2020-12, so that is the dialect.
    """
    resources = (
        (uri, DRAFT202012.create_resource(_read_json(path)))
        for uri, path in _schema_files().items()
    )
    return Registry().with_resources(resources).crawl()


def _schema_uri(schema_name: str) -> str:
    uri = f"{schema_name}.json"
    if uri not in _schema_files():
        raise ValueError(f"unknown HSDS schema {schema_name!r}")
    return uri


def validation_errors(instance: object, schema_name: str) -> list[str]:
    """Every way `instance` breaks the named HSDS schema, as "path: problem" lines."""
    schema = schema_registry().contents(_schema_uri(schema_name))
    return _messages(_validator(schema).iter_errors(instance))


def page_validation_errors(page: object, item_schema_name: str) -> list[str]:
    """Problems with an API `Page` envelope and with each item of its `contents`.

    The list endpoints in openapi.json use the compiled item schemas (`service_list`,
    `organization_list`, `service_at_location_list`) or the plain ones (`taxonomy`,
    `taxonomy_term`). `contents` is required here, though openapi.json leaves it optional.
    """
    item_uri = _schema_uri(item_schema_name)
    schema = {
        "allOf": [_openapi()["components"]["schemas"]["Page"]],
        "properties": {
            "contents": {"type": "array", "items": {"$ref": item_uri}},
        },
        "required": ["contents"],
    }
    return _messages(_validator(schema).iter_errors(page))


def tabular_layout() -> dict[str, Table]:
    """The 21 HSDS 3.0 tables then HSDS 3.1's `unit` and `service_capacity`, by resource name,
    in the datapackages' order (not dependency order)."""
    return dict(_tables())


@functools.cache
def _tables() -> dict[str, Table]:
    return {resource["name"]: _table(resource) for resource in descriptor()["resources"]}


@functools.cache
def _descriptor_text() -> str:
    package = _read_json(HSDS_DIR / "datapackage.json")
    package["resources"] += _read_json(HSDS_3_1_DIR / "datapackage.json")["resources"]
    return json.dumps(package, indent=4, ensure_ascii=False) + "\n"


def descriptor() -> dict:
    """The datapackage.json exports carry: HSDS 3.0's, with the HSDS 3.1 tables appended."""
    return json.loads(_descriptor_text())


def descriptor_bytes() -> bytes:
    return _descriptor_text().encode("utf-8")


def _table(resource: dict) -> Table:
    schema = resource["schema"]
    return Table(
        name=resource["name"],
        path=resource["path"],
        fields=tuple(_field(resource["name"], field) for field in schema["fields"]),
        primary_key=_names(schema["primaryKey"]),
        foreign_keys=tuple(
            ForeignKey(
                fields=_names(key["fields"]),
                resource=key["reference"]["resource"],
                reference_fields=_names(key["reference"]["fields"]),
            )
            for key in schema.get("foreignKeys", [])
        ),
    )


def _field(table: str, field: dict) -> Field:
    constraints = field.get("constraints", {})
    return Field(
        table=table,
        name=field["name"],
        type=field["type"],
        format=field.get("format"),
        required=constraints.get("required", False),
        enum=tuple(constraints["enum"]) if "enum" in constraints else None,
        pattern=constraints.get("pattern"),
    )


def _names(value: str | list[str]) -> tuple[str, ...]:
    # Table Schema allows a single field name or a list of them for keys.
    return (value,) if isinstance(value, str) else tuple(value)


def _validator(schema: dict) -> Draft202012Validator:
    # Of the formats HSDS uses, uuid and email are checked; date-time and uri are checked only
    # when rfc3339-validator and rfc3987 are installed, and pass unchecked otherwise.
    return Draft202012Validator(
        schema,
        registry=schema_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _messages(errors: Iterable[ValidationError]) -> list[str]:
    return [f"{_path(error.absolute_path)}: {error.message}" for error in errors]


def _path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif IDENTIFIER.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text or "(root)"


@functools.cache
def _openapi() -> dict:
    return _read_json(SCHEMA_DIR / "openapi.json")


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
