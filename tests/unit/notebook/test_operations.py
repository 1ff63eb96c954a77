"""Notebooks in the domain: created, opened, written to in versions, chained, wiped."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from webapp.notebook import operations, receipts
from webapp.notebook.errors import (
    AppendOnly,
    BadRecord,
    NotebookTaken,
    StaleVersion,
    UnknownNotebook,
)
from webapp.notebook.models import NotebookRecord

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
COST = operations.HashParameters(memory_kib=1024, time_cost=1, parallelism=1)
SIGNER = receipts.Signer("test receipts")
SEALED = bytes(40)
WRAPPED = bytes(60)


def make(db):
    lookup, access = secrets.token_hex(32), secrets.token_hex(32)
    notebook = operations.create(db, lookup, access, 1, WRAPPED, cost=COST, now=NOW)
    return notebook, lookup, access


def write(db, notebook, record_id="e-1", kind="entry", version=1, data=SEALED):
    return operations.append(
        db,
        notebook,
        record_id=record_id,
        kind=kind,
        version=version,
        scheme=1,
        ciphertext=data,
        signer=SIGNER,
        now=NOW,
    )


def test_a_notebook_opens_with_its_secrets_only(db):
    notebook, lookup, access = make(db)
    assert operations.open_notebook(db, lookup, access, cost=COST).id == notebook.id
    for wrong in (
        (lookup, secrets.token_hex(32)),
        (secrets.token_hex(32), access),
        (lookup.upper(), access),
        (lookup, None),
    ):
        with pytest.raises(UnknownNotebook):
            operations.open_notebook(db, *wrong, cost=COST)


def test_a_lookup_id_makes_one_notebook(db):
    _notebook, lookup, _access = make(db)
    with pytest.raises(NotebookTaken):
        operations.create(db, lookup, secrets.token_hex(32), 1, WRAPPED, cost=COST, now=NOW)
    for kdf_version, wrapped in ((2, WRAPPED), (True, WRAPPED), (1, bytes(59))):
        with pytest.raises(BadRecord):
            operations.create(
                db,
                secrets.token_hex(32),
                secrets.token_hex(32),
                kdf_version,
                wrapped,
                cost=COST,
                now=NOW,
            )


def test_plan_versions_follow_each_other_and_stale_ones_are_refused(db):
    notebook, *_ = make(db)
    write(db, notebook, "plan-a", "plan", 1)
    write(db, notebook, "plan-a", "plan", 2)
    with pytest.raises(StaleVersion) as stale:
        write(db, notebook, "plan-a", "plan", 2, data=bytes(41))
    assert stale.value.latest.version == 2 and stale.value.latest.ciphertext == SEALED
    with pytest.raises(BadRecord):
        write(db, notebook, "plan-b", "plan", 2)


def test_entries_and_photos_are_written_once(db):
    notebook, *_ = make(db)
    write(db, notebook, "e-1", "entry", 1)
    for version in (1, 2):
        with pytest.raises(AppendOnly):
            write(db, notebook, "e-1", "entry", version)
    with pytest.raises(AppendOnly):
        write(db, notebook, "p-1", "photo", 2)


def test_records_chain_in_the_order_they_arrive(db):
    notebook, *_ = make(db)
    first = write(db, notebook, "e-1", data=b"a" * 30)
    second = write(db, notebook, "e-2", data=b"b" * 30)
    assert first.chain_hash == receipts.next_link(receipts.GENESIS, first.cipher_hash)
    assert second.chain_hash == receipts.next_link(first.chain_hash, second.cipher_hash)
    assert SIGNER.verify(second.chain_hash, NOW, second.receipt)
    assert [r.record_id for r in operations.chain(db, notebook)] == ["e-1", "e-2"]


def test_each_notebook_has_its_own_chain(db):
    one, *_ = make(db)
    two, *_ = make(db)
    write(db, one, "e-1")
    record = write(db, two, "e-1")
    assert record.chain_hash == receipts.next_link(receipts.GENESIS, record.cipher_hash)


def test_the_newest_of_each_record_in_chain_order(db):
    notebook, *_ = make(db)
    write(db, notebook, "plan-a", "plan", 1)
    write(db, notebook, "e-1")
    write(db, notebook, "plan-a", "plan", 2)
    newest = operations.latest_of_each(operations.chain(db, notebook))
    assert [(r.record_id, r.version) for r in newest] == [("e-1", 1), ("plan-a", 2)]


def test_a_full_notebook_takes_no_more(db, monkeypatch):
    monkeypatch.setattr(operations, "MOST_RECORDS", 2)
    notebook, *_ = make(db)
    write(db, notebook, "e-1")
    write(db, notebook, "e-2")
    with pytest.raises(BadRecord) as full:
        write(db, notebook, "e-3")
    assert full.value.problem == "full"


def test_wiping_leaves_nothing(db):
    notebook, lookup, access = make(db)
    write(db, notebook)
    operations.wipe(db, notebook)
    assert db.scalar(select(func.count()).select_from(NotebookRecord)) == 0
    with pytest.raises(UnknownNotebook):
        operations.open_notebook(db, lookup, access, cost=COST)
