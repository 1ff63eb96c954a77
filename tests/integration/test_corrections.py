""" "Something here is wrong": from her service page to the moderators' list, naming no one.

Her side goes through the test client (and, for what the logs and the database keep, through
a real HTTP server behind a trusted proxy); the moderators' side through a signed-in staff
client.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import inspect, select, text

from tests import factories
from tests.conftest import UNLOCK_CODE, LiveServer, app_on, csrf_token, unlock
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.directory.models import Correction

AT_1547 = datetime(2027, 1, 12, 15, 47, 13, tzinfo=UTC)
WORDS = "The number now rings a pizza place on Elm Street"
# Who she is, as the server could see it: none of it may be kept anywhere.
HER_ADDRESS = "198.51.100.231"
HER_BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Quokka-Browser/7.3.1"
COLUMNS = {
    "id",
    "service_id",
    "kind",
    "details",
    "received_at",
    "status",
    "resolved_at",
    "resolved_by",
    "note",
    "erased_at",
}


@pytest.fixture
def app(db_app, clock):
    clock.now = AT_1547.timestamp()
    return db_app


@pytest.fixture
def clinic(app) -> str:
    with session_scope(app) as session:
        return factories.service(session, name="Riverside Legal Clinic")


@pytest.fixture
def survivor(app):
    client = app.test_client()
    unlock(client)
    return client


def staff(app, clock, role: str):
    """A browser signed in as a new staff member with this role."""
    client = app.test_client()
    with session_scope(app) as session:
        user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=[role])
        token = start_session(session, user, now=datetime.fromtimestamp(clock.time(), UTC))
    client.set_cookie("staff", token)
    return client


def send(client, service_id: str, *, environ_base=None, **fields):
    form = f"/places/{service_id}/fix"
    token = csrf_token(client.get(form).get_data(as_text=True))
    data = {"csrf_token": token, "kind": "phone", "details": WORDS} | fields
    return client.post(form, data=data, environ_base=environ_base or {})


def stored(app) -> list[Correction]:
    with session_scope(app) as session:
        return list(session.scalars(select(Correction)))


def main_of(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main") : page.index("</main>")]


def test_the_service_page_leads_to_a_form_behind_the_code(app, clinic, survivor):
    place = survivor.get(f"/places/{clinic}").get_data(as_text=True)
    assert f'<a href="/places/{clinic}/fix">Something here is wrong</a>' in place
    form = survivor.get(f"/places/{clinic}/fix").get_data(as_text=True)
    assert "Riverside Legal Clinic" in form and 'data-testid="quick-exit"' in form
    assert re.search(r'<form method="post" [^>]*autocomplete="off"', form)
    assert re.search(r'<textarea [^>]*autocomplete="off"', form), "no autofill entry of her words"
    locked = app.test_client()
    for answer in (locked.get(f"/places/{clinic}/fix"), locked.post(f"/places/{clinic}/fix")):
        assert answer.status_code in (303, 400)
    assert locked.get(f"/places/{clinic}/fix").headers["Location"] == "/"
    assert stored(app) == []


def test_a_correction_reaches_the_moderators_list(app, clock, clinic, survivor):
    sent = send(survivor, clinic)
    assert sent.status_code == 303 and sent.headers["Location"] == f"/places/{clinic}/thanks"
    assert WORDS not in sent.headers["Location"]
    thanks = survivor.get(sent.headers["Location"])
    assert "Thank you" in main_of(thanks) and 'data-testid="quick-exit"' in thanks.text
    assert WORDS not in thanks.text, "the thank-you repeats nothing she wrote"

    listed = main_of(staff(app, clock, "moderator").get("/portal/corrections"))
    assert f'<a href="/portal/services/{clinic}">Riverside Legal Clinic</a>' in listed
    assert "The phone number" in listed and WORDS in listed
    assert "10:00\u2009–\u200911:00, Jan 12, 2027" in listed, "the hour, in the directory's zone"


def test_the_form_swapped_in_by_the_page_script_learns_of_the_thanks_without_a_redirect(
    app, clinic, survivor
):
    token = csrf_token(survivor.get(f"/places/{clinic}/fix").get_data(as_text=True))
    sent = survivor.post(
        f"/places/{clinic}/fix",
        data={"csrf_token": token, "kind": "closed"},
        headers={"X-Replace": "1"},
    )
    assert sent.status_code == 204
    assert sent.headers["X-Replace-Location"] == f"/places/{clinic}/thanks"
    assert [c.kind for c in stored(app)] == ["closed"]


def test_what_is_stored_and_logged_names_no_one(templates, database_kind, clock, caplog):
    """Through a real server behind one trusted proxy, so the app itself sees her address."""
    caplog.set_level(logging.DEBUG)
    clock.now = AT_1547.timestamp()
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, proxy_hops=1)
        with session_scope(app) as session:
            clinic = factories.service(session, name="Riverside Legal Clinic")
        with LiveServer(app) as server:
            browser = requests.Session()
            browser.headers.update({"User-Agent": HER_BROWSER, "X-Forwarded-For": HER_ADDRESS})
            decoy = browser.get(server.url + "/").text
            browser.post(server.url + "/", data={"csrf_token": csrf_token(decoy), "q": UNLOCK_CODE})
            form = browser.get(f"{server.url}/places/{clinic}/fix").text
            data = {"csrf_token": csrf_token(form), "kind": "phone", "details": WORDS}
            thanks = browser.post(f"{server.url}/places/{clinic}/fix", data=data)
            assert thanks.url == f"{server.url}/places/{clinic}/thanks"
            cookie = browser.cookies["s"]
        engine = app.extensions["db.engine"]
        with engine.connect() as connection:
            [row] = connection.execute(text("SELECT * FROM service_corrections")).mappings()
            dump = "\n".join(  # every row of every table (names from the database's catalog)
                repr(list(record))
                for table in inspect(engine).get_table_names()
                for record in connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            )
        [correction] = stored(app)
        engine.dispose()

    assert set(row) == COLUMNS, "a new column must be checked here before it may hold anything"
    assert correction.service_id == clinic and correction.kind == "phone"
    assert correction.details == WORDS and WORDS not in row["details"], "her words sealed"
    assert correction.received_at == datetime(2027, 1, 12, 15, 0, tzinfo=UTC), "the hour only"
    assert re.fullmatch(r"[0-9a-f-]{36}", correction.id), "a random id: no order of arrival"
    assert (correction.status, correction.resolved_at, correction.resolved_by) == (
        "open",
        None,
        None,
    )
    assert (correction.note, correction.erased_at) == (None, None)
    visit = hashlib.sha256(cookie.encode()).hexdigest()
    assert visit not in repr(dict(row)) and cookie not in repr(dict(row))

    # What the server logged (the test's own HTTP client logs its requests too).
    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("urllib3")
    )
    assert "POST /places/<service_id>/fix HTTP/1.1" in logged, "the access lines were read"
    for private in (HER_ADDRESS, HER_BROWSER, "Quokka", WORDS, "pizza", cookie, clinic):
        assert private not in logged, private
    for private in (HER_ADDRESS, HER_BROWSER, "Quokka", WORDS, "pizza", cookie):
        assert private not in dump, private


def test_a_filled_honeypot_gets_the_same_thanks_and_stores_nothing(app, clinic, survivor):
    sent = send(survivor, clinic, website="https://spam.example")
    assert sent.status_code == 303 and sent.headers["Location"] == f"/places/{clinic}/thanks"
    assert stored(app) == []


def test_too_many_from_one_client_keep_her_words_the_exit_and_store_nothing_more(
    app, clinic, survivor
):
    for _ in range(10):
        assert send(survivor, clinic).status_code == 303
    refused = send(survivor, clinic, kind="hours", details="Open until 9 now")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Several of these were sent from here in a short time." in page
    assert re.search(r'<input checked id="kind-\d" name="kind"[^>]*value="hours">', page)
    assert "Open until 9 now</textarea>" in page and 'data-testid="quick-exit"' in page
    assert len(stored(app)) == 10
    elsewhere = send(survivor, clinic, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert elsewhere.status_code == 303, "counted per client"


def test_the_limit_speaks_her_language(app, clinic, survivor):
    survivor.post(
        "/lang", data={"csrf_token": csrf_token(survivor.get("/home").text), "lang": "es"}
    )
    for _ in range(10):
        send(survivor, clinic)
    page = send(survivor, clinic).get_data(as_text=True)
    assert 'lang="es"' in page and "Several of these" not in page and WORDS in page


@pytest.mark.parametrize(
    ("fields", "english"),
    [
        ({"details": "x" * 501}, "Use at most 500 letters."),
        ({"kind": ""}, "Choose what is wrong."),
        ({"kind": "colour"}, "Not a valid choice"),
    ],
)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_bad_input_is_explained_in_her_language_and_kept(
    app, clinic, survivor, fields, english, language
):
    token = csrf_token(survivor.get("/home").get_data(as_text=True))
    survivor.post("/lang", data={"csrf_token": token, "lang": language})
    refused = send(survivor, clinic, **({"details": "Moved to Elm Street"} | fields))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and stored(app) == []
    assert (english in page) == (language == "en")
    field = "details" if "details" in fields else "kind"
    assert f'<p class="error" id="{field}-error">' in page
    assert re.search(f'aria-describedby="[^"]*{field}-error"', page), "tied to its field"
    assert (fields.get("details") or "Moved to Elm Street") + "</textarea>" in page


@pytest.mark.parametrize("kind", ["unknown", "draft", "inactive"])
def test_an_unknown_or_unpublished_service_gets_the_neutral_not_found(app, survivor, kind):
    with session_scope(app) as session:
        service = {
            "unknown": "ac148810-d857-441c-9679-408f346de14b",
            "draft": factories.service(session, draft=True),
            "inactive": factories.service(session, status="inactive"),
        }[kind]
    token = csrf_token(survivor.get("/home").get_data(as_text=True))
    answers = [
        survivor.get(f"/places/{service}/fix"),
        survivor.post(f"/places/{service}/fix", data={"csrf_token": token, "kind": "phone"}),
        survivor.get(f"/places/{service}/thanks"),
    ]
    for answer in answers:
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404 and "There is nothing at this address." in page
        assert 'data-testid="quick-exit"' in page and "Something here is wrong" not in page
    assert stored(app) == []


def moderator_page(app, clock):
    moderator = staff(app, clock, "moderator")
    return moderator, moderator.get("/portal/corrections").get_data(as_text=True)


def resolve(moderator, page: str, correction_id: str, **fields):
    data = {"csrf_token": csrf_token(page), "outcome": "handled"} | fields
    return moderator.post(f"/portal/corrections/{correction_id}", data=data)


def test_a_moderator_marks_one_handled_and_one_dismissed_with_notes(app, clock, clinic, survivor):
    send(survivor, clinic)
    send(survivor, clinic, kind="closed", details="")
    phone, closed = sorted(stored(app), key=lambda c: c.kind != "phone")
    moderator, page = moderator_page(app, clock)
    assert "Nothing written" in page
    handled = resolve(moderator, page, phone.id, note="Called them: new number is live")
    assert handled.status_code == 303 and handled.headers["Location"] == "/portal/corrections"
    assert "Marked handled." in moderator.get("/portal/corrections").get_data(as_text=True)
    resolve(moderator, page, closed.id, outcome="dismissed", note="Still open, checked")

    listed = main_of(moderator.get("/portal/corrections"))
    waiting, resolved = listed.split('id="resolved-title"')
    assert "No corrections are waiting." in waiting
    assert "Called them: new number is live" in resolved and "Still open, checked" in resolved
    assert "Handled" in resolved and "Dismissed" in resolved and WORDS in resolved

    again = resolve(moderator, page, phone.id, outcome="dismissed")
    assert again.status_code == 303
    assert "Another moderator has already handled that one." in moderator.get(
        "/portal/corrections"
    ).get_data(as_text=True)
    assert {c.id: c.status for c in stored(app)} == {phone.id: "handled", closed.id: "dismissed"}

    clock.advance(timedelta(days=15).total_seconds())
    later = main_of(moderator_page(app, clock)[0].get("/portal/corrections"))
    assert "Called them" not in later, "off the list two weeks after"


def test_a_note_too_long_is_refused_next_to_its_field_and_kept(app, clock, clinic, survivor):
    send(survivor, clinic)
    [correction] = stored(app)
    moderator, page = moderator_page(app, clock)
    refused = resolve(moderator, page, correction.id, note="n" * 201)
    text_ = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Use at most 200 letters." in text_
    assert f'id="note-{correction.id}-error"' in text_ and 'value="' + "n" * 201 + '"' in text_
    assert stored(app)[0].status == "open"


def test_an_unknown_correction_is_not_found(app, clock):
    moderator, page = moderator_page(app, clock)
    answer = resolve(moderator, page, "ac148810-d857-441c-9679-408f346de14b")
    assert answer.status_code == 404


@pytest.mark.parametrize("role", ["editor", "advocate", "partner", "admin"])
def test_only_moderators_read_or_resolve_corrections(app, clock, clinic, survivor, role):
    send(survivor, clinic)
    [correction] = stored(app)
    other = staff(app, clock, role)
    assert other.get("/portal/corrections").status_code == 403
    token = csrf_token(other.get("/staff/sessions").get_data(as_text=True))
    answer = other.post(
        f"/portal/corrections/{correction.id}", data={"csrf_token": token, "outcome": "dismissed"}
    )
    assert answer.status_code == 403 and stored(app)[0].status == "open"
    assert "/portal/corrections" not in other.get("/staff/sessions").get_data(as_text=True)


def test_purge_erases_her_words_a_while_after_they_were_handled(app, clock, clinic, survivor):
    send(survivor, clinic)
    send(survivor, clinic, kind="hours", details="Closed on Sundays now")
    handled, waiting = sorted(stored(app), key=lambda c: c.kind != "phone")
    moderator, page = moderator_page(app, clock)
    resolve(moderator, page, handled.id, note="Fixed")
    clock.advance(timedelta(days=29).total_seconds())
    assert "corrections erased: 0" in app.test_cli_runner().invoke(args=["purge"]).output
    clock.advance(timedelta(days=2).total_seconds())
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "corrections erased: 1" in result.output
    after = {c.id: c for c in stored(app)}
    assert (after[handled.id].details, after[handled.id].note) == (None, None)
    assert after[waiting.id].details == "Closed on Sundays now", "still waiting for a person"
