"""What a hostile or clumsy client sends gets an answer a person can read, never a server error."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import UNLOCK_CODE, csrf_token, make_settings, post_form, unlock
from webapp import create_app

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1e30", "1e+30"),
        ("9e15*9e15", "8.1e+31"),
        ("-1e30", "-1e+30"),
        ("1e999", None),
        ("1/0", None),
        ("1+" * 40 + "1", None),
    ],
)
def test_the_calculator_shows_a_result_or_says_it_cannot(clock, typed, shown):
    client = create_app(make_settings(disguise="calculator"), clock=clock).test_client()
    response = post_form(client, "/", "/", {"q": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if shown is None:
        assert "That cannot be calculated" in page
    else:
        assert f'value="{shown}"' in page


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH], ids=["arabic-indic", "full-width"])
def test_the_code_typed_on_another_keyboard_opens_the_app(client, digits):
    response = unlock(client, code=UNLOCK_CODE.translate(digits))
    assert response.status_code == 303 and response.headers["Location"] == "/tips"


def test_a_device_code_typed_in_arabic_digits_is_kept(unlocked):
    code = "97531".translate(ARABIC_INDIC)
    saved = post_form(unlocked, "/settings", "/settings/code", {"code": code, "confirm": code})
    assert saved.status_code == 200 and "only your own code opens the app" in saved.get_data(
        as_text=True
    )


def test_a_page_number_no_database_can_reach_is_a_clear_refusal(seeded_app):
    client = seeded_app.test_client()
    assert client.get("/api/hsds/services?page=99999999999999999999").status_code == 400
    unlock(client)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    answer = client.post("/places", data={"csrf_token": token, "q": "a", "page": "9" * 400})
    assert answer.status_code == 400 and "Type a smaller number." in answer.get_data(as_text=True)


def test_an_account_number_no_database_holds_is_not_found(migrated_app):
    from tests import factories
    from tests.integration.test_access import browser_as  # an admin's browser
    from webapp.db import session_scope

    with session_scope(migrated_app) as session:
        factories.user(
            session,
            migrated_app.config["HAVEN_SETTINGS"],
            email="admin@haven.test",
            roles=["admin"],
        )
    admin = browser_as(migrated_app, migrated_app.extensions["clock"], "admin")
    assert admin.get("/admin/users/99999999999999999999").status_code == 404
    assert admin.get("/admin/users/2147483647").status_code == 404


def test_a_file_sent_in_place_of_the_search_words_is_not_read_as_them(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    answer = client.post(
        "/places",
        data={"csrf_token": token, "q": (io.BytesIO(b"shelter"), "words.txt")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert answer.status_code == 200
    search_field = re.search(r'<input[^>]*name="q"[^>]*>', answer.get_data(as_text=True)).group()
    assert "shelter" not in search_field


def test_a_page_of_words_is_refused_with_a_reason_and_kept(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    words = "refuge " * 60_000
    token = csrf_token(client.get("/places").get_data(as_text=True))
    answer = client.post("/places", data={"csrf_token": token, "q": words})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Use fewer words" in page
    assert 'aria-invalid="true"' in page and "refuge refuge" in page, "what was typed stays"


def test_searches_are_limited_per_client_without_a_record_of_them(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    statuses = [
        client.post("/places", data={"csrf_token": token, "q": "shelter"}).status_code
        for _ in range(32)
    ]
    assert statuses[:30] == [303] * 30 and statuses[-1] == 429
    refused = client.post("/places", data={"csrf_token": token, "q": "shelter"})
    page = refused.get_data(as_text=True)
    assert 'data-testid="quick-exit"' in page, "the refusal keeps the exit"
    assert "shelter" not in page
