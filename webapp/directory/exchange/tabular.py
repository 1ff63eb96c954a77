"""The HSDS tabular datapackage: one CSV per table, in a folder or a zip, with datapackage.json."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from webapp.directory import hsds
from webapp.directory.errors import Problem
from webapp.directory.exchange import (
    EXTENSION_FILES,
    PRIVACY,
    Batch,
    Record,
    csv_rows,
    csv_text,
    decode,
    haven,
    privacy_problem,
)
from webapp.directory.values import ValueProblem, parse, to_text

DESCRIPTOR = "datapackage.json"
# Haven's extension, beside the HSDS tables: which locations are confidential.
PRIVACY_FILE = "x_haven_location_privacy.csv"
PRIVACY_FIELDS = ("location_id", "visibility", "public_area")
NOT_A_TABLE = "not an HSDS table; expected one of the datapackage's CSVs"


def read_datapackage(source: Path) -> Batch:
    """Every row of every HSDS CSV in `source`, and every problem found reading them."""
    by_path = {layout.path: layout for layout in hsds.tabular_layout().values()}
    batch = Batch()
    files = {}
    for name, data in _csv_files(source):
        if name not in by_path and name not in (PRIVACY_FILE, *haven.FILES):
            batch.problems.append(Problem(name, None, None, NOT_A_TABLE))
        elif (text := decode(name, data, batch.problems)) is not None:
            files[name] = text
    for path, layout in by_path.items():
        if path in files:
            batch.records += _read_table(layout, files[path], batch.problems)
    if PRIVACY_FILE in files:
        _read_privacy(files[PRIVACY_FILE], batch)
    haven.read(files, batch)
    return batch


def _read_privacy(text: str, batch: Batch) -> None:
    for number, row in csv_rows(PRIVACY_FILE, text, batch.problems)[1]:
        problem = privacy_problem(row.get("location_id"), row.get("visibility"))
        if problem:
            batch.problems.append(Problem(PRIVACY_FILE, number, problem[0], problem[1]))
        else:
            batch.privacy[row["location_id"]] = (row["visibility"], row.get("public_area") or None)


def _csv_files(source: Path) -> Iterator[tuple[str, bytes]]:
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".csv"):
                    yield Path(name).name, archive.read(name)
        return
    for path in sorted(source.glob("*.csv")):
        yield path.name, path.read_bytes()


def _read_table(layout: hsds.Table, text: str, problems: list[Problem]) -> list[Record]:
    header, rows = csv_rows(layout.path, text, problems, rows_start_with_id=True)
    problems += [
        Problem(layout.path, 1, name, "unknown column")
        for name in header
        if name not in layout.field_names
    ]
    problems += [
        Problem(layout.path, 1, field.name, "required column is missing")
        for field in layout.fields
        if field.required and field.name not in header
    ]
    records = []
    for number, row in rows:
        record = Record(layout.name, {}, layout.path, number)
        for field in layout.fields:
            try:
                record.values[field.name] = parse(field, row.get(field.name))
            except ValueProblem as reason:
                record.invalid.add(field.name)
                problems.append(record.problem(field.name, str(reason)))
        if record.values.get("id") is not None:
            records.append(record)
        elif "id" not in record.invalid:
            problems.append(record.problem("id", "required, but empty"))
    return records


def write_datapackage(rows: dict[str, list[dict]], target: Path) -> None:
    """A zip of one CSV per table (header always present) and the HSDS datapackage.json."""
    with zipfile.ZipFile(target, "w") as archive:
        _add(archive, DESCRIPTOR, hsds.descriptor_bytes())
        for name, layout in hsds.tabular_layout().items():
            _add(archive, layout.path, _csv_text(layout, rows.get(name, [])).encode())
        _add(archive, PRIVACY_FILE, _privacy_text(rows.get(PRIVACY, [])).encode())
        if EXTENSION_FILES in rows:
            for name, text in haven.export_files(rows[EXTENSION_FILES]).items():
                _add(archive, name, text.encode())


def _privacy_text(rows: list[dict]) -> str:
    return csv_text(PRIVACY_FIELDS, ([row[name] or "" for name in PRIVACY_FIELDS] for row in rows))


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """A fixed timestamp, so the same directory always exports to the same bytes."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, data)


def _csv_text(layout: hsds.Table, rows: list[dict]) -> str:
    return csv_text(
        layout.field_names,
        ([to_text(field, row.get(field.name)) for field in layout.fields] for row in rows),
    )
