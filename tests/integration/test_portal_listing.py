"""The portal's other parts of a listing: the languages spoken and a place's accessibility."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.integration.test_portal import (
    approve,
    changes,
    latest_change,
    make_listing,
    service_page,
    staff,
    survivor_page,
)
from webapp.db import new_id, session_scope
from webapp.directory.tables import TABLES

LANGUAGES = {"f-languages": "1"}


@pytest.fixture
def listing(db_app, clock):
    return make_listing(db_app, clock)


def spoken(app, service_id: str) -> list[str]:
    table = TABLES["language"]
    with session_scope(app) as session:
        return sorted(session.scalars(select(table.c.code).where(table.c.service_id == service_id)))


def test_languages_wait_for_a_moderator_then_survivors_read_them_by_name(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    typed = {"l-code": ["es", "ar"], "l-other": "ht, ase"}
    answer = editor.send(page, f"{page}/changes", typed, match=LANGUAGES)
    assert answer.status_code == 303
    assert spoken(db_app, listing["service"]) == []
    assert "Kreyòl" not in survivor_page(db_app, listing["service"])

    change = latest_change(db_app)
    waiting = editor.get(page).get_data(as_text=True)
    languages_form = waiting[
        waiting.index('id="languages-title"') : waiting.index('id="phones-title"')
    ]
    assert "waits for a moderator" in languages_form
    assert f'href="/portal/changes/{change.id}"' in languages_form
    about = waiting[waiting.index('id="about-title"') : waiting.index('id="hours-title"')]
    assert "waits for a moderator" not in about, "only the form whose fields it changes"
    moderator = staff(db_app, clock, listing["moderator"])
    diff = moderator.get(f"/portal/changes/{change.id}").get_data(as_text=True)
    assert "Haitian Creole" in diff and "American Sign Language" in diff
    assert approve(moderator, change.id).status_code == 303

    assert spoken(db_app, listing["service"]) == ["ar", "ase", "es", "ht"]
    shown = survivor_page(db_app, listing["service"])
    assert 'lang="es">Español<' in shown and 'lang="ar">العربية<' in shown
    assert "Haitian Creole" in shown and "American Sign Language" in shown
    in_spanish = survivor_page(db_app, listing["service"], "es")
    assert "criollo haitiano" in in_spanish.lower()

    again = editor.get(page).get_data(as_text=True)
    assert 'id="l-es" name="l-code" value="es" checked' in again
    assert 'name="l-other" value="ase ht"' in again
    count = changes(db_app)
    editor.send(page, f"{page}/changes", {}, match=LANGUAGES)
    assert changes(db_app) == count, "the same languages sent again change nothing"


def test_a_language_code_nobody_knows_is_refused_and_the_form_keeps_what_was_typed(
    db_app, clock, listing
):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    count = changes(db_app)
    typed = {"l-code": ["es"], "l-other": "ht klingon"}
    answer = editor.send(page, f"{page}/changes", typed, match=LANGUAGES)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "“klingon” is not a language code we know" in html
    assert 'name="l-other" value="ht klingon"' in html and 'value="es" checked' in html
    assert changes(db_app) == count and spoken(db_app, listing["service"]) == []

    in_french = editor.send(
        page, f"{page}/changes", typed, match=LANGUAGES, headers={"Accept-Language": "fr"}
    )
    assert "n’est pas un code de langue" in in_french.get_data(as_text=True)


def test_a_places_accessibility_is_edited_reviewed_and_translated(db_app, clock, listing):
    with session_scope(db_app) as session:
        place = factories.location(session, listing["service"], name="Front office")
        access = new_id()
        session.execute(
            TABLES["accessibility"]
            .insert()
            .values(id=access, location_id=place, description="Three steps at the door")
        )
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    html = editor.get(page).get_data(as_text=True)
    assert "Access for disabled people" in html and "Three steps at the door" in html

    new = {"f-description": "Step-free entrance on Oak Street", "f-details": "Hearing loop"}
    answer = editor.send(
        page, f"{page}/changes", new, match={"resource": "accessibility", "record_id": access}
    )
    assert answer.status_code == 303
    assert "Step-free" not in survivor_page(db_app, listing["service"])
    moderator = staff(db_app, clock, listing["moderator"])
    assert approve(moderator, latest_change(db_app).id).status_code == 303
    shown = survivor_page(db_app, listing["service"])
    assert "Step-free entrance on Oak Street" in shown and "Hearing loop" in shown

    spanish = f"{page}/translations/es"
    assert "Step-free entrance on Oak Street" in editor.get(spanish).get_data(as_text=True)
    answer = editor.send(
        spanish,
        spanish,
        {"f-description@es": "Entrada sin escalones por Oak Street"},
        match={"resource": "accessibility"},
    )
    assert answer.status_code == 303
    assert approve(moderator, latest_change(db_app).id).status_code == 303
    assert "Entrada sin escalones" in survivor_page(db_app, listing["service"], "es")
