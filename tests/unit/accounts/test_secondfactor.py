"""The second step of a staff sign-in: which authenticator codes and recovery codes are accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from webapp.accounts import secondfactor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 3, 9, 14, 30, 10, tzinfo=UTC)
KEY = "k" * 48


def code_at(moment: datetime, secret: str = SECRET) -> str:
    """What the staff member's authenticator app shows at that moment."""
    return pyotp.TOTP(secret).at(moment)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // secondfactor.STEP_SECONDS


def test_the_code_on_the_phone_now_is_accepted_once():
    code = code_at(NOW)
    step = secondfactor.matching_step(SECRET, code, now=NOW, last_step=None)
    assert step == step_at(NOW)
    assert secondfactor.matching_step(SECRET, code, now=NOW, last_step=step) is None


def test_a_newer_code_is_accepted_after_an_older_one():
    earlier = secondfactor.matching_step(
        SECRET, code_at(NOW - timedelta(seconds=30)), now=NOW, last_step=None
    )
    later = secondfactor.matching_step(SECRET, code_at(NOW), now=NOW, last_step=earlier)
    assert later == earlier + 1


@pytest.mark.parametrize("offset", [-30, 30])
def test_a_phone_clock_one_step_off_is_forgiven(offset):
    moment = NOW + timedelta(seconds=offset)
    step = secondfactor.matching_step(SECRET, code_at(moment), now=NOW, last_step=None)
    assert step == step_at(moment)


@pytest.mark.parametrize("offset", [-60, 60, -90, 90])
def test_a_code_two_steps_away_is_refused(offset):
    moment = NOW + timedelta(seconds=offset)
    assert secondfactor.matching_step(SECRET, code_at(moment), now=NOW, last_step=None) is None


def test_a_code_from_another_secret_is_refused():
    other = code_at(NOW, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    assert other != code_at(NOW)
    assert secondfactor.matching_step(SECRET, other, now=NOW, last_step=None) is None


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: f"{code[:3]} {code[3:]}",
        lambda code: f"  {code}\n",
        lambda code: code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ],
    ids=["spaced", "padded", "fullwidth"],
)
def test_a_code_typed_with_spaces_or_another_keyboards_digits_is_read(typed):
    step = secondfactor.matching_step(SECRET, typed(code_at(NOW)), now=NOW, last_step=None)
    assert step == step_at(NOW)


@pytest.mark.parametrize(
    "typed", ["", "12345", "1234567", "12a456", "１２３", "-12345", "ééé456", "¹²³⁴⁵⁶"]
)
def test_anything_but_six_digits_is_refused(typed):
    """Refused without an error, however odd the characters (superscripts are digits too)."""
    assert secondfactor.matching_step(SECRET, typed, now=NOW, last_step=None) is None


def test_a_longer_entry_that_ends_with_the_code_is_refused():
    assert secondfactor.matching_step(SECRET, "99" + code_at(NOW), now=NOW, last_step=None) is None


def test_ten_recovery_codes_in_an_unambiguous_alphabet():
    codes = secondfactor.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 2], code
        assert set("".join(groups)) <= set(secondfactor.RECOVERY_ALPHABET)
        assert secondfactor.looks_like_recovery_code(code)


def test_a_recovery_code_matches_however_it_is_typed():
    stored = secondfactor.recovery_hash(KEY, "k7pq-3mzx-h2")
    for typed in ("k7pq-3mzx-h2", "K7PQ-3MZX-H2", " k7pq 3mzx h2 ", "k7pq3mzxh2"):
        assert secondfactor.recovery_hash(KEY, typed) == stored, typed


def test_recovery_hashes_differ_by_code_and_by_server_key():
    stored = secondfactor.recovery_hash(KEY, "k7pq-3mzx-h2")
    assert secondfactor.recovery_hash(KEY, "k7pq-3mzx-h3") != stored
    assert secondfactor.recovery_hash("j" * 48, "k7pq-3mzx-h2") != stored
    assert "k7pq" not in stored


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7pq-3mzx-h2", True),
        (" k7pq 3mzx h2 ", True),
        ("k7pq3mzxh2", True),
        ("k7pq-3mzx-h", False),
        ("k7pq-3mzx-h22", False),
        ("123456", False),
    ],
)
def test_what_is_read_as_a_recovery_code(typed, expected):
    assert secondfactor.looks_like_recovery_code(typed) is expected


def test_the_enrolment_link_carries_the_secret_the_account_and_the_issuer():
    secret = secondfactor.new_secret()
    assert len(secret) == 32 and secret != secondfactor.new_secret()
    uri = secondfactor.provisioning_uri(secret, "ana@example.org", "Haven")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Haven:ana%40example.org"
    query = parse_qs(parts.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Haven"]
    assert pyotp.parse_uri(uri).now() == pyotp.TOTP(secret).now()
