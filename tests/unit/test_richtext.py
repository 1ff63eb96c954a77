"""Directory text with a few tags, shown safely whatever wrote it."""

from __future__ import annotations

from webapp import richtext


def test_plain_text_is_escaped_and_keeps_its_line_breaks():
    shown = richtext.to_html('Ages < 18 & "families"\nCall first')
    assert str(shown) == "Ages &lt; 18 &amp; &#34;families&#34;<br>Call first"


def test_rich_text_is_cleaned_again_when_shown():
    stored = '<p onclick="x()">Open <strong>late</strong></p><script>alert(1)</script>'
    assert str(richtext.to_html(stored)) == "<p>Open <strong>late</strong></p>"


def test_the_words_alone_for_extracts_and_search():
    assert richtext.to_plain("<p>One &amp; two</p><ul><li>three</li></ul>") == "One & two three"
    assert richtext.to_plain("no tags < here") == "no tags < here"
