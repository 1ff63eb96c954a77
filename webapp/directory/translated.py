"""Directory text in the reader's language: her language, else the record's own, else English.

A record's own text is in its source language (`RecordSetting.source_language`, English when
unset). A translation into the reader's language replaces it; English fills only a field the
record has no text of its own for. Names, addresses and numbers are never translated (see
`exchange.haven.translatable`), so there are no translations of them to apply.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory.models import FieldTranslation, RecordSetting

ENGLISH = "en"
CHUNK = 2000  # ids per statement, far below every database's limit on parameters


def language_code(value: str) -> str:
    """`zh-Hans`, `zh_hans` and `zh_Hans` name one language: stored as Babel writes it."""
    code, _, script = value.strip().replace("-", "_").partition("_")
    return f"{code.lower()}_{script.title()}" if script else code.lower()


def choose(
    session: Session, records: dict[str, dict[str, dict]], locale: str
) -> dict[str, dict[str, dict[str, str]]]:
    """The text to show, by table, record and field, for records given as table -> id -> row.

    Only fields that change are returned; a row's own value stays where nothing better exists.
    """
    wanted = {(table, record_id) for table, rows in records.items() for record_id in rows}
    if not wanted:
        return {}
    ids = sorted({record_id for _table, record_id in wanted})
    settings = _chunked(
        session, ids, lambda part: select(RecordSetting).where(RecordSetting.record_id.in_(part))
    )
    sources = {(row.resource, row.record_id): row.source_language for row in settings}
    found: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for row in _chunked(
        session,
        ids,
        lambda part: select(FieldTranslation).where(
            FieldTranslation.record_id.in_(part),
            FieldTranslation.language.in_({locale, ENGLISH}),
        ),
    ):
        key = (row.resource, row.record_id)
        if key in wanted:
            found.setdefault(key, {}).setdefault(row.language, {})[row.field] = row.value
    chosen: dict[str, dict[str, dict[str, str]]] = {}
    for (table, record_id), by_language in found.items():
        own, source = records[table][record_id], sources.get((table, record_id), ENGLISH)
        texts = {} if source == locale else dict(by_language.get(locale, {}))
        if source != ENGLISH:
            for name, value in by_language.get(ENGLISH, {}).items():
                if name not in texts and not own.get(name):
                    texts[name] = value
        if texts:
            chosen.setdefault(table, {})[record_id] = texts
    return chosen


def localize(session: Session, rows: dict[str, list[dict]], locale: str, tables: Iterable[str]):
    """Rewrite, in place, the text of these rows (table -> list of rows) for `locale`."""
    records = {table: {row["id"]: row for row in rows.get(table, [])} for table in tables}
    for table, by_record in choose(session, records, locale).items():
        for record_id, texts in by_record.items():
            records[table][record_id].update(texts)


def _chunked(session: Session, ids: list[str], statement):
    for start in range(0, len(ids), CHUNK):
        yield from session.scalars(statement(ids[start : start + CHUNK]))
