"""The report form's proof of work: a nonce bound to the form's ticket, checked without fuss."""

from __future__ import annotations

import hashlib
import random

import pytest

from webapp.reports import proofs

TICKET = "ImE5Mjg5MTQzODAyMWI2MDRmY2IzZTk4MzliNjMxODQyIg.awtefA.xHyUyDFQCI8jhh7BBvUZHyCicPo"
OTHER_TICKET = "ImJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiIg.awtefA.Qm9vb29vb29vb29vb29vb29vb28"
BITS = 12


def zero_bits(ticket: str, nonce: str) -> int:
    digest = hashlib.sha256(f"{ticket}:{nonce}".encode()).digest()
    return proofs.leading_zero_bits(digest)


def test_leading_zero_bits_counts_from_the_first_byte():
    assert proofs.leading_zero_bits(b"\x80" + b"\x00" * 31) == 0
    assert proofs.leading_zero_bits(b"\x00\x01" + b"\xff" * 30) == 15
    assert proofs.leading_zero_bits(b"\x00\x00\x20" + b"\xff" * 29) == 18
    assert proofs.leading_zero_bits(b"\x00" * 32) == 256


def test_a_solved_proof_is_accepted_and_has_the_bits_it_claims():
    nonce = proofs.solve(TICKET, BITS)
    assert proofs.verify(TICKET, nonce, BITS)
    assert zero_bits(TICKET, nonce) >= BITS
    assert all(zero_bits(TICKET, proofs.nonce_for(n)) < BITS for n in range(int(nonce, 36)))


def test_a_wrong_nonce_is_refused():
    nonce = proofs.solve(TICKET, BITS)
    wrong = [proofs.nonce_for(n) for n in range(int(nonce, 36) + 1, int(nonce, 36) + 200)]
    refused = [n for n in wrong if zero_bits(TICKET, n) < BITS]
    assert refused and not any(proofs.verify(TICKET, n, BITS) for n in refused)


def test_a_proof_for_another_ticket_is_refused():
    nonce = proofs.solve(TICKET, BITS)
    assert zero_bits(OTHER_TICKET, nonce) < BITS, "this pair was chosen so it does not carry over"
    assert not proofs.verify(OTHER_TICKET, nonce, BITS)
    assert not proofs.verify(TICKET + "x", nonce, BITS)


def test_too_few_bits_are_refused():
    nonce = proofs.solve(TICKET, 8)
    found = zero_bits(TICKET, nonce)
    assert proofs.verify(TICKET, nonce, found)
    assert not proofs.verify(TICKET, nonce, found + 1)


@pytest.mark.parametrize(
    ("ticket", "nonce"),
    [
        (None, None),
        (TICKET, None),
        (None, "0"),
        (TICKET, 17),
        (b"ticket", "0"),
        (TICKET, b"0"),
        (["a"], {"b": 1}),
        ("", "0"),
        (TICKET, ""),
        (TICKET, "ZZ"),
        (TICKET, "-1"),
        (TICKET, " 1"),
        (TICKET, "1\n"),
        (TICKET, "0" * 17),
        (TICKET, "1.5"),
        (TICKET, "١٢٣"),
        ("tïcket", "0"),
        ("\ud800", "0"),
        (TICKET, "\ud800"),
        ("x" * 201, "0"),
        ("x" * 1_000_000, "0" * 1_000_000),
    ],
)
def test_garbage_is_no_proof_and_never_raises(ticket, nonce):
    assert proofs.verify(ticket, nonce, 0) is False


def test_random_text_never_raises():
    draw = random.Random(13)  # noqa: S311 - repeatable test input, not a secret
    alphabet = "az09:._-\n \x00é漢\ud800🙂"
    for _ in range(2000):
        ticket = "".join(draw.choice(alphabet) for _ in range(draw.randrange(0, 40)))
        nonce = "".join(draw.choice(alphabet) for _ in range(draw.randrange(0, 20)))
        assert proofs.verify(ticket, nonce, BITS) in (True, False)
