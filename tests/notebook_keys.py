"""The notebook's browser cryptography written again in Python, from its description in
notes.js: tests derive a passphrase's keys, read what the browser stored, and write records
the way the browser would. If the two ever disagree, the tests that use this fail."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ITERATIONS = 600_000  # KDF version 1
SALT = b"n/1"
SCHEME = 1


@dataclass(frozen=True)
class Keys:
    lookup: str
    access: str
    key: bytes


def phrase_of(typed: str) -> str:
    return " ".join(re.findall(r"[a-z]+", unicodedata.normalize("NFKC", typed).lower()))


def derive(phrase: str) -> Keys:
    master = hashlib.pbkdf2_hmac("sha256", phrase_of(phrase).encode(), SALT, ITERATIONS, 32)

    def expand(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return Keys(expand(b"lookup").hex(), expand(b"access").hex(), expand(b"key"))


def associated(record_id: str, kind: str, version: int) -> bytes:
    return f"{SCHEME}|{record_id}|{kind}|{version}".encode()


def seal(key: bytes, record_id: str, kind: str, version: int, value) -> bytes:
    iv = os.urandom(12)
    plain = json.dumps(value).encode()
    return iv + AESGCM(key).encrypt(iv, plain, associated(record_id, kind, version))


def unseal(key: bytes, record_id: str, kind: str, version: int, sealed: bytes):
    plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], associated(record_id, kind, version))
    return json.loads(plain)


def save_body(key: bytes, record_id: str, kind: str, version: int, value) -> dict:
    """What the browser posts to /notes/save."""
    sealed = seal(key, record_id, kind, version, value)
    return {
        "id": record_id,
        "kind": kind,
        "version": version,
        "scheme": SCHEME,
        "data": base64.b64encode(sealed).decode(),
    }
