"""Directory import and export in Open Referral HSDS 3: the tabular datapackage and JSON.

Both formats go through the same records: read and checked completely first, then written in
one transaction, or not at all. Writing upserts by id, so importing the same data twice changes
nothing; exporting writes every field in a canonical form, so export -> import -> export is
identical.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from webapp.directory.errors import Problem, Unreadable


@dataclass
class Record:
    """One row for one HSDS table, with where it came from (for problem reports)."""

    table: str
    values: dict
    file: str
    row: int | None
    prefix: str = ""
    invalid: set = field(default_factory=set)

    def problem(self, field_name: str, reason: str) -> Problem:
        return Problem(self.file, self.row, self.prefix + field_name, reason)


@dataclass
class Batch:
    """What a reader found: the records, and every problem in the input so far."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Haven's extension: location id -> (visibility, public area) asked for by the input.
    privacy: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # Haven's extension files, as (file, row number, row) for problem reports.
    translations: list[tuple] = field(default_factory=list)
    settings: list[tuple] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        """Whether some row or file could not be read."""
        return any(isinstance(problem, Unreadable) for problem in self.problems)


PRIVACY = "x_haven_location_privacy"
EXTENSION_FILES = "x_haven_files"
VISIBILITIES = ("public", "area_only", "hidden")


def privacy_problem(location_id: object, visibility: object) -> tuple[str, str] | None:
    """What is wrong with a confidentiality entry, as (field, reason), or None."""
    try:
        uuid.UUID(str(location_id))
    except ValueError:
        return "location_id", f"{location_id!r} is not a UUID"
    if visibility not in VISIBILITIES:
        return "visibility", f"{visibility!r} is not one of {', '.join(VISIBILITIES)}"
    return None


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV as every export writes it: a header, then rows, CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


# A line inside a value that starts like a row of an HSDS table (each begins with its id): the
# value's opening quote was not closed where it should have been, and swallowed the next row.
NEXT_ROW = re.compile(r'[\r\n]"?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}"?,')


def decode(file: str, data: bytes, problems: list[Problem]) -> str | None:
    """The text of a CSV file, or None with a problem naming the row where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(before, newline="")))
        row = len(rows) + (1 if not before or before.endswith(("\n", "\r")) else 0)
        byte = data[error.start]
        problems.append(
            Unreadable(file, row, None, f"byte 0x{byte:02x} is not UTF-8; save the file as UTF-8")
        )
        return None


def csv_rows(
    file: str, text: str, problems: list[Problem], *, rows_start_with_id: bool = False
) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and each well-formed data row with its row number (the header is row 1).

    A row with more or fewer values than the header, or (`rows_start_with_id`) with a value that
    runs into the next row, is a problem and left out; so is all that follows a row the CSV
    reader cannot read (a quote never closed, a value past its size limit).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[int, dict]] = []
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            if number == 1:
                header = values
            elif values and (reason := _misshapen(values, header, rows_start_with_id)):
                problems.append(Unreadable(file, number, None, reason))
            elif values:
                rows.append((number, dict(zip(header, values, strict=True))))
    except csv.Error as error:  # raised while reading the row after the last one numbered
        problems.append(Unreadable(file, number + 1, None, _unreadable(error)))
    return header, rows


def _misshapen(values: list[str], header: list[str], rows_start_with_id: bool) -> str | None:
    if rows_start_with_id and any(NEXT_ROW.search(value) for value in values):
        return "a value runs into the next row: a quote is not closed where it should be"
    if len(values) != len(header):
        return f"{len(values)} values, but the header has {len(header)} columns"
    return None


def _unreadable(error: csv.Error) -> str:
    message = str(error)
    if "field limit" in message:
        return (
            f"a value is longer than {csv.field_size_limit()} characters "
            "(is a quote left open here?); nothing after it was read"
        )
    if "unexpected end of data" in message:
        return "a quote opened in this row is never closed"
    if "expected after" in message:
        return (
            "a quote ends inside a value: a quote opened in this row is not closed where it "
            "should be, or a quote inside a value is not doubled; nothing after it was read"
        )
    return f"not valid CSV ({message}); nothing after it was read"
