"""HSDS values: the constraints a datapackage declares hold for CSV and JSON alike."""

from __future__ import annotations

import pytest

from webapp.directory.errors import ValueProblem
from webapp.directory.hsds import Field, tabular_layout
from webapp.directory.values import parse


def field(table: str, name: str) -> Field:
    return next(f for f in tabular_layout()[table].fields if f.name == name)


def test_the_datapackage_enums_are_read_into_the_layout():
    assert field("service", "status").enum == (
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    )
    assert field("service", "name").enum is None


def test_a_declared_pattern_must_match_the_whole_value():
    code = Field("language", "code", "string", None, False, pattern="[a-z]{2,3}")
    assert parse(code, "es") == "es"
    with pytest.raises(ValueProblem, match=r"'spa1' does not match the pattern \[a-z\]\{2,3\}"):
        parse(code, "spa1")


def test_an_empty_value_is_absent_whatever_the_constraints():
    assert parse(field("service", "status"), "") is None
    assert parse(field("phone", "number"), "") is None
