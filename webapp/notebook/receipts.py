"""The hash chain and the server's signed receipt times.

Each record's ciphertext hash is chained to the one before (SHA-256 over both), and the server
signs the chain hash with the time it received it (Ed25519, from a key derived from
SECRET_KEY): anyone holding the public key can check that this log held this entry at that
time, without being able to read it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from webapp.crypto import derive_key

GENESIS = "0" * 64  # the link before a notebook's first record


def cipher_hash(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


def next_link(previous: str, ciphertext_hash: str) -> str:
    """The chain hash of a record: SHA-256 over the previous chain hash and its own hash."""
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(ciphertext_hash)).hexdigest()


def receipt_text(chain_hash: str, received_at: datetime) -> str:
    """What a receipt signs: the chain hash and the moment it arrived (UTC, milliseconds)."""
    return f"{chain_hash}|{stamp(received_at)}"


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Signer:
    """Signs receipts with the deployment's notebook key."""

    def __init__(self, secret_key: str):
        seed = derive_key(secret_key, "haven notebook receipts")
        self._key = Ed25519PrivateKey.from_private_bytes(seed[:32])

    def sign(self, chain_hash: str, received_at: datetime) -> str:
        signature = self._key.sign(receipt_text(chain_hash, received_at).encode())
        return base64.b64encode(signature).decode()

    def public_key(self) -> str:
        """The raw Ed25519 public key, base64: printed beside the log so it can be checked."""
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def verify(self, chain_hash: str, received_at: datetime, receipt: str) -> bool:
        try:
            self._key.public_key().verify(
                base64.b64decode(receipt), receipt_text(chain_hash, received_at).encode()
            )
        except (InvalidSignature, ValueError):
            return False
        return True
