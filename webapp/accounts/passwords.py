"""Staff passwords: Argon2id hashing and the rules a new password must meet.

Passwords are normalised to Unicode NFKC before they are measured, compared, hashed or verified,
so the same password typed on different keyboards (fullwidth digits, ligatures, composed or
decomposed accents) is one password. Rules follow NIST SP 800-63B: a length range and a list of
common passwords, no composition rules.
"""

from __future__ import annotations

import functools
import gzip
import secrets
import unicodedata
from pathlib import Path

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from webapp.settings import Settings

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt.gz")
# Shorter email local parts (initials, "bob") would refuse too many unrelated passwords.
MIN_CONTAINED_LOCAL_PART = 4
# Fields of argon2.Parameters where a stored value below the current one means a weaker hash.
STRENGTH_FIELDS = ("version", "salt_len", "hash_len", "time_cost", "memory_cost", "parallelism")


class PasswordHasher:
    """Argon2id with the cost parameters from settings."""

    def __init__(self, settings: Settings):
        self._parameters = argon2.Parameters(
            type=argon2.Type.ID,
            version=argon2.low_level.ARGON2_VERSION,
            salt_len=argon2.DEFAULT_RANDOM_SALT_LENGTH,
            hash_len=argon2.DEFAULT_HASH_LENGTH,
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._hasher = argon2.PasswordHasher.from_parameters(self._parameters)
        self._dummy_hash = self.hash(secrets.token_urlsafe(32))

    def hash(self, password: str) -> str:
        """The encoded Argon2id hash of the NFKC-normalised password."""
        return self._hasher.hash(_normalised(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether the password matches the stored hash; False if the hash is malformed."""
        try:
            return self._hasher.verify(stored_hash, _normalised(password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the stored hash is weaker than the current parameters (or not Argon2id)."""
        stored = argon2.extract_parameters(stored_hash)
        return stored.type is not argon2.Type.ID or any(
            getattr(stored, name) < getattr(self._parameters, name) for name in STRENGTH_FIELDS
        )

    def dummy_verify(self, password: str) -> bool:
        """Verify against a throwaway hash: an unknown account costs what a wrong password does."""
        return self.verify(self._dummy_hash, password)


@functools.lru_cache(maxsize=4)
def hasher_for(settings: Settings) -> PasswordHasher:
    """One hasher per configuration, so its dummy hash is computed once, not per sign-in."""
    return PasswordHasher(settings)


def password_problems(password: str, *, email: str | None = None) -> list[LazyString]:
    """Every reason to refuse this as a new password, as lazily translated messages."""
    normalised = _normalised(password)
    folded = normalised.lower()
    problems: list[LazyString] = []
    if len(normalised) < MIN_LENGTH:
        problems.append(_l("Use at least %(num)d characters.", num=MIN_LENGTH))
    if len(normalised) > MAX_LENGTH:
        problems.append(_l("Use at most %(num)d characters.", num=MAX_LENGTH))
    if folded.strip() in _common_passwords():
        problems.append(_l("This password is too common. Choose one that is harder to guess."))
    if email and _contains_local_part(folded, email):
        problems.append(
            _l("Do not use your email address, or the part before the @, in your password.")
        )
    return problems


def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _contains_local_part(folded_password: str, email: str) -> bool:
    local_part = _normalised(email.rpartition("@")[0]).lower()
    return len(local_part) >= MIN_CONTAINED_LOCAL_PART and local_part in folded_password


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased (see COMMON_PASSWORDS.md)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(stripped.lower() for line in lines if (stripped := line.strip()))
