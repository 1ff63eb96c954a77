"""Directory input written outside Haven: every fault is a problem naming file, row and field.

Nothing is written when anything is wrong, and no input ends in a traceback: a file that is not
UTF-8, a value past the CSV reader's size limit, a quote never closed or closed a row too late,
values outside the datapackage's enums, numbers nobody can call.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from sqlalchemy import func, select

from webapp.directory import hsds
from webapp.directory.tables import TABLES

EXAMPLES = hsds.HSDS_DIR / "examples"
SEED = hsds.HSDS_DIR.parent / "seed"


@pytest.fixture
def app(migrated_app):
    return migrated_app


def import_path(app, path) -> str:
    """Import `path`, which must fail cleanly: a problem list, never a traceback."""
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in result.output
    return result.output


def stored(app, table: str) -> int:
    with app.extensions["db.sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(TABLES[table]))


def copy_of(source, tmp_path):
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder


def rewrite_row(path, number: int, change) -> None:
    """Change data row `number` (the header is row 1) of a CSV file with `change(row) -> row`."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[number - 1] = change(dict(zip(rows[0], rows[number - 1], strict=True))).values()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_a_file_that_is_not_utf8_is_a_problem_naming_its_row(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    text = text.replace("Community Counselling", "Community’s Counselling", 1)
    (folder / "services.csv").write_bytes(text.encode("cp1252"))
    output = import_path(app, folder)
    assert "services.csv, row 2: byte 0x92 is not UTF-8; save the file as UTF-8" in output
    assert stored(app, "organization") == 0


def test_a_value_past_the_csv_size_limit_is_a_problem(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / "services.csv", 2, lambda row: row | {"description": "x" * 200_000})
    output = import_path(app, folder)
    assert "services.csv, row 2: a value is longer than 131072 characters" in output
    assert stored(app, "organization") == 0


def test_a_quote_never_closed_is_a_problem(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    with open(folder / "phones.csv", "a", encoding="utf-8") as handle:
        handle.write('a6ed2f8d-5a24-4b12-a1e3-6a4c6b3f1c11,,,,,,"217-555-0100,,voice,Desk\n')
    output = import_path(app, folder)
    assert "phones.csv, row 3: a quote opened in this row is never closed" in output
    assert stored(app, "phone") == 0


# The seed's first confidential shelter, and the service before it in services.csv.
SHELTER = "dfbec449-5a84-43b1-aae1-7c193a0f011d"
BEFORE_SHELTER = "206c82d2-90b3-4b07-ad2e-3e115431cf00"


def seed_with_a_misplaced_quote(tmp_path, opened_in: str, closed) -> tuple:
    """The seed with a quote opened before the status of service `opened_in` and closed in
    the next row by `closed(line)`; returns the folder and the row the quote opened in."""
    folder = copy_of(SEED, tmp_path)
    lines = (folder / "services.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith(opened_in))
    lines[number - 1] = lines[number - 1].replace(",active,", ',"active,', 1)
    lines[number] = closed(lines[number])
    (folder / "services.csv").write_text("".join(lines), encoding="utf-8")
    return folder, number


def test_a_quote_closed_a_row_too_late_is_a_problem_not_a_lost_shelter(app, tmp_path):
    """The quote closes cleanly in the next row, which held a confidential shelter: the old
    reader made one service of the two, and the shelter left survivor search without a word."""
    folder, number = seed_with_a_misplaced_quote(
        tmp_path,
        BEFORE_SHELTER,
        lambda line: line.replace("Emergency shelter,", 'Emergency shelter",'),
    )
    output = import_path(app, folder)
    assert (
        f"services.csv, row {number}: a value runs into the next row: "
        "a quote is not closed where it should be"
    ) in output
    assert "no service" not in output, "links into the unreadable file are not reported"
    assert stored(app, "service") == 0


def test_a_shelters_status_running_into_the_next_row_is_a_problem(app, tmp_path):
    """The quote opened in the shelter's status closes at the next row's first quote."""
    folder, number = seed_with_a_misplaced_quote(tmp_path, SHELTER, lambda line: line)
    output = import_path(app, folder)
    assert f"services.csv, row {number}: a quote ends inside a value" in output
    assert stored(app, "service") == 0


def test_rows_with_more_or_fewer_values_than_the_header_are_problems(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    with open(folder / "phones.csv", "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["a6ed2f8d-5a24-4b12-a1e3-6a4c6b3f1c11", "", "", "", "", "", "217-555-0100"]]
        )
    output = import_path(app, folder)
    assert "phones.csv, row 3: 7 values, but the header has 10 columns" in output


@pytest.mark.parametrize(
    ("file", "field", "value", "allowed"),
    [
        ("services.csv", "status", "open", "active, inactive, defunct, temporarily closed"),
        ("locations.csv", "location_type", "building", "physical, postal, virtual"),
        ("addresses.csv", "address_type", "home", "physical, postal, virtual"),
        ("schedules.csv", "freq", "DAILY", "WEEKLY, MONTHLY"),
        ("schedules.csv", "wkst", "monday", "MO, TU, WE, TH, FR, SA, SU"),
    ],
)
def test_tabular_values_keep_to_the_datapackage_enums(app, tmp_path, file, field, value, allowed):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / file, 2, lambda row: row | {field: value})
    output = import_path(app, folder)
    assert f"{file}, row 2, {field}: {value!r} is not one of {allowed}" in output
    assert stored(app, "service") == 0


def test_a_runaway_value_is_shown_cut_short(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / "services.csv", 2, lambda row: row | {"status": "active " * 30})
    output = import_path(app, folder)
    assert "services.csv, row 2, status: 'active active active" in output
    assert "(210 characters) is not one of active," in output


def test_tabular_emails_are_checked_as_json_ones_are(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / "services.csv", 2, lambda row: row | {"email": "counselling"})
    output = import_path(app, folder)
    assert "services.csv, row 2, email: 'counselling' is not an email address" in output


@pytest.mark.parametrize("number", ["call us!! (not a phone)", "555-0100", "+1 555 0100 999"])
def test_a_phone_number_nobody_can_call_is_a_problem_in_csv(app, tmp_path, number):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / "phones.csv", 2, lambda row: row | {"number": number})
    output = import_path(app, folder)
    assert f"phones.csv, row 2, number: {number!r} is not a" in output
    assert stored(app, "phone") == 0


def test_a_phone_number_nobody_can_call_is_a_problem_in_json(app, tmp_path):
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    service["phones"][0]["number"] = "call us!! (not a phone)"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([service]))
    output = import_path(app, broken)
    assert (
        "broken.json, row 1, phones[0].number: 'call us!! (not a phone)' is not a phone number"
    ) in output


@pytest.mark.parametrize("number", ["217-555-0142", "+1 (217) 555-0142", "988", "88788"])
def test_numbers_as_people_write_them_and_short_codes_are_kept_as_written(app, tmp_path, number):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    rewrite_row(folder / "phones.csv", 2, lambda row: row | {"number": number})
    result = app.test_cli_runner().invoke(args=["directory", "import", str(folder)])
    assert result.exit_code == 0, result.output
    with app.extensions["db.sessionmaker"]() as session:
        assert session.scalars(select(TABLES["phone"].c.number)).all() == [number]


def test_an_extension_file_without_a_column_it_needs_is_a_problem(app, tmp_path):
    folder = copy_of(EXAMPLES / "csv", tmp_path)
    with open(folder / "x_haven_translations.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["table", "field", "language", "value", "origin"]]
            + [["service", "description", "es", "Consejería.", "human"]]
        )
    output = import_path(app, folder)
    assert "x_haven_translations.csv, row 1, record_id: required column is missing" in output
