"""TOTP (RFC 6238) with single use, an on-server QR code, and hashed one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

from webapp.crypto import derive_key
from webapp.text import ascii_digits

STEP_SECONDS = 30
# One step either side forgives a phone clock that is a little off.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here: no image leaves for another site."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def matching_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is valid now and newer than the last one used."""
    code = ascii_digits(code).strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step if last_step is None or step > last_step else None
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like `k7pq-3mzx-h2` (about 50 bits each), shown once."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_hash(secret_key: str, code: str) -> str:
    """A keyed hash: the codes are random enough that a slow hash would add only delay."""
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    key = derive_key(secret_key, "haven recovery codes")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(code.strip().replace("-", "").replace(" ", "")) == 10
