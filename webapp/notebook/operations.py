"""Create, open, write to and wipe a notebook. Plain arguments and a session only.

Every write adds a row: a plan section's next version must follow the one stored (else
`StaleVersion`, and nothing is overwritten), incident entries and photos are written once
(`AppendOnly`). Each row is chained and receipted as it is stored.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import argon2
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.notebook import kdf, receipts
from webapp.notebook.errors import (
    AppendOnly,
    BadRecord,
    NotebookTaken,
    StaleVersion,
    UnknownNotebook,
)
from webapp.notebook.models import Notebook, NotebookRecord

KINDS = ("plan", "entry", "photo")
LARGEST = {"plan": 64 * 1024, "entry": 64 * 1024, "photo": 4 * 1024 * 1024}
MOST_RECORDS = 5000  # rows per notebook, every version counted
SCHEMES = (1,)
WRAPPED_BYTES = 12 + 32 + 16  # IV, a 256-bit key, the GCM tag
_HEX_64 = re.compile(r"[0-9a-f]{64}")
_RECORD_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class HashParameters:
    """Argon2id cost of the access secret's hash (the staff password parameters)."""

    memory_kib: int
    time_cost: int
    parallelism: int

    def hasher(self) -> argon2.PasswordHasher:
        return _hasher(self.memory_kib, self.time_cost, self.parallelism)


@functools.cache
def _hasher(memory_kib: int, time_cost: int, parallelism: int) -> argon2.PasswordHasher:
    return argon2.PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, hash_len=32
    )


@functools.cache
def _decoy_hash(memory_kib: int, time_cost: int, parallelism: int) -> str:
    """A hash checked when no notebook matches, so a miss costs what a wrong secret costs."""
    return _hasher(memory_kib, time_cost, parallelism).hash("0" * 64)


def valid_secret(value: object) -> bool:
    """A lookup id or access secret as the browser derives them: 64 lower-case hex digits."""
    return isinstance(value, str) and _HEX_64.fullmatch(value) is not None


def _check_keys(lookup_id: object, access_secret: object, kdf_version: object, wrapped: object):
    if not valid_secret(lookup_id) or not valid_secret(access_secret):
        raise BadRecord("id")
    if not kdf.known(kdf_version):
        raise BadRecord("version")
    if not isinstance(wrapped, bytes) or len(wrapped) != WRAPPED_BYTES:
        raise BadRecord("data")


def create(
    session: Session,
    lookup_id: str,
    access_secret: str,
    kdf_version: int,
    wrapped_key: bytes,
    *,
    cost: HashParameters,
    now: datetime,
) -> Notebook:
    """A new notebook; its key comes wrapped by the key the browser derived."""
    _check_keys(lookup_id, access_secret, kdf_version, wrapped_key)
    if session.scalar(select(Notebook.id).where(Notebook.lookup_id == lookup_id)):
        raise NotebookTaken()
    notebook = Notebook(
        lookup_id=lookup_id,
        access_hash=cost.hasher().hash(access_secret),
        kdf_version=kdf_version,
        wrapped_key=wrapped_key,
        created_at=now,
    )
    session.add(notebook)
    session.flush()
    return notebook


def open_notebook(
    session: Session, lookup_id: str, access_secret: str, *, cost: HashParameters
) -> Notebook:
    """The notebook these secrets open; `UnknownNotebook` alike for a wrong one or none."""
    notebook = None
    if valid_secret(lookup_id) and valid_secret(access_secret):
        notebook = session.scalar(select(Notebook).where(Notebook.lookup_id == lookup_id))
    stored = notebook.access_hash if notebook else _decoy_hash(*_cost_tuple(cost))
    try:
        cost.hasher().verify(stored, access_secret if isinstance(access_secret, str) else "")
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        raise UnknownNotebook() from None
    if notebook is None:
        raise UnknownNotebook()
    return notebook


def rekey(
    session: Session,
    notebook: Notebook,
    lookup_id: str,
    access_secret: str,
    kdf_version: int,
    wrapped_key: bytes,
    *,
    cost: HashParameters,
) -> Notebook:
    """Move an opened notebook to a stronger derivation: new lookup id, access hash and
    wrapping, in one row, so it opens with either the old keys or the new, never neither."""
    _check_keys(lookup_id, access_secret, kdf_version, wrapped_key)
    if kdf_version <= notebook.kdf_version:
        raise BadRecord("version")
    if session.scalar(select(Notebook.id).where(Notebook.lookup_id == lookup_id)):
        raise NotebookTaken()
    notebook.lookup_id = lookup_id
    notebook.access_hash = cost.hasher().hash(access_secret)
    notebook.kdf_version = kdf_version
    notebook.wrapped_key = wrapped_key
    session.flush()
    return notebook


def _cost_tuple(cost: HashParameters) -> tuple[int, int, int]:
    return cost.memory_kib, cost.time_cost, cost.parallelism


def find(session: Session, notebook_id: str) -> Notebook:
    notebook = session.get(Notebook, notebook_id)
    if notebook is None:
        raise UnknownNotebook()
    return notebook


def _latest_version(session: Session, notebook: Notebook, record_id: str) -> NotebookRecord | None:
    return session.scalar(
        select(NotebookRecord)
        .where(NotebookRecord.notebook_id == notebook.id, NotebookRecord.record_id == record_id)
        .order_by(NotebookRecord.version.desc())
        .limit(1)
    )


def check_record(record_id: object, kind: object, version: object, scheme: object, size: int):
    if not isinstance(record_id, str) or not _RECORD_ID.fullmatch(record_id):
        raise BadRecord("id")
    if kind not in KINDS:
        raise BadRecord("kind")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10**6:
        raise BadRecord("version")
    if scheme not in SCHEMES:
        raise BadRecord("version")
    if not 28 <= size <= LARGEST[kind]:  # an IV, a tag and at least some text
        raise BadRecord("size")


def append(
    session: Session,
    notebook: Notebook,
    *,
    record_id: str,
    kind: str,
    version: int,
    scheme: int,
    ciphertext: bytes,
    signer: receipts.Signer,
    now: datetime,
) -> NotebookRecord:
    """Store one write at the chain's end, or refuse it without touching what is stored."""
    check_record(record_id, kind, version, scheme, len(ciphertext))
    # One writer per notebook at a time, so the chain never forks.
    session.scalar(select(Notebook.id).where(Notebook.id == notebook.id).with_for_update())
    latest = _latest_version(session, notebook, record_id)
    if latest is not None and latest.kind != kind:
        raise BadRecord("kind")
    if kind != "plan" and (latest is not None or version != 1):
        raise AppendOnly()
    if kind == "plan" and version != (latest.version if latest else 0) + 1:
        if latest is None:
            raise BadRecord("version")
        raise StaleVersion(latest)
    count, head = _chain_end(session, notebook)
    if count >= MOST_RECORDS:
        raise BadRecord("full")
    digest = receipts.cipher_hash(ciphertext)
    link = receipts.next_link(head, digest)
    record = NotebookRecord(
        notebook_id=notebook.id,
        record_id=record_id,
        kind=kind,
        version=version,
        scheme=scheme,
        ciphertext=ciphertext,
        cipher_hash=digest,
        chain_hash=link,
        received_at=now,
        receipt=signer.sign(link, now),
    )
    try:
        with session.begin_nested():  # a write racing past the lock (SQLite) meets the key
            session.add(record)
    except IntegrityError:
        if kind != "plan":
            raise AppendOnly() from None
        raise StaleVersion(_latest_version(session, notebook, record_id)) from None
    return record


def _chain_end(session: Session, notebook: Notebook) -> tuple[int, str]:
    count = session.scalar(select(func.count()).where(NotebookRecord.notebook_id == notebook.id))
    head = session.scalar(
        select(NotebookRecord.chain_hash)
        .where(NotebookRecord.notebook_id == notebook.id)
        .order_by(NotebookRecord.seq.desc())
        .limit(1)
    )
    return count or 0, head or receipts.GENESIS


def chain(session: Session, notebook: Notebook) -> list[NotebookRecord]:
    """Every write, in the order it was chained."""
    return list(
        session.scalars(
            select(NotebookRecord)
            .where(NotebookRecord.notebook_id == notebook.id)
            .order_by(NotebookRecord.seq)
        )
    )


def latest_of_each(records: list[NotebookRecord]) -> list[NotebookRecord]:
    """The newest version of each record, in chain order."""
    newest: dict[str, NotebookRecord] = {}
    for record in records:
        newest[record.record_id] = record
    return sorted(newest.values(), key=lambda record: record.seq)


def wipe(session: Session, notebook: Notebook) -> None:
    """Delete the notebook and every record of it, for good."""
    session.execute(delete(NotebookRecord).where(NotebookRecord.notebook_id == notebook.id))
    session.delete(notebook)
    session.flush()
