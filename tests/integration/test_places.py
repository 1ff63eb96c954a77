"""The survivor's service search over the seed directory, through the test client."""

from __future__ import annotations

import csv
import html
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token, unlock
from webapp.db import session_scope
from webapp.directory import finder, hsds, listing
from webapp.directory.tables import TABLES
from webapp.visits import Visit

SEED = hsds.HSDS_DIR.parent / "seed"
DRAFT = "b45c19f3-b516-4142-aafc-3c57f6a53c33"
NAME = re.compile(r"<a href=\"/places/([0-9a-f-]{36})\"><strong[ >]")
KM = re.compile(r"([0-9.]+) km away")


def seed_rows(name: str) -> list[dict]:
    with open(SEED / name, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def survivor(seeded_app):
    client = seeded_app.test_client()
    unlock(client)
    return client


def search(client, **fields):
    """Submit the search form and follow its answer to the results page."""
    token = csrf_token(client.get("/places").get_data(as_text=True))
    response = client.post("/places", data={"csrf_token": token, **fields}, follow_redirects=True)
    return response, response.get_data(as_text=True)


def found_ids(page: str) -> list[str]:
    return NAME.findall(page)


def test_the_search_form_is_behind_the_code_and_has_its_hook(seeded_app, survivor):
    assert seeded_app.test_client().get("/places").status_code == 303
    assert 'data-testid="search"' in survivor.get("/places").get_data(as_text=True)


def test_results_live_at_an_opaque_address_that_resends_nothing(seeded_app, survivor, clock):
    token = csrf_token(survivor.get("/places").get_data(as_text=True))
    fields = {"csrf_token": token, "q": "refugio", "postcode": "62701"}
    posted = survivor.post("/places", data=fields)
    assert posted.status_code == 303, "post-redirect-get: Back and reload never resend it"
    address = posted.headers["Location"]
    assert re.fullmatch(r"/places/r/[A-Za-z0-9_-]{16}", address), address
    page = survivor.get(address).get_data(as_text=True)
    assert found_ids(page) and 'value="refugio"' in page, "the results keep what was typed"
    again = survivor.get(address).get_data(as_text=True)
    assert found_ids(again) == found_ids(page), "reloading shows them again"

    stranger = seeded_app.test_client()
    unlock(stranger)
    assert stranger.get(address).headers["Location"] == "/places", "another visit finds nothing"
    for _ in range(8):  # half an hour of use: the session stays open, the results do not
        clock.advance(4 * 60)
        assert survivor.get("/home").status_code == 200
    assert survivor.get(address).headers["Location"] == "/places", "and it does not last"


def test_the_lock_forgets_the_searches_on_the_server_too(seeded_app, survivor, clock):
    token = csrf_token(survivor.get("/places").get_data(as_text=True))
    posted = survivor.post("/places", data={"csrf_token": token, "q": "lantern-shelter"})
    assert "lantern-shelter" in stored_sessions(seeded_app)
    clock.advance(6 * 60)
    assert survivor.get("/home").headers["Location"] == "/", "the idle lock fell"
    assert "lantern-shelter" not in stored_sessions(seeded_app)
    unlock(survivor)
    assert survivor.get(posted.headers["Location"]).headers["Location"] == "/places"


def stored_sessions(app) -> str:
    """Every survivor session the server holds, decrypted, as one text."""
    with app.app_context(), session_scope(app) as db:
        return " ".join(visit.data for visit in db.scalars(select(Visit)))


def test_a_position_is_answered_at_once_and_never_kept(survivor):
    token = csrf_token(survivor.get("/places").get_data(as_text=True))
    fields = {"csrf_token": token, "latitude": "39.80", "longitude": "-89.64"}
    answered = survivor.post("/places", data=fields)
    assert answered.status_code == 200 and "Location" not in answered.headers
    assert found_ids(answered.get_data(as_text=True))


def test_a_spanish_query_finds_a_service_through_its_translation(survivor):
    english = {r["id"]: r for r in seed_rows("services.csv")}
    for row in seed_rows("x_haven_translations.csv"):
        if row["table"] == "service" and row["field"] == "description" and row["language"] == "es":
            words = [
                w
                for w in re.findall(r"\w{7,}", row["value"])
                if w.lower() not in english[row["record_id"]]["description"].lower()
            ]
            if words:
                break
    _response, page = search(survivor, q=words[0])
    assert row["record_id"] in found_ids(page)


def test_category_and_language_filters(survivor):
    terms = {r["id"]: r["code"] for r in seed_rows("taxonomy_terms.csv")}
    shelters = {
        r["link_id"]
        for r in seed_rows("attributes.csv")
        if terms.get(r["taxonomy_term_id"]) == "shelter"
    }
    _response, page = search(survivor, category="shelter")
    assert found_ids(page) and set(found_ids(page)) <= shelters
    speaks_vi = {r["service_id"] for r in seed_rows("languages.csv") if r["code"] == "vi"}
    _response, page = search(survivor, language="vi")
    assert found_ids(page) and set(found_ids(page)) <= speaks_vi


def test_near_a_zip_code_nearest_come_first(survivor):
    _response, page = search(survivor, postcode="62704")
    distances = [float(km) for km in KM.findall(page)]
    assert len(distances) >= 5 and distances == sorted(distances)


def test_near_a_zip_code_every_page_follows_on_without_gaps_or_repeats(survivor):
    _response, first = search(survivor, postcode="62704")
    total = int(re.search(r"(\d+) services found", first).group(1))
    pages = [first] + [
        search(survivor, postcode="62704", page=str(n))[1] for n in range(2, (total + 9) // 10 + 1)
    ]
    ids = [service for page in pages for service in found_ids(page)]
    assert len(ids) == len(set(ids)) == total
    distances = [float(km) for page in pages for km in KM.findall(page)]
    assert distances == sorted(distances) and 0 < len(distances) < total
    last = pages[-1]
    assert "km away" not in last.split("</li>")[-2], "services without a place come last"


def test_an_unknown_zip_code_is_explained_and_keeps_what_was_typed(survivor):
    response, page = search(survivor, q="legal", postcode="00000")
    assert response.status_code == 400
    assert "We could not find that ZIP code" in page and 'value="legal"' in page


def test_open_now_keeps_only_what_is_open(seeded_app, survivor, clock):
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC).timestamp()  # Tuesday, 03:00 in Chicago
    unlock(survivor)
    _response, night = search(survivor, open_now="y")
    clock.now = datetime(2026, 11, 24, 16, 0, tzinfo=UTC).timestamp()  # Tuesday, 10:00 in Chicago
    unlock(survivor)
    _response, day = search(survivor, open_now="y")
    assert 0 < len(found_ids(night)) and night.count('class="open"') == len(found_ids(night))
    _response, all_of_them = search(survivor)
    assert int(re.search(r"(\d+) services found", day).group(1)) > int(
        re.search(r"(\d+) services found", night).group(1)
    )
    assert int(re.search(r"(\d+) services found", all_of_them).group(1)) >= 50


def test_pages_follow_one_another_and_a_page_past_the_end_shows_the_last(survivor):
    _response, first = search(survivor, q="help")
    total = int(re.search(r"(\d+) services found", first).group(1))
    last_page = (total + 9) // 10
    assert total > 10 and len(found_ids(first)) == 10
    _response, second = search(survivor, q="help", page="2")
    assert not set(found_ids(first)) & set(found_ids(second))
    _response, past = search(survivor, q="help", page="999")
    assert f"Page {last_page} of {last_page}" in past
    assert len(found_ids(past)) == total - 10 * (last_page - 1)


def test_round_the_clock_keeps_the_services_open_every_hour_of_every_day(survivor):
    every_day = "MO,TU,WE,TH,FR,SA,SU"
    always = {
        r["service_id"]
        for r in seed_rows("schedules.csv")
        if r["byday"] == every_day and r["opens_at"] == "00:00" and r["closes_at"] == "23:59"
    }
    drafts = {r["record_id"] for r in seed_rows("x_haven_records.csv") if r["status"] == "draft"}
    _response, first = search(survivor, round_the_clock="y")
    total = int(re.search(r"(\d+) services found", first).group(1))
    pages = [first] + [
        search(survivor, round_the_clock="y", page=str(n))[1] for n in range(2, total // 10 + 2)
    ]
    found = {service for page in pages for service in found_ids(page)}
    assert total == len(found) and found == always - drafts
    assert 'name="round_the_clock" value="y"' in first, "the pager keeps the choice"
    _response, shelters = search(survivor, round_the_clock="y", category="shelter")
    assert found_ids(shelters) and set(found_ids(shelters)) < found


def test_drafts_are_not_shown(survivor):
    _response, page = search(survivor, q="pilot")
    assert DRAFT not in found_ids(page)
    assert survivor.get(f"/places/{DRAFT}").status_code == 404


def test_the_detail_page_offers_tap_to_call_with_a_warning(survivor):
    _response, page = search(survivor, q="National Domestic Violence Hotline")
    detail = survivor.get(f"/places/{found_ids(page)[0]}").get_data(as_text=True)
    assert 'href="tel:+18007997233"' in detail, "dialled in full international form"
    assert "show in your phone's call log" in detail
    assert 'data-testid="quick-exit"' in detail


def test_a_confidential_shelter_shows_no_street(survivor):
    hidden = {r["location_id"] for r in seed_rows("x_haven_location_privacy.csv")}
    streets = [r["address_1"] for r in seed_rows("addresses.csv") if r["location_id"] in hidden]
    services = {
        r["service_id"] for r in seed_rows("service_at_location.csv") if r["location_id"] in hidden
    }
    names = {r["id"]: r["name"] for r in seed_rows("services.csv")}
    assert len(streets) >= 4 and len(services) >= 4
    for service_id in services:
        response = survivor.get(f"/places/{service_id}")
        assert response.status_code == 200, service_id
        page = html.unescape(response.get_data(as_text=True))
        assert f">{names[service_id]}</h1>" in page, "the shelter's own page, found"
        assert [street for street in streets if street in page] == []


def test_a_place_shows_its_street_or_only_its_area_or_nothing(seeded_app, survivor):
    privacy = {r["location_id"]: r for r in seed_rows("x_haven_location_privacy.csv")}
    streets = {r["location_id"]: r for r in seed_rows("addresses.csv")}
    at = {r["service_id"]: r["location_id"] for r in seed_rows("service_at_location.csv")}
    public = next(s for s, loc in at.items() if loc in streets and loc not in privacy)
    area = next(s for s, loc in at.items() if privacy.get(loc, {}).get("visibility") == "area_only")
    hidden = next(s for s, loc in at.items() if privacy.get(loc, {}).get("visibility") == "hidden")

    page = html.unescape(survivor.get(f"/places/{public}").get_data(as_text=True))
    street = streets[at[public]]
    assert f"<bdi>{street['address_1']}, {street['city']}" in page and "<h2>Where</h2>" in page

    page = html.unescape(survivor.get(f"/places/{area}").get_data(as_text=True))
    assert f"<bdi>{privacy[at[area]]['public_area']}</bdi>. The address is kept private" in page
    assert streets[at[area]]["address_1"] not in page

    page = html.unescape(survivor.get(f"/places/{hidden}").get_data(as_text=True))
    assert "<h2>Where</h2>" not in page and streets[at[hidden]]["address_1"] not in page

    with session_scope(seeded_app) as session:  # a street written past the import's rules
        session.execute(
            TABLES["address"]
            .insert()
            .values(
                id=str(uuid.uuid4()),
                location_id=at[hidden],
                address_1="9 Secret Row",
                city="X",
                state_province="IL",
                postal_code="62701",
                country="US",
                address_type="physical",
            )
        )
    assert "9 Secret Row" not in survivor.get(f"/places/{hidden}").get_data(as_text=True)


def test_the_detail_page_shows_hours_in_the_readers_language(survivor):
    _response, page = search(survivor, q="National Domestic Violence Hotline")
    service_id = found_ids(page)[0]
    assert "Open 24 hours, every day" in survivor.get(f"/places/{service_id}").get_data(
        as_text=True
    )
    weekday = next(
        r["service_id"]
        for r in seed_rows("schedules.csv")
        if r["byday"] == "MO,TU,WE,TH,FR" and r["opens_at"] and r["service_id"]
    )
    english = survivor.get(f"/places/{weekday}").get_data(as_text=True)
    spanish = survivor.get(f"/places/{weekday}", headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )
    assert "Mon, Tue, Wed, Thu, and Fri" in english and "Opening hours" in english
    assert "lun, mar, mié, jue y vie" in spanish.replace(".", "") and "Horario" in spanish


def test_notes_on_opening_hours_are_shown_in_the_readers_language(survivor):
    spanish = {
        r["record_id"]: r["value"]
        for r in seed_rows("x_haven_translations.csv")
        if r["table"] == "schedule" and r["language"] == "es"
    }
    schedule = next(r for r in seed_rows("schedules.csv") if r["id"] in spanish)
    address = f"/places/{schedule['service_id']}"
    english = survivor.get(address).get_data(as_text=True)
    assert html.escape(schedule["description"], quote=False) in english
    in_spanish = survivor.get(address, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f'<span lang="es" dir="auto">{html.escape(spanish[schedule["id"]], quote=False)}' in (
        in_spanish
    )


def test_a_shelter_shows_its_free_beds_and_how_old_the_count_is(survivor, clock):
    capacity = next(r for r in seed_rows("service_capacity.csv") if r["maximum"] == "24")
    updated = datetime.fromisoformat(capacity["updated"].replace("Z", "+00:00"))
    address = f"/places/{capacity['service_id']}"
    clock.now = (updated + timedelta(hours=3)).timestamp()
    unlock(survivor)
    fresh = survivor.get(address).get_data(as_text=True)
    assert "Space right now" in fresh and "<strong>3 free of 24</strong>" in fresh
    assert "Updated 3 hours ago." in fresh and "call before you go" not in fresh
    in_spanish = survivor.get(address, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "3 libres de 24" in in_spanish and "Camas para personas adultas" in in_spanish
    clock.now = (updated + timedelta(days=2)).timestamp()
    unlock(survivor)
    stale = survivor.get(address).get_data(as_text=True)
    assert "Updated 2 days ago." in stale and "This may have changed since" in stale
    _response, results = search(survivor, category="shelter")
    assert "<strong>3 free of 24</strong>" in results, "the results list shows free beds too"
    listed = survivor.get(f"/api/hsds/services/{capacity['service_id']}").get_json()
    assert [(c["available"], c["maximum"], c["unit"]["name"]) for c in listed["capacities"]] == [
        (3, 24, "Bed")
    ]


def test_an_arabic_page_keeps_numbers_in_order_and_marks_english_text(survivor):
    hotline = next(r for r in seed_rows("services.csv") if r["name"].startswith("National Dom"))
    page = survivor.get(f"/places/{hotline['id']}", headers={"Accept-Language": "ar"})
    html = page.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html
    assert '<bdi dir="ltr">1-800-799-7233</bdi>' in html, "digits stay in dialling order"
    assert hotline["description"][:40] not in html, "the Arabic translation is shown"
    assert '<p lang="ar" dir="auto">' in html
    assert '<span class="meta" lang="en" dir="auto">Call, 24 hours a day</span>' in html
    weekday = next(
        r for r in seed_rows("schedules.csv") if r["byday"] == "MO,TU,WE,TH,FR" and r["opens_at"]
    )
    hours = survivor.get(f"/places/{weekday['service_id']}", headers={"Accept-Language": "ar"})
    assert f'<bdi dir="ltr">{weekday["opens_at"]}–{weekday["closes_at"]}</bdi>' in hours.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("language", "heading", "pager"),
    [
        ("en", "More than 20 services found", "Page 1<"),
        ("es", "Más de 20 servicios encontrados", "Página 1<"),
    ],
)
def test_a_long_list_says_more_than_it_counted_in_her_language(
    survivor, monkeypatch, language, heading, pager
):
    monkeypatch.setattr(finder, "COUNT_TO", 20)
    token = csrf_token(survivor.get("/places").get_data(as_text=True))
    page = survivor.post(
        "/places",
        data={"csrf_token": token},
        headers={"Accept-Language": language},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert heading in page and pager in page
    assert 'name="page" value="2"' in page, "the next page is offered"


def test_counting_stops_past_the_page_shown_and_is_exact_near_the_end(seeded_app, monkeypatch):
    monkeypatch.setattr(finder, "COUNT_TO", 12)
    with session_scope(seeded_app) as session:
        total = session.scalar(
            select(func.count()).select_from(listing.published("service").subquery())
        )

        def answer(page: int) -> finder.Answer:
            return finder.find(
                session,
                finder.Query(page=page),
                locale="en",
                now=factories.NOW,
                time_zone="America/Chicago",
            )

        first, second, last = answer(1), answer(2), answer(total // 10 + 1)
        beyond = answer(total // 10 + 3)
    assert (first.total, first.more, len(first.results)) == (12, True, 10)
    assert (second.total, second.more) == (20, True)
    assert (last.total, last.more, last.page) == (total, False, total // 10 + 1)
    assert (beyond.total, beyond.more, beyond.page) == (total, False, last.page)
    assert [r.id for r in beyond.results] == [r.id for r in last.results]
