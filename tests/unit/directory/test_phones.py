"""Directory phone numbers: which can be called, and what a link dials."""

from __future__ import annotations

import pytest

from webapp.directory import phones


@pytest.mark.parametrize(
    ("written", "extension", "dialled"),
    [
        ("1-800-799-7233", None, "+18007997233"),
        ("+1217-555-0142", "204", "+12175550142,204"),
        ("(217) 555-0142 ext. 204", None, "+12175550142,204"),
        ("988", None, "988"),
        ('"+44 1234 234567"', "100", "+441234234567,100"),
        (
            "call us (stored before numbers were checked)",
            None,
            "callus(storedbeforenumberswerechecked)",
        ),
    ],
)
def test_a_link_dials_the_whole_number_then_the_extension(written, extension, dialled):
    assert phones.dial(written, extension) == dialled


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("1-800-799-7233", None),
        ("88788", None),
        ("call us!! (not a phone)", "is not a phone number"),
        ("555-0100", "is not a valid phone number"),
    ],
)
def test_only_numbers_one_can_call_or_text_pass(written, problem):
    found = phones.problem(written)
    assert (found or "").startswith(problem or "") and (found is None) == (problem is None)
