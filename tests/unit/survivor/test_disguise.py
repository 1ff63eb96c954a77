"""The decoys' own logic: the calculator, recipe search and the unlock check."""

from __future__ import annotations

import pytest

from webapp.survivor.disguise import (
    CalculationError,
    calculate,
    code_unlocks,
    device_code_token,
)

SECRET = "a test secret key that is long enough"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1+2", "3"),
        ("12×(3+4)÷2", "42"),
        ("0.1+0.2", "0.3"),
        ("10÷4", "2.5"),
        ("−5+2", "-3"),
        ("50%", "0.5"),
        ("200×15%", "30"),
        ("1,5×2", "3"),
        ("1÷3", "0.3333333333333333"),
    ],
)
def test_calculator_answers_like_a_pocket_calculator(typed, shown):
    assert calculate(typed) == shown


@pytest.mark.parametrize(
    "typed",
    ["", "1+", "2**10", "17%5", "__import__('os')", "1÷0", "abs(1)", "9" * 80, "1 if 1 else 2"],
)
def test_calculator_refuses_anything_but_arithmetic(typed):
    with pytest.raises(CalculationError):
        calculate(typed)


def test_deployment_code_opens_a_device_without_its_own():
    assert code_unlocks("2468", default_code="2468", device_token="", secret_key=SECRET)
    assert code_unlocks(" 2468 ", default_code="2468", device_token="", secret_key=SECRET)
    assert not code_unlocks("2469", default_code="2468", device_token="", secret_key=SECRET)


def test_a_device_with_its_own_code_opens_only_with_it():
    token = device_code_token(SECRET, "97531")
    assert code_unlocks("97531", default_code="2468", device_token=token, secret_key=SECRET)
    assert not code_unlocks("2468", default_code="2468", device_token=token, secret_key=SECRET)


@pytest.mark.parametrize("kept", ["garbage", "salt.", ".tag"])
def test_a_device_whose_kept_token_is_broken_opens_with_the_deployment_code(kept):
    assert code_unlocks("2468", default_code="2468", device_token=kept, secret_key=SECRET)
    assert not code_unlocks("2469", default_code="2468", device_token=kept, secret_key=SECRET)


def test_device_tokens_are_salted():
    assert device_code_token(SECRET, "97531") != device_code_token(SECRET, "97531")


def test_only_code_shaped_entries_are_checked():
    assert not code_unlocks("rice", default_code="2468", device_token="", secret_key=SECRET)
    assert not code_unlocks("24", default_code="24", device_token="", secret_key=SECRET)
