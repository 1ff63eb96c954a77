"""Every language complete, negotiated the documented way, and rendered with lang and dir."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import csrf_token, unlock
from webapp.i18n import TRANSLATIONS, normalise
from webapp.settings import SUPPORTED_LOCALES

TRANSLATED = [code for code in SUPPORTED_LOCALES if code != "en"]
PAGES = ["/", "/home", "/tips", "/places", "/call", "/write", "/notes", "/settings", "/nowhere"]
HTML_TAG = re.compile(r'<html lang="([^"]+)" dir="(ltr|rtl)"')


def catalog(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def template_ids() -> set[str]:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    messages = [message for message in catalog(code) if message.id]
    missing = [
        message.id
        for message in messages
        if message.fuzzy
        or not message.string
        or (isinstance(message.string, tuple) and not all(message.string))
    ]
    assert missing == []
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in messages}
    assert ids == template_ids(), "catalog out of step with messages.pot: run pybabel update"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_survive_translation(code):
    for message in catalog(code):
        if not message.id or not message.python_format:
            continue
        wanted = set(re.findall(r"%\(\w+\)\w", str(message.id)))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert set(re.findall(r"%\(\w+\)\w", text)) <= wanted, (code, message.id)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-MX,es;q=0.9", "es"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("ar", "ar"),
        ("de-DE,fr;q=0.5", "fr"),
        ("de-DE", "en"),
        ("vi-VN", "vi"),
    ],
)
def test_accept_language_is_honoured(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert HTML_TAG.search(page).group(1) == expected


def test_explicit_choice_beats_the_browser(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/lang", data={"csrf_token": token, "lang": "vi", "next": "/"})
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert HTML_TAG.search(page).group(1) == "vi"


def test_unknown_choice_changes_nothing(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/lang", data={"csrf_token": token, "lang": "xx", "next": "/"})
    assert HTML_TAG.search(client.get("/").get_data(as_text=True)).group(1) == "en"


@pytest.mark.parametrize("code", SUPPORTED_LOCALES)
def test_every_page_declares_its_language_and_direction(client, code):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = code.replace("_", "-")
    unlock(client)
    english_exit = "Quick exit"
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        lang, direction = HTML_TAG.search(page).groups()
        assert lang == code.replace("_", "-")
        assert direction == ("rtl" if code == "ar" else "ltr")
        if path != "/" and code != "en":
            assert english_exit not in page, (code, path, "untranslated quick exit")


def test_language_names_are_their_own(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("English", "Español", "العربية", "中文 (简体)", "Tiếng Việt", "Français"):
        assert name in page


@pytest.mark.parametrize(("tag", "found"), [("zh-SG", "zh_Hans"), ("fr-CA", "fr"), ("pt", None)])
def test_tags_normalise_to_supported_locales(tag, found):
    assert normalise(tag) == found


def test_messages_pot_holds_every_string_in_the_code(tmp_path):
    """A string added to a template or view without `make messages` fails here."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.prefix) / "bin" / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=TRANSLATIONS.parent,
        check=True,
    )
    with open(fresh, "rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert extracted == template_ids()
