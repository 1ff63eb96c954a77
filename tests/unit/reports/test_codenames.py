"""Codenames: seven words of the EFF long list, and what the server keeps of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.words import revealing_words_in
from webapp.reports import codenames

CHEAP = {"memory_kib": 1024, "time_cost": 1, "parallelism": 1}
PEPPER = "p" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"


def test_the_list_is_the_eff_long_list_less_the_words_that_give_the_purpose_away():
    words = codenames.word_list()
    assert len(words) == 7746 and len(set(words)) == 7746
    assert {"abacus", "zoom"} <= set(words)
    assert not {"shelter", "police", "survivor", "panic", "unsafe"} & set(words)


def test_a_codename_is_seven_listed_words_drawn_afresh_each_time():
    drawn = [codenames.new_codename() for _ in range(50)]
    assert len(set(drawn)) == 50
    for codename in drawn:
        words = codename.split(" ")
        assert len(words) == 7 and set(words) <= set(codenames.word_list())


def test_the_lookup_key_forgives_case_and_spacing_but_not_another_word():
    key = codenames.lookup_key(PEPPER, "abacus zoom yo-yo t-shirt drop-down vowel pep", **CHEAP)
    typed = "  Abacus\nZOOM  yo-yo t-shirt, drop-down vowel pep "
    assert codenames.lookup_key(PEPPER, typed, **CHEAP) == key
    dashed = "abacus-zoom-yo-yo-t-shirt-drop-down-vowel-pep"
    assert codenames.normalise(dashed) != ""  # words joined by dashes still read as words
    other = codenames.lookup_key(PEPPER, "abacus zoom yo-yo t-shirt drop-down vowel pet", **CHEAP)
    assert other != key and len(key) == 64


def test_the_lookup_key_depends_on_the_pepper_and_never_shows_the_codename():
    codename = codenames.new_codename()
    key = codenames.lookup_key(PEPPER, codename, **CHEAP)
    assert codenames.lookup_key(PEPPER[::-1], codename, **CHEAP) != key
    assert not any(word in key for word in codename.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He came back late and shouted about money, then broke the door.", False),
        ("my code is abacus zoom vowel pep unsaid crumb dingy, keep it", True),
        ("Abacus-Zoom-Vowel-Pep-Unsaid-Crumb-Dingy", True),
        ("abacus zoom vowel pep unsaid crumb", False),
        ("xqzt abacus zoom vowel pep unsaid crumb", False),  # a word off the list breaks the run
        ("keep abacus zoom yo-yo t-shirt drop-down vowel pep", True),  # listed dashed words
    ],
)
def test_a_codename_pasted_into_text_is_noticed(text, expected):
    assert codenames.looks_like_codename(text) is expected


def test_a_codename_is_kept_as_its_words_in_lower_case_one_space_apart():
    assert codenames.normalise("  Abacus\tZOOM,  yo-yo ") == "abacus zoom yo-yo"


def test_no_phrase_word_gives_the_purpose_away_and_the_notebook_draws_from_the_same_list():
    words = codenames.word_list()
    assert len(words) == 7746
    assert [word for word in words if revealing_words_in(word)] == []
    shipped = Path(__file__).parents[3] / "pwa" / "src" / "static" / "words.txt"
    assert sorted(shipped.read_text(encoding="utf-8").split()) == list(words)
