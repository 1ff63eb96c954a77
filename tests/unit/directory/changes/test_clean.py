"""Reading what an editor typed: the value stored, or why it cannot be."""

from __future__ import annotations

import pytest

from webapp.directory.changes import clean
from webapp.directory.changes.fields import editable

NUMBER = editable("phone", "number")


@pytest.mark.parametrize("typed", ["1-800-FLOWERS", "217-555-O142", "call 217 555 0142", "12"])
def test_a_number_with_letters_or_too_short_is_not_a_phone_number(typed):
    with pytest.raises(clean.BadValue) as refused:
        clean.value(NUMBER, typed)
    assert refused.value.code == "not_phone"


@pytest.mark.parametrize(
    "typed", ["(217) 555-0142", "+44 20 7946 0018", "988", "217-555-0142 ext. 12"]
)
def test_numbers_people_dial_are_kept_as_written(typed):
    assert clean.value(NUMBER, f"  {typed} ") == typed


@pytest.mark.parametrize(
    "typed", ["javascript:alert(1)", "ftp://example.org/", "example.org", "https://", "http://a b"]
)
def test_only_web_addresses_are_addresses(typed):
    with pytest.raises(clean.BadValue) as refused:
        clean.value(editable("service", "url"), typed)
    assert refused.value.code == "not_url"


def test_rich_text_keeps_a_few_tags_and_nothing_that_runs():
    kept = clean.value(
        editable("service", "description"),
        '<p style="x" onclick="y">One <em>two</em></p><script>z()</script><iframe src=q></iframe>'
        '<ul><li>three</li></ul><a href="https://example.org">four</a>',
    )
    assert kept == "<p>One <em>two</em></p><ul><li>three</li></ul>four"


def test_markup_alone_is_not_a_description():
    with pytest.raises(clean.BadValue) as refused:
        clean.value(editable("service", "description"), "<script>alert(1)</script>")
    assert refused.value.code == "empty_after_cleaning"


def test_limits_requirements_and_numbers():
    with pytest.raises(clean.BadValue) as refused:
        clean.value(editable("service", "alert"), "x" * 501)
    assert (refused.value.code, refused.value.limit) == ("too_long", 500)
    with pytest.raises(clean.BadValue) as refused:
        clean.value(editable("service", "name"), "   ")
    assert refused.value.code == "required"
    assert clean.value(editable("service", "alternate_name"), "  ") is None
    assert clean.value(editable("service", "name"), " Riverside \n shelter ") == "Riverside shelter"
    assert clean.value(editable("service_capacity", "available"), " 12 ") == 12
    for typed, code in (("-1", "not_number"), ("1.5", "not_number"), ("٣", "not_number")):
        with pytest.raises(clean.BadValue) as refused:
            clean.value(editable("service_capacity", "available"), typed)
        assert refused.value.code == code
    with pytest.raises(clean.BadValue) as refused:
        clean.value(editable("service", "minimum_age"), "200")
    assert refused.value.code == "not_age"


def test_a_phone_type_is_one_of_hsds_kinds():
    assert clean.value(editable("phone", "type"), "textphone") == "textphone"
    with pytest.raises(clean.BadValue):
        clean.value(editable("phone", "type"), "carrier pigeon")
