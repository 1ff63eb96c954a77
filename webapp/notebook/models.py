"""Notebooks and their records: nothing here can be read without the survivor's passphrase."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, new_id


class Notebook(Base):
    """Found by a lookup id the browser derived; opened with an access secret it derived too."""

    __tablename__ = "notebooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lookup_id: Mapped[str] = mapped_column(String(64), unique=True)
    # Argon2id (PHC string) of the access secret: a stolen table cannot open a notebook.
    access_hash: Mapped[str] = mapped_column(String(255))
    # The version of the browser's key derivation (its parameters: `kdf.VERSIONS`).
    kdf_version: Mapped[int] = mapped_column(Integer)
    # The random key the records are sealed with, wrapped (AES-GCM) by the derived key.
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<Notebook {self.id}>"


class NotebookRecord(Base):
    """One write: a plan section's next version, an incident entry or a photo, as ciphertext.

    Rows are only ever added (a plan section's older versions stay, so the chain holds);
    `seq` orders the chain, `chain_hash` = SHA-256(previous chain_hash + cipher_hash), and
    `receipt` is the server's Ed25519 signature over the chain hash and `received_at`.
    """

    __tablename__ = "notebook_records"
    __table_args__ = (UniqueConstraint("notebook_id", "record_id", "version"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notebook_id: Mapped[str] = mapped_column(
        ForeignKey("notebooks.id", ondelete="CASCADE"), index=True
    )
    record_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    # Which cipher suite: 1 = AES-256-GCM, 12-byte IV first, record id, kind, version as AAD.
    scheme: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    cipher_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    receipt: Mapped[str] = mapped_column(String(128))

    def __repr__(self) -> str:
        return f"<NotebookRecord {self.seq} {self.kind} v{self.version}>"
