"""The browser's key derivation, by version: what the notebook page hands its script.

A notebook records the version its keys were derived with. To raise the cost, add a version
and make it `CURRENT`: a notebook made with an older one still opens (the script tries the
current version, then older ones), and is moved to the current one at that unlock, after its
key was unwrapped with the new derivation as a test, without re-encrypting a record (the
records are sealed with a random notebook key that only the derived key wraps).
"""

from __future__ import annotations

# PBKDF2-SHA256: OWASP's 2023 figure is 600,000 iterations.
VERSIONS: dict[int, dict] = {1: {"iterations": 600_000, "salt": "n/1"}}
CURRENT = 1


def known(version: object) -> bool:
    return isinstance(version, int) and not isinstance(version, bool) and version in VERSIONS


def table() -> dict:
    """The parameters of every version still accepted, and which one new keys use."""
    return {"current": CURRENT, "versions": VERSIONS}
