"""The languages a service is offered in, as editors choose them: HSDS `language` rows of the
service itself (not of one of its places or phones), by ISO 639 code."""

from __future__ import annotations

import re

from babel import Locale
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory.errors import DirectoryError
from webapp.directory.tables import TABLES
from webapp.i18n import UNNAMED, language_name

CODE = re.compile(r"^[a-z]{2,3}$")
MOST = 30


class BadLanguage(DirectoryError, ValueError):
    """Not a language code we know (ISO 639, e.g. es, ht, ase), or too many of them."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check(codes: list[str]) -> list[str]:
    found = sorted({code.strip().lower() for code in codes if code.strip()})
    for code in found:
        if not CODE.match(code) or (code not in Locale("en").languages and code not in UNNAMED):
            raise BadLanguage(code)
    if len(found) > MOST:
        raise BadLanguage("too many")
    return found


def _rows(service_id: str):
    table = TABLES["language"]
    return (
        table.c.service_id == service_id,
        table.c.location_id.is_(None),
        table.c.phone_id.is_(None),
    )


def read(session: Session, service_id: str) -> list[str]:
    table = TABLES["language"]
    codes = session.scalars(select(table.c.code).where(*_rows(service_id)))
    return sorted({code for code in codes if code})


def write(session: Session, service_id: str, codes: list[str]) -> None:
    table = TABLES["language"]
    session.execute(delete(table).where(*_rows(service_id)))
    rows = [
        {"id": new_id(), "service_id": service_id, "code": code, "name": language_name(code, "en")}
        for code in codes
    ]
    if rows:
        session.execute(insert(table), rows)
