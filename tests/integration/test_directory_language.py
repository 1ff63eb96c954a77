"""Directory text in the reader's language: hers, else the record's own, else English."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import unlock
from webapp.db import session_scope
from webapp.directory import hsds, translated
from webapp.directory.models import FieldTranslation, RecordSetting

SEED = hsds.HSDS_DIR.parent / "seed"
RECORD = "0f0e0d0c-0b0a-4908-8706-050403020100"
SPANISH_TEXT = {"description": "Refugio para familias.", "alert": ""}


def seed_rows(name: str) -> list[dict]:
    with open(SEED / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def spanish_record(migrated_app):
    """A service written in Spanish, translated into French and English (with an alert)."""
    texts = [
        ("fr", "description", "Refuge pour les familles."),
        ("en", "description", "Shelter for families."),
        ("en", "alert", "Closed on Monday."),
    ]
    with session_scope(migrated_app) as session:
        session.add(RecordSetting(resource="service", record_id=RECORD, source_language="es"))
        session.add_all(
            FieldTranslation(
                resource="service",
                record_id=RECORD,
                field=field,
                language=language,
                value=value,
                origin="human",
            )
            for language, field, value in texts
        )
    return migrated_app


@pytest.mark.parametrize(
    ("reader", "description", "alert"),
    [
        ("fr", "Refuge pour les familles.", "Closed on Monday."),
        ("es", "Refugio para familias.", "Closed on Monday."),
        ("vi", "Refugio para familias.", "Closed on Monday."),  # her own text before English
        ("en", "Shelter for families.", "Closed on Monday."),
    ],
)
def test_her_language_then_the_records_own_then_english(spanish_record, reader, description, alert):
    with session_scope(spanish_record) as session:
        chosen = translated.choose(session, {"service": {RECORD: dict(SPANISH_TEXT)}}, reader)
    shown = SPANISH_TEXT | chosen.get("service", {}).get(RECORD, {})
    assert (shown["description"], shown["alert"]) == (description, alert)


@pytest.mark.parametrize(
    ("typed", "stored"), [("zh-Hans", "zh_Hans"), ("zh_hans", "zh_Hans"), ("ES", "es")]
)
def test_language_codes_are_read_as_stored(typed, stored):
    assert translated.language_code(typed) == stored


@pytest.fixture
def seeded(seeded_app):
    return seeded_app


def spanish_source_service() -> tuple[dict, str]:
    """A seed service written in Spanish with an English translation and none in French."""
    spanish = {
        r["record_id"]
        for r in seed_rows("x_haven_records.csv")
        if r["table"] == "service" and r["source_language"] == "es"
    }
    english = {
        r["record_id"]: r["value"]
        for r in seed_rows("x_haven_translations.csv")
        if r["field"] == "description" and r["language"] == "en" and r["record_id"] in spanish
    }
    french = {
        r["record_id"] for r in seed_rows("x_haven_translations.csv") if r["language"] == "fr"
    }
    service = next(
        s
        for s in seed_rows("services.csv")
        if s["id"] in set(english) - french and s["description"]
    )
    return service, english[service["id"]]


def test_a_french_reader_sees_the_spanish_original_before_the_english_translation(seeded):
    service, english = spanish_source_service()
    client = seeded.test_client()
    unlock(client)
    page = client.get(f"/places/{service['id']}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert service["description"][:60] in page and english[:60] not in page
    english_page = client.get(
        f"/places/{service['id']}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert english[:60] in english_page


def test_the_api_translates_only_when_asked(seeded):
    service, english = spanish_source_service()
    client = seeded.test_client()
    as_written = client.get(f"/api/hsds/services/{service['id']}")
    assert as_written.get_json()["description"] == service["description"]
    assert "Content-Language" not in as_written.headers
    in_english = client.get(f"/api/hsds/services/{service['id']}?lang=en")
    assert in_english.get_json()["description"] == english
    assert in_english.get_json()["name"] == service["name"], "names are never translated"
    assert in_english.headers["Content-Language"] == "en"
    listed = client.get("/api/hsds/services?per_page=200&lang=en").get_json()["contents"]
    assert [s["description"] for s in listed if s["id"] == service["id"]] == [english]
    assert client.get("/api/hsds/services?lang=<script>").status_code == 400


ORGANIZATION = {
    "id": "5c0b8c6e-6f0a-4b5e-9a43-4f6f1e2d3c4b",
    "name": "Prairie Counselling",
    "description": "Counselling for families.",
    "x_haven": {
        "translations": [
            {
                "field": "description",
                "language": "zh_Hans",
                "value": "家庭咨询。",
                "origin": "human",
            }
        ]
    },
}
TRANSLATED = {
    "id": "6d1c9d7f-7a1b-4c6f-8b54-5a7a2f3e4d5c",
    "name": "Counselling in Chinese",
    "status": "active",
    "description": "Counselling in Mandarin.",
    "organization": ORGANIZATION,
    "x_haven": {
        "translations": [
            {
                "field": "description",
                "language": "zh_Hans",
                "value": "普通话咨询。",
                "origin": "human",
            }
        ]
    },
}
UNTRANSLATED = {
    "id": "7e2daf80-8b2c-4d70-9c65-6b8b3f4f5e6d",
    "name": "Legal advice",
    "status": "active",
    "description": "Help with protection orders.",
    "organization": {
        "id": "8f3eb091-9c3d-4e81-8d76-7c9c4a5a6f7e",
        "name": "Prairie Legal Aid",
        "description": "Free legal help.",
    },
}


@pytest.fixture
def api(migrated_app, tmp_path):
    """A service and its organization wholly in Chinese as well, and one only in English."""
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([TRANSLATED, UNTRANSLATED]))
    imported = migrated_app.test_cli_runner().invoke(args=["directory", "import", str(feed)])
    assert imported.exit_code == 0, imported.output
    return migrated_app.test_client()


@pytest.mark.parametrize("asked", ["zh", "zh-Hans", "zh_hans", "zh-CN"])
def test_the_api_answers_the_chinese_it_has_labelled_as_such(api, asked):
    answer = api.get(f"/api/hsds/services/{TRANSLATED['id']}?lang={asked}")
    assert answer.get_json()["description"] == "普通话咨询。"
    assert answer.get_json()["organization"]["description"] == "家庭咨询。"
    assert answer.headers["Content-Language"] == "zh-Hans"


def test_text_without_a_translation_is_labelled_in_its_own_language(api):
    answer = api.get(f"/api/hsds/services/{UNTRANSLATED['id']}?lang=zh")
    assert answer.get_json()["description"] == "Help with protection orders."
    assert answer.headers["Content-Language"] == "en"


def test_a_page_that_mixes_languages_names_each_asked_for_first(api):
    page = api.get("/api/hsds/services?lang=zh")
    descriptions = {s["id"]: s["description"] for s in page.get_json()["contents"]}
    assert descriptions == {
        TRANSLATED["id"]: "普通话咨询。",
        UNTRANSLATED["id"]: "Help with protection orders.",
    }
    assert page.headers["Content-Language"] == "zh-Hans, en"


def test_a_language_haven_has_no_text_in_is_never_claimed(api):
    answer = api.get(f"/api/hsds/services/{UNTRANSLATED['id']}?lang=de")
    assert answer.get_json()["description"] == "Help with protection orders."
    assert "de" not in answer.headers["Content-Language"]


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ("service", "status"),
        ("location", "location_type"),
        ("phone", "type"),
        ("schedule", "byday"),
    ],
)
def test_codes_are_never_translated_nor_counted_as_english(table, field):
    assert not translated.translatable(table, field)
