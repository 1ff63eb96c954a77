"""Staff passwords: Argon2id hashes, rehashing, timing cover and the rules for new passwords."""

from __future__ import annotations

from dataclasses import replace

import argon2
import pytest

from tests.conftest import make_settings
from webapp import create_app
from webapp.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordHasher,
    password_problems,
)
from webapp.settings import Settings

CHEAP = make_settings()
PASSPHRASE = "correct horse battery staple on a quiet tuesday"
TOO_SHORT = f"Use at least {MIN_LENGTH} characters."
TOO_LONG = f"Use at most {MAX_LENGTH} characters."
TOO_COMMON = "This password is too common. Choose one that is harder to guess."
HAS_EMAIL = "Do not use your email address, or the part before the @, in your password."


@pytest.fixture
def hasher() -> PasswordHasher:
    """A hasher of its own for each test (cheap settings): each test sees its whole set-up."""
    return PasswordHasher(CHEAP)


@pytest.fixture(scope="module")
def problems():
    """password_problems rendered to English strings, as a request would see them."""
    app = create_app(make_settings())

    def render(password: str, **kwargs) -> list[str]:
        with app.test_request_context():
            return [str(problem) for problem in password_problems(password, **kwargs)]

    return render


def test_production_hashes_are_argon2id_at_owasp_minimum():
    """Production's own defaults, which it refuses to go below (tests/unit/test_settings.py)."""
    production = Settings()
    assert production.is_production
    stored = PasswordHasher(production).hash(PASSPHRASE)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    parameters = argon2.extract_parameters(stored)
    assert parameters.type is argon2.Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)


def test_hashes_use_the_configured_parameters(hasher):
    stored = hasher.hash(PASSPHRASE)
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert hasher.hash(PASSPHRASE) != stored


def test_verify_accepts_only_the_right_password(hasher):
    stored = hasher.hash(PASSPHRASE)
    assert hasher.verify(stored, PASSPHRASE) is True
    assert hasher.verify(stored, PASSPHRASE.upper()) is False
    assert hasher.verify(stored, "") is False


@pytest.mark.parametrize(
    "stored",
    ["", "not a hash", "$argon2id$v=19$m=1024,t=1,p=1$", "$2b$12$" + "a" * 53],
)
def test_verify_is_false_for_malformed_hashes(hasher, stored):
    assert hasher.verify(stored, PASSPHRASE) is False


def test_verify_is_false_for_a_tampered_hash(hasher):
    stored = hasher.hash(PASSPHRASE)
    tampered = stored[:-2] + ("AA" if not stored.endswith("AA") else "BB")
    assert hasher.verify(tampered, PASSPHRASE) is False


def test_needs_rehash_is_false_at_current_parameters(hasher):
    assert hasher.needs_rehash(hasher.hash(PASSPHRASE)) is False


@pytest.mark.parametrize(
    "raised",
    [{"argon2_memory_kib": 2048}, {"argon2_time_cost": 2}, {"argon2_parallelism": 2}],
)
def test_needs_rehash_when_parameters_rise(hasher, raised):
    stored = hasher.hash(PASSPHRASE)
    assert PasswordHasher(replace(CHEAP, **raised)).needs_rehash(stored) is True


def test_needs_no_rehash_when_parameters_fall(hasher):
    stronger = PasswordHasher(replace(CHEAP, argon2_memory_kib=2048, argon2_time_cost=2))
    assert hasher.needs_rehash(stronger.hash(PASSPHRASE)) is False


def test_needs_rehash_for_other_argon2_types(hasher):
    argon2i = argon2.PasswordHasher(
        memory_cost=1024, time_cost=1, parallelism=1, type=argon2.Type.I
    )
    stored = argon2i.hash(PASSPHRASE)
    assert hasher.verify(stored, PASSPHRASE) is True
    assert hasher.needs_rehash(stored) is True


def test_dummy_verify_never_matches(hasher):
    assert hasher.dummy_verify(PASSPHRASE) is False
    assert hasher.dummy_verify("") is False


def test_fullwidth_password_verifies_against_its_normalised_form(hasher):
    fullwidth = "ｃｏｒｒｅｃｔ　ｈｏｒｓｅ　１２３４"
    assert hasher.verify(hasher.hash(fullwidth), "correct horse 1234") is True
    assert hasher.verify(hasher.hash("correct horse 1234"), fullwidth) is True


def test_decomposed_accents_verify_against_composed_ones(hasher):
    assert hasher.verify(
        hasher.hash("café au lait, s'il vous plaît"), "cafe\u0301 au lait, s'il vous plai\u0302t"
    )


def test_a_long_random_passphrase_is_accepted(problems):
    assert problems(PASSPHRASE) == []
    assert problems("tP4#vq9!Lm2@xR7$", email="maria.lopez@example.org") == []


def test_length_limits_are_inclusive(problems):
    assert problems("x7" * 6) == []
    assert problems("x7" * 64) == []


@pytest.mark.parametrize("password", ["", "short", "x7" * 5 + "x"])
def test_shorter_than_twelve_is_refused(problems, password):
    assert TOO_SHORT in problems(password)


def test_longer_than_128_is_refused(problems):
    assert problems("x7" * 64 + "x") == [TOO_LONG]


def test_length_counts_code_points_after_nfkc(problems):
    assert problems("ﬃ" * 4) == []
    assert problems("e\u0301" * 11) == [TOO_SHORT]


@pytest.mark.parametrize(
    "password",
    ["password1234", "PassWord1234", "qwerty123456", "1q2w3e4r5t6y", "ｐａｓｓｗｏｒｄ１２３４"],
)
def test_common_passwords_are_refused(problems, password):
    assert problems(password) == [TOO_COMMON]


def test_short_common_passwords_get_both_problems(problems):
    assert problems("password") == [TOO_SHORT, TOO_COMMON]


@pytest.mark.parametrize(
    "password",
    ["maria.lopez.garcia", "Maria.Lopez.Garcia", "my name is maria.lopez.garcia!"],
)
def test_the_email_local_part_is_refused(problems, password):
    assert problems(password, email="maria.lopez.garcia@example.org") == [HAS_EMAIL]


def test_very_short_local_parts_are_not_searched_for(problems):
    assert problems("a banner for the annual fair", email="ann@example.org") == []


def test_a_local_part_of_four_characters_is_searched_for(problems):
    assert problems("a banner for anna at the fair", email="anna@example.org") == [HAS_EMAIL]


def test_the_local_part_is_everything_before_the_last_at(problems):
    """A quoted local part may hold an @: only the whole of it is refused, not its first half."""
    email = '"river@stone"@example.org'
    assert problems('"river bends slowly past the mill', email=email) == []
    assert problems('my "river@stone" is a good name', email=email) == [HAS_EMAIL]


def test_the_email_check_needs_an_email(problems):
    assert problems("maria.lopez.garcia") == []
