"""Haven's extension files beside the HSDS CSVs: translations and record settings.

`x_haven_translations.csv` (table, record_id, field, language, value, origin) holds text fields
in other languages; names, addresses and phone numbers are never translated. `x_haven_records.csv`
(table, record_id, source_language, status) says which language a record was written in and
whether it is published.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory import hsds, translated
from webapp.directory.errors import Problem
from webapp.directory.exchange import Batch, csv_rows, csv_text
from webapp.directory.models import FieldTranslation, RecordSetting
from webapp.directory.tables import TABLES
from webapp.directory.translated import translatable
from webapp.settings import SUPPORTED_LOCALES

CHUNK = 500  # ids per statement

TRANSLATIONS_FILE = "x_haven_translations.csv"
TRANSLATION_FIELDS = ("table", "record_id", "field", "language", "value", "origin")
RECORDS_FILE = "x_haven_records.csv"
RECORD_FIELDS = ("table", "record_id", "source_language", "status")
FILES = (TRANSLATIONS_FILE, RECORDS_FILE)
ORIGINS = ("human", "machine")
STATUSES = ("published", "draft")


def read(files: dict[str, str], batch: Batch) -> None:
    for name, columns, problem_of, kept in (
        (TRANSLATIONS_FILE, TRANSLATION_FIELDS, translation_problem, batch.translations),
        (RECORDS_FILE, RECORD_FIELDS, record_problem, batch.settings),
    ):
        if name not in files:
            continue
        header, rows = csv_rows(name, files[name], batch.problems)
        missing = [column for column in columns if column not in header]
        batch.problems += [Problem(name, 1, c, "required column is missing") for c in missing]
        for number, row in rows if not missing else []:
            if problem := problem_of(row):
                batch.problems.append(Problem(name, number, *problem))
            else:
                kept.append((name, number, row))


def _language_ok(code: str | None) -> bool:
    return code in SUPPORTED_LOCALES


def translation_problem(row: dict) -> tuple[str, str] | None:
    if not translatable(row.get("table", ""), row.get("field", "")):
        return "field", f"{row.get('table')}.{row.get('field')} is not a translatable text field"
    if not _language_ok(row.get("language")):
        return "language", f"{row.get('language')!r} is not one of {', '.join(SUPPORTED_LOCALES)}"
    if not row.get("value"):
        return "value", "required, but empty"
    if row.get("origin") not in ORIGINS:
        return "origin", f"{row.get('origin')!r} is not one of human, machine"
    return None


def record_problem(row: dict) -> tuple[str, str] | None:
    if row.get("table") not in hsds.tabular_layout():
        return "table", f"{row.get('table')!r} is not an HSDS table"
    if not _language_ok(row.get("source_language")):
        return "source_language", f"{row.get('source_language')!r} is not a supported language"
    if row.get("status") not in STATUSES:
        return "status", f"{row.get('status')!r} is not one of published, draft"
    return None


def dangling(batch_rows, known: set[tuple[str, str]], file: str) -> list[Problem]:
    """Extension rows about records that are neither imported nor stored."""
    return [
        Problem(file, number, "record_id", f"no {row['table']} {row['record_id']} to describe")
        for _file, number, row in batch_rows
        if (row["table"], row["record_id"]) not in known
    ]


def save(session: Session, batch: Batch) -> None:
    """Write the batch's translations and record settings (after the HSDS rows: a translation
    is stamped with the digest of the source text it stands beside, see translated.digest)."""
    sources = _sources(session, [row for _file, _number, row in batch.translations])
    for _file, _number, row in batch.translations:
        found = session.scalar(
            select(FieldTranslation).where(
                FieldTranslation.resource == row["table"],
                FieldTranslation.record_id == row["record_id"],
                FieldTranslation.field == row["field"],
                FieldTranslation.language == row["language"],
            )
        ) or FieldTranslation(
            resource=row["table"],
            record_id=row["record_id"],
            field=row["field"],
            language=row["language"],
        )
        found.value, found.origin = row["value"], row["origin"]
        source = sources.get((row["table"], row["record_id"]), {}).get(row["field"])
        found.source_digest = translated.digest(source) if source is not None else None
        session.add(found)
    for _file, _number, row in batch.settings:
        setting = session.get(RecordSetting, (row["table"], row["record_id"])) or RecordSetting(
            resource=row["table"], record_id=row["record_id"]
        )
        setting.source_language, setting.status = row["source_language"], row["status"]
        session.add(setting)


def _sources(session: Session, rows: list[dict]) -> dict[tuple[str, str], dict]:
    """The stored records these translation rows translate, by (table, id)."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["table"], set()).add(row["record_id"])
    found = {}
    for table_name, ids in wanted.items():
        table, ordered = TABLES[table_name], sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            query = select(table).where(table.c.id.in_(ordered[start : start + CHUNK]))
            for record in session.execute(query):
                found[table_name, record.id] = dict(record._mapping)
    return found


def export_rows(session: Session) -> dict[str, list[dict]]:
    """Every translation and record setting as rows of the extension files, in a stable order."""
    translations = session.scalars(
        select(FieldTranslation).order_by(
            FieldTranslation.resource,
            FieldTranslation.record_id,
            FieldTranslation.field,
            FieldTranslation.language,
        )
    )
    settings = session.scalars(
        select(RecordSetting).order_by(RecordSetting.resource, RecordSetting.record_id)
    )
    return {
        TRANSLATIONS_FILE: [
            dict(zip(TRANSLATION_FIELDS, values, strict=True))
            for values in (
                (t.resource, t.record_id, t.field, t.language, t.value, t.origin)
                for t in translations
            )
        ],
        RECORDS_FILE: [
            dict(zip(RECORD_FIELDS, values, strict=True))
            for values in ((s.resource, s.record_id, s.source_language, s.status) for s in settings)
        ],
    }


def export_files(rows: dict[str, list[dict]]) -> dict[str, str]:
    """The extension CSVs for an export, from `export_rows`."""
    fields = {TRANSLATIONS_FILE: TRANSLATION_FIELDS, RECORDS_FILE: RECORD_FIELDS}
    return {
        name: csv_text(fields[name], ([row[f] for f in fields[name]] for row in rows[name]))
        for name in FILES
    }
