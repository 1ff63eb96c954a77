"""Directory text in the reader's language: her language, else the record's own, else English.

A record's own text is in its source language (`RecordSetting.source_language`, English when
unset). A translation into the reader's language replaces it; English fills only a field the
record has no text of its own for. Names, addresses and numbers are never translated (see
`translatable`), so there are no translations of them to apply.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import one_of
from webapp.directory import hsds
from webapp.directory.models import FieldTranslation, RecordSetting

ENGLISH = "en"
NEVER_TRANSLATED_TABLES = frozenset({"address"})
NEVER_TRANSLATED_FIELDS = frozenset(
    {"id", "name", "alternate_name", "email", "url", "website", "number", "extension"}
)
# Codes, identifiers and record-keeping: strings, but in no language. A translated `status` or
# phone `type` would break what reads them, and would make an answer look partly English.
# Fields with an enum in the datapackage are codes as well.
CODE_FIELDS = frozenset(
    {
        "type",
        "code",
        "language",
        "currency",
        "logo",
        "uri",
        "byday",
        "byweekno",
        "bymonthday",
        "byyearday",
        "extent",
        "extent_type",
        "link_type",
        "link_entity",
        "character_set",
        "identifier",
        "identifier_scheme",
        "identifier_type",
        "external_identifier",
        "external_identifier_type",
        "scheme",
        "version",
        "taxonomy",
        "resource_type",
        "field_name",
        "last_action_type",
        "previous_value",
        "replacement_value",
        "updated_by",
    }
)
CHUNK = 2000  # ids per statement, far below every database's limit on parameters


def translatable(table: str, field_name: str) -> bool:
    """Whether this HSDS field may hold text in other languages (names, numbers, codes never)."""
    layouts = hsds.tabular_layout()
    if table not in layouts or table in NEVER_TRANSLATED_TABLES:
        return False
    fields = {f.name: f for f in layouts[table].fields}
    field = fields.get(field_name)
    return (
        field is not None
        and field.type == "string"
        and field.format is None
        and field.enum is None
        and field_name not in NEVER_TRANSLATED_FIELDS | CODE_FIELDS
        and not field_name.endswith("_id")
    )


def digest(value: object) -> str:
    """A short fingerprint of a value. A translation keeps the digest of the source text it was
    made from (`FieldTranslation.source_digest`): when the source's digest differs, the
    translation is outdated. The portal's forms also use it to say what an editor saw."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:20]


def language_code(value: str) -> str:
    """`zh-Hans`, `zh_hans` and `zh_Hans` name one language: stored as Babel writes it."""
    code, _, script = value.strip().replace("-", "_").partition("_")
    return f"{code.lower()}_{script.title()}" if script else code.lower()


class Text(str):
    """Directory text that knows its language, for the `lang` attribute around it."""

    language: str

    def __new__(cls, value: str, language: str) -> Text:
        text = super().__new__(cls, value)
        text.language = language
        return text

    @property
    def tag(self) -> str:
        """The language as HTML's `lang` wants it: `zh-Hans`, not `zh_Hans`."""
        return self.language.replace("_", "-")


def choose(
    session: Session, records: dict[str, dict[str, dict]], locale: str
) -> dict[str, dict[str, dict[str, Text]]]:
    """The text to show, by table, record and field, for records given as table -> id -> fields.

    Every non-empty field given comes back as a `Text`: a translation into `locale`, else the
    record's own value (in its source language), else an English translation where it has none.
    """
    wanted = {(table, record_id) for table, rows in records.items() for record_id in rows}
    if not wanted:
        return {}
    ids = sorted({record_id for _table, record_id in wanted})
    # By resource too, so the settings' primary key (resource, record_id) serves the lookup.
    resources = sorted({table for table, _record_id in wanted})
    settings = _chunked(
        session,
        ids,
        lambda part: select(RecordSetting).where(
            RecordSetting.resource.in_(resources), one_of(session, RecordSetting.record_id, part)
        ),
    )
    sources = {(row.resource, row.record_id): row.source_language for row in settings}
    found: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for row in _chunked(
        session,
        ids,
        lambda part: select(FieldTranslation).where(
            one_of(session, FieldTranslation.record_id, part),
            FieldTranslation.language.in_({locale, ENGLISH}),
        ),
    ):
        key = (row.resource, row.record_id)
        if key in wanted:
            found.setdefault(key, {}).setdefault(row.language, {})[row.field] = row.value
    chosen: dict[str, dict[str, dict[str, Text]]] = {}
    for table, rows in records.items():
        for record_id, own in rows.items():
            source = sources.get((table, record_id), ENGLISH)
            by_language = found.get((table, record_id), {})
            texts = {name: Text(value, source) for name, value in own.items() if value}
            if source != locale:
                texts |= {n: Text(v, locale) for n, v in by_language.get(locale, {}).items()}
            if source != ENGLISH:
                english = by_language.get(ENGLISH, {}).items()
                texts |= {n: Text(v, ENGLISH) for n, v in english if n not in texts}
            chosen.setdefault(table, {})[record_id] = texts
    return chosen


def localize(
    session: Session, rows: dict[str, list[dict]], locale: str, tables: Iterable[str]
) -> Counter[str]:
    """Rewrite, in place, the translatable text of these rows (table -> rows) for `locale`.

    Returns how many texts of each language the rows hold afterwards: a text without a
    translation into `locale` stays in its own language, and is counted in it.
    """
    by_id = {table: {row["id"]: row for row in rows.get(table, [])} for table in tables}
    records = {
        table: {
            record_id: {name: value for name, value in row.items() if translatable(table, name)}
            for record_id, row in table_rows.items()
        }
        for table, table_rows in by_id.items()
    }
    languages: Counter[str] = Counter()
    for table, texts_by_record in choose(session, records, locale).items():
        for record_id, texts in texts_by_record.items():
            by_id[table][record_id].update({name: str(value) for name, value in texts.items()})
            languages.update(text.language for text in texts.values())
    return languages


def _chunked(session: Session, ids: list[str], statement):
    for start in range(0, len(ids), CHUNK):
        yield from session.scalars(statement(ids[start : start + CHUNK]))
