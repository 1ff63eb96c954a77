"""Listings kept confirmed: "nothing changed", going stale as the clock moves, the editors' texts,
the survivor's search and place page, and unpublishing only when configured and announced."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select, update

from tests import factories
from tests.conftest import app_on, csrf_token, unlock
from tests.integration.test_portal import Staff
from webapp.accounts.models import User
from webapp.callbacks import staffing
from webapp.callbacks.advocates import set_languages_and_skills
from webapp.db import session_scope
from webapp.directory.tables import TABLES
from webapp.messaging.cli import run_pass
from webapp.messaging.models import OutboxMessage
from webapp.messaging.sms import ConsoleSms

DAY = 24 * 3600
START = factories.NOW  # 10:00 in New York (TIME_ZONE), on 2027-01-12
RESULT = re.compile(r"<a href=\"/places/([0-9a-f-]{36})\"><strong[ >]")
PHONES = {"first": "+12175550131", "spanish": "+12175550132", "other": "+12175550133"}
ENGLISH_TEXT = (
    "Haven: the listing “Aster shelter” (Riverside Shelter) has not been confirmed for a while. "
    "Please check it in the organization portal and confirm it if nothing changed."
)
SPANISH_TEXT = (
    "Haven: la ficha «Aster shelter» (Riverside Shelter) no se ha confirmado desde hace tiempo. "
    "Revísela en el portal de organizaciones y confírmela si nada ha cambiado."
)


def assure(session, service_id: str, day: date | None) -> None:
    services = TABLES["service"]
    session.execute(update(services).where(services.c.id == service_id).values(assured_date=day))


def editor_with_phone(session, settings, organization: str, phone: str | None, languages=()):
    made = factories.editor(session, settings, [organization])
    if phone:
        staffing.set_phone(session, made.id, phone)
    set_languages_and_skills(session, made.id, languages, [])
    return made.id


def directory(app, clock) -> dict:
    """Riverside's Aster shelter (confirmed ten days ago) and Birch shelter (today), Hillside's
    Cedar refuge (ten days ago); Riverside's editors: one texted in English, one who speaks
    only Spanish, one without a phone, one disabled; Hillside's editor; a moderator."""
    clock.now = START.timestamp()
    settings = app.config["HAVEN_SETTINGS"]
    with session_scope(app) as session:
        ours = factories.organization(session, name="Riverside Shelter")
        theirs = factories.organization(session, name="Hillside Refuge")
        words = "Beds for the night, marigold room."
        ids = {
            "aster": factories.service(
                session, organization_id=ours, name="Aster shelter", description=words
            ),
            "birch": factories.service(
                session, organization_id=ours, name="Birch shelter", description=words
            ),
            "cedar": factories.service(session, organization_id=theirs, name="Cedar refuge"),
            "first": editor_with_phone(session, settings, ours, PHONES["first"], ["en", "es"]),
            "spanish": editor_with_phone(session, settings, ours, PHONES["spanish"], ["es"]),
            "no_phone": editor_with_phone(session, settings, ours, None),
            "disabled": editor_with_phone(session, settings, ours, "+12175550139"),
            "other": editor_with_phone(session, settings, theirs, PHONES["other"]),
            "moderator": factories.user(session, settings, roles=["moderator"]).id,
        }
        session.get(User, ids["disabled"]).disabled_at = START
        assure(session, ids["aster"], date(2027, 1, 2))
        assure(session, ids["birch"], date(2027, 1, 12))
        assure(session, ids["cedar"], date(2027, 1, 2))
    return ids


@pytest.fixture
def ids(db_app, clock):
    return directory(db_app, clock)


def staff(app, clock, user_id) -> Staff:
    return Staff(app, user_id, clock)


def texts(app) -> Counter:
    """(number, text) of every message queued so far, how many times each."""
    with session_scope(app) as session:
        return Counter((m.recipient, m.body) for m in session.scalars(select(OutboxMessage)))


def worker_round(app, clock, *, later: float = 11 * 60) -> None:
    """One pass of the outbox worker, a little after the last (its staleness round waits ten
    minutes between looks)."""
    clock.advance(later)
    run_pass(app, ConsoleSms())


def survivor(app):
    client = app.test_client()
    unlock(client)
    return client


def found(app, words: str) -> list[str]:
    """The survivor's results for these words, in order (a new visit: time moves by months)."""
    client = survivor(app)
    token = csrf_token(client.get("/places").get_data(as_text=True))
    page = client.post("/places", data={"csrf_token": token, "q": words}, follow_redirects=True)
    return RESULT.findall(page.get_data(as_text=True))


def place(app, service_id: str, language: str = "en"):
    return survivor(app).get(f"/places/{service_id}", headers={"Accept-Language": language})


def assured(app, service_id: str) -> date | None:
    services = TABLES["service"]
    with session_scope(app) as session:
        return session.scalar(select(services.c.assured_date).where(services.c.id == service_id))


def confirm(app, clock, user_id: int, service_id: str):
    """This staff member, signed in now, presses "Nothing changed — confirm"; (them, answer)."""
    person = staff(app, clock, user_id)
    page = f"/portal/services/{service_id}"
    return person, person.send(page, f"{page}/confirm", {})


def test_a_listing_goes_stale_is_ranked_lower_its_editors_are_texted_once_and_a_confirm_restores_it(
    db_app, clock, ids
):
    finder = db_app
    assert found(finder, "marigold") == [ids["aster"], ids["birch"]], "by name while both fresh"
    worker_round(db_app, clock)
    assert texts(db_app) == Counter(), "nothing is stale yet"

    clock.advance(175 * DAY)  # Aster and Cedar: 185 days unconfirmed; Birch: 175
    first = staff(db_app, clock, ids["first"])
    moderator = staff(db_app, clock, ids["moderator"])
    mine = first.get("/portal/stale").get_data(as_text=True)
    assert "Aster shelter" in mine and "January 2, 2027" in mine
    assert "Birch shelter" not in mine and "Cedar refuge" not in mine, "only their own, stale"
    assert "1 listing has not been confirmed for a while." in first.get("/portal/").get_data(
        as_text=True
    )
    every = moderator.get("/portal/stale").get_data(as_text=True)
    assert "Aster shelter" in every and "Cedar refuge" in every and "Birch shelter" not in every
    assert "never taken out of search" in every, "unpublishing is off unless configured"

    assert found(finder, "marigold") == [ids["birch"], ids["aster"]], "stale below confirmed"
    stale_page = place(finder, ids["aster"]).get_data(as_text=True)
    assert "Last confirmed 6 months ago. Call before you go." in stale_page
    assert "Last confirmed" not in place(finder, ids["birch"]).get_data(as_text=True)

    for _ in range(3):
        worker_round(db_app, clock)
    assert texts(db_app) == Counter(
        {
            (PHONES["first"], ENGLISH_TEXT): 1,
            (PHONES["spanish"], SPANISH_TEXT): 1,
            (
                PHONES["other"],
                ENGLISH_TEXT.replace("Aster shelter", "Cedar refuge").replace(
                    "Riverside Shelter", "Hillside Refuge"
                ),
            ): 1,
        }
    ), "one text to each active editor with a phone, per listing, however many rounds"

    first, answer = confirm(db_app, clock, ids["first"], ids["aster"])
    assert answer.status_code == 303
    assert "Confirmed. Survivors see these details as checked today." in first.get(
        answer.location
    ).get_data(as_text=True)
    today = date(2027, 7, 6)
    assert assured(db_app, ids["aster"]) == today
    assert "Aster shelter" not in first.get("/portal/stale").get_data(as_text=True)
    assert found(finder, "marigold") == [ids["aster"], ids["birch"]], "confirmed again: by name"
    restored = place(finder, ids["aster"]).get_data(as_text=True)
    assert (
        "Call before you go" not in restored and "Details last checked on July 6, 2027" in restored
    )
    history = first.get(f"/portal/services/{ids['aster']}/history").get_data(as_text=True)
    assert "2027-01-02" in history and "2027-07-06" in history and "Riverside Shelter" in history

    worker_round(db_app, clock)
    assert sum(texts(db_app).values()) == 3, "a confirm sends nothing"
    clock.advance(181 * DAY)  # confirmed, then stale again: news again, once
    for _ in range(2):
        worker_round(db_app, clock)
    sent = texts(db_app)
    assert (
        sent[(PHONES["first"], ENGLISH_TEXT)] == 2 and sent[(PHONES["spanish"], SPANISH_TEXT)] == 2
    )


def test_editors_of_another_organization_cannot_confirm_and_a_form_needs_its_token(
    db_app, clock, ids
):
    clock.advance(200 * DAY)
    other = staff(db_app, clock, ids["other"])
    token = csrf_token(other.get("/portal/").get_data(as_text=True))
    refused = other.client.post(
        f"/portal/services/{ids['aster']}/confirm", data={"csrf_token": token}
    )
    assert refused.status_code == 404
    assert "Aster shelter" not in other.get("/portal/stale").get_data(as_text=True)
    first = staff(db_app, clock, ids["first"])
    assert first.client.post(f"/portal/services/{ids['aster']}/confirm").status_code == 400
    assert assured(db_app, ids["aster"]) == date(2027, 1, 2), "neither changed anything"

    assert confirm(db_app, clock, ids["moderator"], ids["cedar"])[1].status_code == 303
    assert assured(db_app, ids["cedar"]) == date(2027, 7, 31), "moderators may confirm any"


def test_listings_never_go_stale_silently_for_survivors_nor_vanish_by_default(db_app, clock, ids):
    clock.advance(3 * 365 * DAY)
    for _ in range(2):
        worker_round(db_app, clock, later=40 * DAY)
    finder = db_app
    assert ids["aster"] in found(finder, "marigold")
    assert place(finder, ids["aster"]).status_code == 200
    assert db_app.test_client().get(f"/api/hsds/services/{ids['aster']}").status_code == 200


def test_a_listing_never_confirmed_is_stale_and_says_so(db_app, clock, ids):
    with session_scope(db_app) as session:
        assure(session, ids["birch"], None)
    finder = db_app
    assert found(finder, "marigold") == [ids["aster"], ids["birch"]]
    page = place(finder, ids["birch"], "es").get_data(as_text=True)
    assert "Estos datos todavía no se han confirmado. Llama antes de ir." in page


@pytest.fixture
def unpublishing(templates, database_kind, clock):
    """Apps on one database, as Haven restarted with UNPUBLISH_AFTER_DAYS off, then at 30."""
    with templates.copy(database_kind, seeded=False) as url:
        apps = {days: app_on(url, clock, unpublish_after_days=days) for days in (0, 30)}
        yield apps
        for app in apps.values():
            app.extensions["db.engine"].dispose()


def api_status(app, service_id: str) -> int:
    return app.test_client().get(f"/api/hsds/services/{service_id}").status_code


def test_unpublishing_when_configured_is_announced_to_moderators_and_undone_by_a_confirm(
    unpublishing, clock
):
    off, on = unpublishing[0], unpublishing[30]
    ids = directory(off, clock)
    clock.advance(200 * DAY)
    worker_round(off, clock)  # flagged on 2027-07-31, while unpublishing was off
    clock.advance(100 * DAY)
    with session_scope(off) as session:
        assure(session, ids["birch"], date(2027, 11, 8))  # confirmed today
    worker_round(on, clock)  # switched on: moderators get the full 30 days' notice from today
    assert api_status(on, ids["aster"]) == 200
    moderator = staff(on, clock, ids["moderator"])
    listed = moderator.get("/portal/stale").get_data(as_text=True)
    going = "On December 8, 2027"  # today, 2027-11-08, and 30 days
    assert "Aster shelter" in listed and going in listed
    editor_page = staff(on, clock, ids["first"]).get(f"/portal/services/{ids['aster']}")
    assert "taken out of survivors' search on December 8, 2027" in editor_page.get_data(
        as_text=True
    )

    worker_round(on, clock, later=29 * DAY)
    assert api_status(on, ids["aster"]) == 200, "not before the day shown"
    worker_round(on, clock, later=DAY)
    finder = on
    assert api_status(on, ids["aster"]) == 404 and place(finder, ids["aster"]).status_code == 404
    assert found(finder, "marigold") == [ids["birch"]], "Birch was confirmed: it stays"
    listed = staff(on, clock, ids["moderator"]).get("/portal/stale").get_data(as_text=True)
    assert "Since December 8, 2027" in listed

    editor, answer = confirm(on, clock, ids["first"], ids["aster"])
    assert "back in survivors' search" in unescape(
        editor.get(answer.location).get_data(as_text=True)
    )
    assert api_status(on, ids["aster"]) == 200 and ids["aster"] in found(finder, "marigold")
    worker_round(on, clock)
    assert api_status(on, ids["aster"]) == 200, "the next round leaves it published"


def test_switching_unpublishing_off_brings_back_what_it_took(unpublishing, clock):
    off, on = unpublishing[0], unpublishing[30]
    ids = directory(off, clock)
    clock.advance(200 * DAY)
    worker_round(on, clock)
    worker_round(on, clock, later=31 * DAY)
    assert api_status(on, ids["aster"]) == 404
    worker_round(off, clock)
    assert api_status(off, ids["aster"]) == 200
