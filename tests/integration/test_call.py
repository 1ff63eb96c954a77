"""Ask for a call through the survivor pages: the form, its errors, the receipt and its lookup."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, unlock
from webapp.callbacks.models import CallbackRequest
from webapp.db import session_scope

MONDAY_1830_CHICAGO = 1_799_713_800.0  # 2027-01-12 00:30 UTC
TICKET = re.compile(r'name="ticket" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'<code data-testid="callback-receipt">([a-z2-9-]{14})</code>')


@pytest.fixture
def survivor(migrated_app, clock):
    clock.now = MONDAY_1830_CHICAGO
    client = migrated_app.test_client()
    unlock(client)
    return client


def the_form(client) -> dict:
    page = client.get("/call").get_data(as_text=True)
    return {"csrf_token": csrf_token(page), "ticket": TICKET.search(page).group(1)}


def fields(**changes) -> dict:
    values = {
        "number": "(217) 555-0142",
        "windows-0-days": ["0", "1", "2", "3", "4"],
        "windows-0-start": "1080",
        "windows-0-end": "1200",
        "time_zone": "America/Chicago",
        "language": "es",
        "topic": "",
        "name": "Rosa",
        "question": "Is this the pharmacy?",
        "answer": "Yes, about my order",
        "voicemail": "no",
        "if_dropped": "next_window",
        "note": "",
    }
    return values | changes


def requests_stored(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(CallbackRequest))


def ask(client, **changes):
    return client.post("/call", data=the_form(client) | fields(**changes))


def test_the_form_is_behind_the_code_and_has_its_hooks(migrated_app, survivor):
    assert migrated_app.test_client().get("/call").headers["Location"] == "/"
    page = survivor.get("/call").get_data(as_text=True)
    for hook in ("callback-number", "callback-submit"):
        assert f'data-testid="{hook}"' in page


def test_a_request_shows_its_receipt_once_after_it_is_stored(migrated_app, survivor):
    asked = ask(survivor)
    assert asked.status_code == 303 and requests_stored(migrated_app) == 1
    receipt_page = survivor.get(asked.headers["Location"]).get_data(as_text=True)
    receipt = RECEIPT.search(receipt_page).group(1)
    again = survivor.get(asked.headers["Location"]).get_data(as_text=True)
    assert receipt not in again and "shown only once" in again
    with session_scope(migrated_app) as session:
        stored = session.scalars(select(CallbackRequest)).one()
        assert stored.number == "+12175550142" and stored.windows[0]["start"] == 1080
        assert receipt not in stored.receipt_hash


def test_a_replayed_form_makes_one_request_and_shows_the_same_receipt(migrated_app, survivor):
    form = the_form(survivor) | fields()
    first = survivor.get(survivor.post("/call", data=form).headers["Location"])
    second = survivor.get(survivor.post("/call", data=form).headers["Location"])
    codes = [RECEIPT.search(page.get_data(as_text=True)).group(1) for page in (first, second)]
    assert codes[0] == codes[1] and requests_stored(migrated_app) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": "call me maybe"}, "That is not a number we can call."),
        ({"number": ""}, "Type the number we should call."),
        ({"windows-0-start": "1200", "windows-0-end": "1080"}, "must end after it starts"),
        ({"windows-0-days": []}, "Choose at least one day"),
        ({"time_zone": "Mars/Olympus"}, "Not a valid choice"),
        ({"note": "x" * 501}, "Use at most 500 letters."),
        ({"voicemail": "yes", "voicemail_text": ""}, "Write what a message may say"),
        ({"ticket": "forged.ticket.value"}, "This form was open for too long."),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_stores_nothing(
    migrated_app, survivor, changes, message
):
    form = the_form(survivor) | fields(**changes)
    answer = survivor.post("/call", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in page
    assert requests_stored(migrated_app) == 0
    assert 'value="Rosa"' in page and "Is this the pharmacy?" in page, "what she typed stays"


def test_too_many_asks_are_refused_with_a_reason_and_what_she_typed_stays(migrated_app, survivor):
    statuses = [ask(survivor, number=f"(217) 555-01{n:02d}").status_code for n in range(20)]
    assert statuses == [303] * 20 and requests_stored(migrated_app) == 20
    refused = ask(survivor, number="(217) 555-0199")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many tries in a short time." in page
    assert "(217) 555-0199" in page and 'value="Rosa"' in page, "what she typed stays"
    assert 'data-testid="quick-exit"' in page and requests_stored(migrated_app) == 20


def test_the_errors_speak_her_language(migrated_app, survivor):
    survivor.post("/lang", data={"csrf_token": the_form(survivor)["csrf_token"], "lang": "es"})
    page = ask(survivor, number="123").get_data(as_text=True)
    assert 'lang="es"' in page and "That is not a number we can call." not in page


def test_the_form_librarys_own_messages_follow_her_language_each_time(migrated_app, survivor):
    def bad_zone(lang: str) -> str:
        token = the_form(survivor)["csrf_token"]
        survivor.post("/lang", data={"csrf_token": token, "lang": lang})
        return ask(survivor, time_zone="Mars/Olympus").get_data(as_text=True)

    assert "Opción inválida" in bad_zone("es")  # WTForms' own catalogue, in Spanish
    assert "不是有效的选择" in bad_zone("zh")
    assert "Not a valid choice" in bad_zone("en")
    assert "Opción inválida" in bad_zone("es")


def test_the_receipt_shows_how_it_goes_and_cancels(migrated_app, survivor, clock):
    asked = ask(survivor)
    receipt = RECEIPT.search(survivor.get(asked.headers["Location"]).get_data(as_text=True))[1]
    other_device = migrated_app.test_client()
    unlock(other_device)
    token = csrf_token(other_device.get("/call").get_data(as_text=True))
    looked_up = other_device.post("/call/check", data={"csrf_token": token, "receipt": receipt})
    assert looked_up.headers["Location"] == "/call/status"
    status = other_device.get("/call/status").get_data(as_text=True)
    assert "Waiting for an advocate" in status
    token = csrf_token(status)
    other_device.post("/call/cancel", data={"csrf_token": token})
    assert "Nobody will call" in other_device.get("/call/status").get_data(as_text=True)


def test_a_wrong_receipt_gets_the_answer_an_unknown_one_gets_and_guessing_stops(survivor):
    asked = ask(survivor)
    receipt = RECEIPT.search(survivor.get(asked.headers["Location"]).get_data(as_text=True))[1]
    answers = []
    for guess in [f"aaaa-bbbb-cc{n:02d}" for n in range(10)] + [receipt]:
        token = csrf_token(survivor.get("/call").get_data(as_text=True))
        answer = survivor.post("/call/check", data={"csrf_token": token, "receipt": guess})
        answers.append(answer.status_code)
    assert answers == [400] * 11, "after ten wrong codes even the right one is not told apart"
