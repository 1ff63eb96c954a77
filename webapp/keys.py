"""`flask --app webapp keys check|rotate`: which DATA_KEY secret seals each stored value, and
re-sealing every value under the newest one.

Encrypted columns are found by walking every model's columns for the encrypted types of
`webapp.crypto`, so a column a domain adds later is covered without a list to keep. Rotation
goes through each table in batches ordered by primary key, one transaction per batch; a value
already under the newest secret is left alone, so a run that was killed (or ran out of time)
is simply run again and carries on where the work remains. Each write names the token it
replaces: a value the app changed meanwhile is not overwritten.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import click
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Column, Table, and_, func, or_, select, type_coerce, update

from webapp import runtime
from webapp.crypto import EncryptedBytes, EncryptedText, keys_for
from webapp.db import Base, session_scope
from webapp.progress import progress, quiet_option

ENCRYPTED_TYPES = (EncryptedText, EncryptedBytes)
# Rows read at once; a table holding encrypted files (photos of a few MB) takes fewer.
BATCH_ROWS = 200
FILE_BATCH_DIVISOR = 20
NEWEST = 0
UNREADABLE = -1


@dataclass(frozen=True)
class EncryptedTable:
    table: Table
    columns: tuple[Column, ...]

    @property
    def holds_files(self) -> bool:
        return any(isinstance(column.type, EncryptedBytes) for column in self.columns)

    @property
    def names(self) -> list[str]:
        return [f"{self.table.name}.{column.name}" for column in self.columns]


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with a column of an encrypted type, in a stable order."""
    from webapp import models  # noqa: F401  (every model module, so the metadata is whole)

    found = []
    for table in Base.metadata.sorted_tables:
        columns = tuple(c for c in table.columns if isinstance(c.type, ENCRYPTED_TYPES))
        if columns:
            found.append(EncryptedTable(table, columns))
    return sorted(found, key=lambda entry: entry.table.name)


def sealed_by(keys: list[Fernet], token: bytes) -> int:
    """The position in DATA_KEY of the secret that sealed `token`, or UNREADABLE."""
    for position, key in enumerate(keys):
        try:
            key.decrypt(token)
        except InvalidToken:
            continue
        return position
    return UNREADABLE


@dataclass
class Tally:
    """Values per DATA_KEY position (NEWEST first, UNREADABLE apart), per column."""

    by_column: dict[str, Counter] = field(default_factory=dict)
    rotated: int = 0

    def add(self, column: str, position: int) -> None:
        self.by_column.setdefault(column, Counter())[position] += 1

    def total(self, position: int) -> int:
        return sum(counts[position] for counts in self.by_column.values())

    @property
    def older(self) -> int:
        return sum(
            n
            for counts in self.by_column.values()
            for position, n in counts.items()
            if position > NEWEST
        )


def _raw(column: Column):
    """The column as stored (the token), not decrypted."""
    return type_coerce(column, column.type.impl_instance).label(column.name)


def _as_bytes(value: str | bytes | memoryview) -> bytes:
    return value.encode("ascii") if isinstance(value, str) else bytes(value)


def _batches(app: Flask, entry: EncryptedTable, size: int, pause: float) -> Iterator[tuple]:
    """The table's rows, `size` at a time in primary-key order, each batch read in a new
    transaction that the caller writes within and that commits before the next is read (and
    before any `pause`, so no lock is held while waiting)."""
    keys = list(entry.table.primary_key.columns)
    last: tuple | None = None
    while True:
        with session_scope(app) as session:
            query = select(*keys, *map(_raw, entry.columns)).order_by(*keys).limit(size)
            if last is not None:
                query = query.where(_after(keys, last))
            rows = session.execute(query).all()
            if not rows:
                return
            yield session, rows
            last = tuple(rows[-1][: len(keys)])
        if pause:
            time.sleep(pause)


def _after(keys: list[Column], last: tuple):
    """Rows whose primary key sorts after `last` (written out, so every database reads it)."""
    clauses = []
    for depth, key in enumerate(keys):
        equal = [k == v for k, v in zip(keys[:depth], last[:depth], strict=True)]
        clauses.append(and_(*equal, key > last[depth]))
    return or_(*clauses)


def batch_size(entry: EncryptedTable, rows: int) -> int:
    return max(1, rows // FILE_BATCH_DIVISOR) if entry.holds_files else rows


def count_rows(app: Flask, tables: list[EncryptedTable]) -> int:
    with session_scope(app) as session:
        return sum(
            session.scalar(select(func.count()).select_from(entry.table)) or 0 for entry in tables
        )


def walk(
    app: Flask,
    *,
    rotate: bool,
    rows: int = BATCH_ROWS,
    pause: float = 0.0,
    step: Callable[[int], object] = lambda n: None,
) -> Tally:
    """Count (and with `rotate`, re-seal under the newest secret) every encrypted value."""
    keys = keys_for(runtime.settings(app).data_key)
    tally = Tally()
    for entry in encrypted_tables():
        for session, batch in _batches(app, entry, batch_size(entry, rows), pause):
            for row in batch:
                for column in entry.columns:
                    _visit(session, entry.table, row, column, keys, tally, rotate=rotate)
            step(len(batch))
    return tally


def _visit(session, table: Table, row, column: Column, keys, tally: Tally, *, rotate: bool):
    stored = row._mapping[column.name]
    if stored is None:
        return
    position = sealed_by(keys, _as_bytes(stored))
    tally.add(f"{table.name}.{column.name}", position)
    if rotate and position > NEWEST:
        identity = tuple(row[: len(table.primary_key.columns)])
        if reseal(session, table, identity, column, stored, keys[position], keys[NEWEST]):
            tally.rotated += 1


def reseal(
    session, table: Table, identity: tuple, column: Column, stored, opener: Fernet, newest: Fernet
) -> bool:
    """Write the value sealed under the newest secret, unless the row changed meanwhile."""
    fresh = newest.encrypt(opener.decrypt(_as_bytes(stored)))
    written = fresh.decode("ascii") if isinstance(stored, str) else fresh
    raw = column.type.impl_instance
    same_row = [key == part for key, part in zip(table.primary_key.columns, identity, strict=True)]
    result = session.execute(
        update(table)
        .where(*same_row, type_coerce(column, raw) == stored)
        .values({column.name: type_coerce(written, raw)})
    )
    return result.rowcount == 1


keys_cli = AppGroup("keys", help="DATA_KEY: which secret seals the stored data, and rotation.")


@keys_cli.command("check")
def check() -> None:
    """Count the values under each DATA_KEY secret; exit 1 while any is under an older one
    or cannot be read."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    tally = walk(app, rotate=False)
    _print_tally(app, tally)
    if tally.older or tally.total(UNREADABLE):
        raise SystemExit(1)


@keys_cli.command("rotate")
@click.option(
    "--batch", "rows", default=BATCH_ROWS, show_default=True, help="Rows per transaction."
)
@click.option(
    "--pause",
    default=0.0,
    show_default=True,
    help="Seconds to wait between batches, to spare a busy database.",
)
@quiet_option
def rotate(rows: int, pause: float, quiet: bool) -> None:
    """Re-encrypt every value under the newest DATA_KEY secret (the first listed).

    Safe to stop at any time and to run again: it carries on with what is left.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if rows < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch")
    tables = encrypted_tables()
    with progress(count_rows(app, tables), "re-encrypting", quiet=quiet) as bar:
        tally = walk(app, rotate=True, rows=rows, pause=pause, step=bar.update)
    unreadable = tally.total(UNREADABLE)
    click.echo(
        f"re-encrypted {tally.rotated} values under the newest DATA_KEY secret; "
        f"{tally.total(NEWEST)} already were"
        + (f"; {unreadable} could not be read with any secret" if unreadable else "")
    )
    if unreadable:
        raise SystemExit(1)


def _print_tally(app: Flask, tally: Tally) -> None:
    listed = len(keys_for(runtime.settings(app).data_key))
    for name, counts in sorted(tally.by_column.items()):
        parts = [f"{counts[NEWEST]} newest"]
        parts += [f"{counts[p]} under secret {p + 1}" for p in range(1, listed) if counts[p]]
        if counts[UNREADABLE]:
            parts.append(f"{counts[UNREADABLE]} unreadable")
        click.echo(f"{name}: " + ", ".join(parts))
    click.echo(f"DATA_KEY lists {listed} secret(s)")
    click.echo(f"values under the newest secret: {tally.total(NEWEST)}")
    click.echo(f"values under older secrets: {tally.older}")
    for position in range(1, listed):
        click.echo(f"  secret {position + 1}: {tally.total(position)}")
    click.echo(f"values no secret opens: {tally.total(UNREADABLE)}")
