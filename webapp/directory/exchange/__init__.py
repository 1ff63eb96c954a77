"""Directory import and export in Open Referral HSDS 3: the tabular datapackage and JSON.

Both formats go through the same records: read and checked completely first, then written in
one transaction, or not at all. Writing upserts by id, so importing the same data twice changes
nothing; exporting writes every field in a canonical form, so export -> import -> export is
identical.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from webapp.directory.errors import Problem


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


def csv_rows(text: str) -> Iterator[tuple[int, dict]]:
    """Each data row with its row number (the header is row 1)."""
    return enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2)
