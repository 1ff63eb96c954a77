"""Notebooks in the domain: created, opened, written to in versions, chained, wiped."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from webapp.notebook import kdf, operations, receipts
from webapp.notebook.errors import (
    AppendOnly,
    BadRecord,
    NotebookTaken,
    StaleVersion,
    UnknownNotebook,
)
from webapp.notebook.models import Notebook, NotebookRecord

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


@pytest.mark.parametrize(
    ("record_id", "kind", "version", "scheme", "size", "problem"),
    [
        ("-e", "entry", 1, 1, 40, "id"),
        ("E-1", "entry", 1, 1, 40, "id"),
        ("e" * 41, "entry", 1, 1, 40, "id"),
        ("", "entry", 1, 1, 40, "id"),
        (7, "entry", 1, 1, 40, "id"),
        ("e-1", "Entry", 1, 1, 40, "kind"),
        ("e-1", "entry", 0, 1, 40, "version"),
        ("e-1", "entry", 10**6 + 1, 1, 40, "version"),
        ("e-1", "entry", 1.0, 1, 40, "version"),
        ("e-1", "entry", False, 1, 40, "version"),
        ("e-1", "entry", 1, 2, 40, "version"),
        ("e-1", "entry", 1, 1, 27, "size"),
        ("e-1", "entry", 1, 1, 64 * 1024 + 1, "size"),
        ("p-1", "photo", 1, 1, 4 * 1024 * 1024 + 1, "size"),
    ],
)
def test_a_record_out_of_bounds_is_refused_with_its_reason(
    record_id, kind, version, scheme, size, problem
):
    with pytest.raises(BadRecord) as refused:
        operations.check_record(record_id, kind, version, scheme, size)
    assert refused.value.problem == problem


@pytest.mark.parametrize(
    ("record_id", "kind", "version", "size"),
    [
        ("e" * 40, "entry", 10**6, 28),
        ("0", "plan", 1, 64 * 1024),
        ("p-1", "photo", 1, 4 * 1024 * 1024),
    ],
)
def test_a_record_at_the_bounds_is_taken(record_id, kind, version, size):
    operations.check_record(record_id, kind, version, 1, size)


@pytest.mark.parametrize(
    ("lookup", "access", "kdf_version", "wrapped", "problem"),
    [
        ("a" * 63, "b" * 64, 1, bytes(60), "id"),
        ("a" * 64, "b" * 65, 1, bytes(60), "id"),
        ("a" * 64, "B" * 64, 1, bytes(60), "id"),
        ("a" * 64, "b" * 64, 0, bytes(60), "version"),
        ("a" * 64, "b" * 64, 1, bytes(61), "data"),
        ("a" * 64, "b" * 64, 1, "0" * 60, "data"),
    ],
)
def test_keys_out_of_shape_are_refused(db, lookup, access, kdf_version, wrapped, problem):
    with pytest.raises(BadRecord) as refused:
        operations.create(db, lookup, access, kdf_version, wrapped, cost=COST, now=NOW)
    assert refused.value.problem == problem
    assert db.scalar(select(func.count()).select_from(Notebook)) == 0


@pytest.fixture
def stronger(monkeypatch):
    monkeypatch.setattr(kdf, "VERSIONS", kdf.VERSIONS | {2: {"iterations": 1, "salt": "t"}})
    monkeypatch.setattr(kdf, "CURRENT", 2)


def test_rekeying_replaces_every_key_at_once(db, stronger):
    notebook, lookup, access = make(db)
    new_lookup, new_access = secrets.token_hex(32), secrets.token_hex(32)
    operations.rekey(db, notebook, new_lookup, new_access, 2, bytes(range(60)), cost=COST)
    opened = operations.open_notebook(db, new_lookup, new_access, cost=COST)
    assert opened.id == notebook.id
    assert (opened.kdf_version, opened.wrapped_key) == (2, bytes(range(60)))
    with pytest.raises(UnknownNotebook):
        operations.open_notebook(db, lookup, access, cost=COST)


def test_rekeying_never_goes_back_or_takes_another_notebooks_id(db, stronger):
    notebook, lookup, access = make(db)
    _other, other_lookup, _ = make(db)
    fresh = secrets.token_hex(32)
    with pytest.raises(BadRecord):
        operations.rekey(db, notebook, fresh, access, 1, WRAPPED, cost=COST)
    with pytest.raises(NotebookTaken):
        operations.rekey(db, notebook, other_lookup, access, 2, WRAPPED, cost=COST)
    with pytest.raises(BadRecord):
        operations.rekey(db, notebook, "x", access, 2, WRAPPED, cost=COST)
    assert operations.open_notebook(db, lookup, access, cost=COST).kdf_version == 1


def test_find_by_id(db):
    notebook, *_ = make(db)
    assert operations.find(db, notebook.id) is notebook
    with pytest.raises(UnknownNotebook):
        operations.find(db, "no such id")


def test_wiping_one_notebook_leaves_the_others(db):
    one, *_ = make(db)
    two, two_lookup, two_access = make(db)
    write(db, one, "e-1")
    write(db, two, "e-1")
    operations.wipe(db, one)
    assert operations.open_notebook(db, two_lookup, two_access, cost=COST).id == two.id
    assert [r.notebook_id for r in db.scalars(select(NotebookRecord))] == [two.id]


def test_the_record_limit_counts_one_notebooks_records(db, monkeypatch):
    monkeypatch.setattr(operations, "MOST_RECORDS", 2)
    one, *_ = make(db)
    two, *_ = make(db)
    write(db, one, "e-1")
    write(db, one, "e-2")
    write(db, two, "e-1")
    write(db, two, "e-2")


def test_a_kind_once_chosen_stays(db):
    notebook, *_ = make(db)
    write(db, notebook, "plan-a", "plan", 1)
    with pytest.raises(BadRecord) as refused:
        write(db, notebook, "plan-a", "entry", 1)
    assert refused.value.problem == "kind"


def test_plan_versions_are_counted_per_record(db):
    notebook, *_ = make(db)
    write(db, notebook, "plan-a", "plan", 1)
    write(db, notebook, "plan-a", "plan", 2)
    write(db, notebook, "plan-b", "plan", 1)
    assert write(db, notebook, "plan-a", "plan", 3).version == 3
