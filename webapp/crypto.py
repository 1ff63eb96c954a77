"""Field encryption at rest with the application's DATA_KEY.

Values are sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from DATA_KEY for
this one purpose. DATA_KEY may list several secrets separated by commas, newest first; the first
encrypts, every one decrypts, so old rows stay readable while their secret stays listed, and
`flask --app webapp keys rotate` (keys.py) re-seals them under the newest. Inside an app context
the app's own key is used; outside one (a script that made an app earlier) the last app
initialised provides it, so models import without an app.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, has_app_context
from sqlalchemy import Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from webapp import runtime

PURPOSE = "haven data at rest"
EXTENSION = "crypto.keyring"

_keyring: MultiFernet | None = None


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose, so one secret never serves two uses."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode())


class CryptoError(RuntimeError):
    """Encrypted data could not be written or read."""


class KeyNotConfigured(CryptoError):
    """`init_app` has not run in this process, so there is no key."""


class UndecryptableValue(CryptoError):
    """A stored value was not sealed by any of the configured keys, or was altered."""


def keys_for(data_key: str) -> list[Fernet]:
    """One Fernet key for each of DATA_KEY's comma-separated secrets, newest first."""
    secrets = [part.strip() for part in data_key.split(",")]
    if not all(secrets):
        raise CryptoError("DATA_KEY is empty or lists an empty secret")
    return [Fernet(base64.urlsafe_b64encode(derive_key(secret, PURPOSE))) for secret in secrets]


def keyring_for(data_key: str) -> MultiFernet:
    """The keys of `keys_for` together: the first encrypts, every one decrypts."""
    return MultiFernet(keys_for(data_key))


def init_app(app: Flask) -> None:
    """Make the app's DATA_KEY the key every encrypted column uses in this process."""
    global _keyring
    _keyring = app.extensions[EXTENSION] = keyring_for(runtime.settings(app).data_key)


def _current_keyring() -> MultiFernet:
    if has_app_context() and EXTENSION in current_app.extensions:
        return current_app.extensions[EXTENSION]
    if _keyring is None:
        raise KeyNotConfigured("webapp.crypto.init_app(app) must run before encrypted data is used")
    return _keyring


def encrypt(plaintext: str) -> str:
    """A Fernet token for `plaintext` (a different one every call)."""
    return _current_keyring().encrypt(plaintext.encode()).decode("ascii")


def encrypt_bytes(plain: bytes) -> bytes:
    return _current_keyring().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _current_keyring().decrypt(token)
    except InvalidToken:
        raise UndecryptableValue("a stored value could not be decrypted with DATA_KEY") from None


def decrypt(token: str) -> str:
    """The plaintext sealed in `token`; the error never quotes the token."""
    try:
        return _current_keyring().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise UndecryptableValue("a stored value could not be decrypted with DATA_KEY") from None


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted; it cannot be compared or searched in SQL (tokens are random)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedBytes(TypeDecorator[bytes]):
    """Binary data (a photo) stored encrypted, like `EncryptedText`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else encrypt_bytes(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else decrypt_bytes(bytes(value))
