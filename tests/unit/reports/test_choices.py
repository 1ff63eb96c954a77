"""The areas a report may name: the deployment's file, checked before the app starts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_settings
from webapp import create_app
from webapp.reports import choices
from webapp.settings import SettingsError


def areas_file(tmp_path: Path, document: object, name: str = "areas.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def listing(*pairs: tuple[object, object]) -> dict:
    return {"areas": [{"code": code, "name": name} for code, name in pairs]}


def test_the_shipped_file_is_sound_and_offered_with_the_forms_own_choices():
    assert choices.areas_file_problems() == []
    offered = choices.areas()
    assert list(offered)[0] == "springfield-downtown" and offered["chatham"] == "Chatham"
    assert list(offered)[-2:] == ["elsewhere", "unsaid"]


def test_a_sound_file_is_read_in_its_order(tmp_path):
    path = areas_file(tmp_path, listing(("b-side", " Bayside "), ("a_town", "Aldermoor")))
    assert choices.areas_file_problems(path) == []
    assert list(choices.areas(path).items())[:2] == [("b-side", "Bayside"), ("a_town", "Aldermoor")]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            listing(("north", "North"), ("north", "North again")),
            "code 'north' is used more than once",
        ),
        (listing(("north", "")), "area 1: name must not be empty"),
        (listing(("north", "North"), ("south", "   ")), "area 2: name must not be empty"),
        (listing(("north", None)), "area 1: name must not be empty"),
        (listing(("", "North")), "area 1: code must be 1 to 32"),
        (listing(("North Side", "North")), "area 1: code must be 1 to 32"),
        (listing(("n" * 33, "North")), "area 1: code must be 1 to 32"),
        (listing((7, "North")), "area 1: code must be 1 to 32"),
        (listing(("unsaid", "Unsaid")), "is one of the form's own choices"),
        (listing(("north", "N" * 101)), "name is longer than 100 characters"),
        (listing(*[(f"a{n}", f"Area {n}") for n in range(501)]), "lists 501 areas, at most 500"),
        ({"areas": []}, '"areas" is a list of areas'),
        ({"areas": "north"}, '"areas" is a list of areas'),
        ([{"code": "north", "name": "North"}], '"areas" is a list of areas'),
        ({"areas": ["north"]}, "area 1: code must be"),
    ],
)
def test_a_bad_file_is_explained(tmp_path, document, problem):
    path = areas_file(tmp_path, document)
    found = choices.areas_file_problems(path)
    assert found and all(p.startswith(f"REPORT_AREAS_FILE {path}: ") for p in found)
    assert any(problem in p for p in found), found


def test_a_file_that_is_missing_or_not_json_is_explained(tmp_path):
    missing = tmp_path / "nowhere.json"
    assert choices.areas_file_problems(missing) == [
        f"REPORT_AREAS_FILE {missing}: cannot be read (No such file or directory)"
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('{"areas": [', encoding="utf-8")
    assert "is not JSON in UTF-8" in choices.areas_file_problems(broken)[0]
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"areas": [{"code": "a", "name": "Bég"}]}'.encode("latin-1"))
    assert "is not JSON in UTF-8" in choices.areas_file_problems(latin)[0]


def test_the_app_refuses_to_start_with_a_bad_areas_file(tmp_path):
    path = areas_file(tmp_path, listing(("north", "North"), ("north", "")))
    with pytest.raises(SettingsError) as refused:
        create_app(make_settings(report_areas_file=str(path)))
    assert refused.value.problems == [
        f"REPORT_AREAS_FILE {path}: area 2: code 'north' is used more than once",
        f"REPORT_AREAS_FILE {path}: area 2: name must not be empty",
    ]
    with pytest.raises(SettingsError, match="cannot be read"):
        create_app(replace(make_settings(), report_areas_file=str(tmp_path / "gone.json")))
