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

from webapp.notebook import kdf

SCHEME = 1


@dataclass(frozen=True)
class Keys:
    lookup: str
    access: str
    wrapping: bytes
    version: int


def phrase_of(typed: str) -> str:
    return " ".join(re.findall(r"[a-z]+", unicodedata.normalize("NFKC", typed).lower()))


def derive(phrase: str, version: int = 1) -> Keys:
    """The keys of `phrase` under a version of `webapp.notebook.kdf.VERSIONS`."""
    params = kdf.VERSIONS[version]
    salt, iterations = params["salt"].encode(), params["iterations"]
    master = hashlib.pbkdf2_hmac("sha256", phrase_of(phrase).encode(), salt, iterations, 32)

    def expand(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return Keys(expand(b"lookup").hex(), expand(b"access").hex(), expand(b"key"), version)


def wrap(keys: Keys, notebook_key: bytes) -> bytes:
    """The notebook's own key, wrapped as the browser wraps it (stored by the server)."""
    iv = os.urandom(12)
    return iv + AESGCM(keys.wrapping).encrypt(iv, notebook_key, f"wrap|{keys.version}".encode())


def unwrap(keys: Keys, wrapped: bytes) -> bytes:
    aad = f"wrap|{keys.version}".encode()
    return AESGCM(keys.wrapping).decrypt(wrapped[:12], wrapped[12:], aad)


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
