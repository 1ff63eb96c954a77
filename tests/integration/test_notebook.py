"""The notebook's routes (`/notes`) through the test client: only lookup ids, access secrets
and ciphertexts come in; wrong and missing answer alike; versions refuse stale writes;
entries are written once; hostile input gets a clear refusal and changes nothing."""

from __future__ import annotations

import base64
import logging
import os
import secrets

import pytest
from sqlalchemy import func, select

from tests import notebook_keys
from tests.conftest import csrf_token, make_settings, unlock
from webapp import create_app
from webapp.db import session_scope
from webapp.notebook import kdf, receipts
from webapp.notebook.models import Notebook, NotebookRecord

KEY = os.urandom(32)


WRAPPED = base64.b64encode(os.urandom(60)).decode()


def pair() -> dict:
    return {"lookup": secrets.token_hex(32), "access": secrets.token_hex(32)}


@pytest.fixture
def survivor(migrated_app):
    client = migrated_app.test_client()
    unlock(client)
    page = client.get("/notes").get_data(as_text=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(page)
    return client


def post(client, path: str, body) -> tuple[int, dict]:
    response = client.post(path, json=body)
    return response.status_code, response.get_json(silent=True) or {}


def made(client) -> dict:
    secrets_ = pair()
    status, answer = post(client, "/notes/new", secrets_ | {"kdf": 1, "wrapped": WRAPPED})
    assert status == 201 and answer == {"kdf": 1, "wrapped": WRAPPED, "records": []}
    return secrets_


def save(client, record_id: str, kind: str, version: int, value) -> tuple[int, dict]:
    body = notebook_keys.save_body(KEY, record_id, kind, version, value)
    return post(client, "/notes/save", body)


def rows(app) -> list[NotebookRecord]:
    with session_scope(app) as session:
        return list(session.scalars(select(NotebookRecord).order_by(NotebookRecord.seq)))


def test_the_page_is_behind_the_unlock_and_names_the_hooks(migrated_app):
    client = migrated_app.test_client()
    assert client.get("/notes").status_code == 303
    unlock(client)
    page = client.get("/notes", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in page
    for hook in ("notebook-passphrase", "notebook-open", "notebook-lock"):
        assert f'data-testid="{hook}"' in page
    assert "js/notes.js" in page
    assert "js/notes.js" not in client.get("/home").get_data(as_text=True)


def test_what_the_server_keeps_is_a_lookup_id_a_hash_and_ciphertext(survivor, migrated_app):
    secrets_ = made(survivor)
    assert save(survivor, "plan-during", "plan", 1, {"text": "MARKER plan"})[0] == 201
    with session_scope(migrated_app) as session:
        notebook = session.scalars(select(Notebook)).one()
        assert notebook.lookup_id == secrets_["lookup"]
        assert notebook.access_hash.startswith("$argon2id$")
        assert secrets_["access"] not in notebook.access_hash
    (row,) = rows(migrated_app)
    assert b"MARKER" not in row.ciphertext
    value = notebook_keys.unseal(KEY, "plan-during", "plan", 1, row.ciphertext)
    assert value == {"text": "MARKER plan"}


def test_opening_gives_the_newest_version_of_each_record_and_the_whole_chain(
    survivor, migrated_app
):
    secrets_ = made(survivor)
    save(survivor, "plan-pets", "plan", 1, {"text": "one"})
    save(survivor, "plan-pets", "plan", 2, {"text": "two"})
    save(survivor, "e-1", "entry", 1, {"what": "it happened"})
    post(survivor, "/notes/close", {})
    status, answer = post(survivor, "/notes/open", secrets_)
    assert status == 200
    records = answer["records"]
    assert [(r["id"], r["version"], "data" in r) for r in records] == [
        ("plan-pets", 1, False),
        ("plan-pets", 2, True),
        ("e-1", 1, True),
    ]
    newest = base64.b64decode(records[1]["data"])
    assert notebook_keys.unseal(KEY, "plan-pets", "plan", 2, newest) == {"text": "two"}


def test_every_record_is_chained_and_its_receipt_signed(survivor, migrated_app):
    made(survivor)
    for n in range(3):
        save(survivor, f"e-{n}", "entry", 1, {"what": str(n)})
    signer = receipts.Signer(migrated_app.config["HAVEN_SETTINGS"].secret_key)
    previous = receipts.GENESIS
    for row in rows(migrated_app):
        assert row.cipher_hash == receipts.cipher_hash(row.ciphertext)
        assert row.chain_hash == receipts.next_link(previous, row.cipher_hash)
        assert signer.verify(row.chain_hash, row.received_at, row.receipt)
        previous = row.chain_hash


def test_a_wrong_secret_a_missing_notebook_and_a_malformed_id_answer_alike(survivor):
    secrets_ = made(survivor)
    wrong = post(survivor, "/notes/open", secrets_ | {"access": secrets.token_hex(32)})
    missing = post(survivor, "/notes/open", pair())
    malformed = post(survivor, "/notes/open", {"lookup": "../etc", "access": 7})
    assert wrong == missing == malformed == (404, {"problem": "unknown"})


def test_opening_is_throttled_even_for_the_right_secret(survivor):
    secrets_ = made(survivor)
    for _ in range(10):
        assert post(survivor, "/notes/open", pair())[0] == 404
    assert post(survivor, "/notes/open", secrets_) == (429, {"problem": "busy"})


def test_a_stale_plan_write_is_refused_with_the_stored_version(survivor, migrated_app):
    made(survivor)
    assert save(survivor, "plan-after", "plan", 1, {"text": "first device"})[0] == 201
    status, answer = save(survivor, "plan-after", "plan", 1, {"text": "second device"})
    assert status == 409 and answer["problem"] == "stale"
    latest = answer["latest"]
    assert latest["version"] == 1
    stored = base64.b64decode(latest["data"])
    assert notebook_keys.unseal(KEY, "plan-after", "plan", 1, stored)["text"] == "first device"
    assert save(survivor, "plan-after", "plan", 5, {"text": "skipping ahead"})[0] == 409
    assert len(rows(migrated_app)) == 1


def test_incident_entries_and_photos_are_written_once(survivor, migrated_app):
    made(survivor)
    assert save(survivor, "e-a", "entry", 1, {"what": "first"})[0] == 201
    assert save(survivor, "e-a", "entry", 1, {"what": "rewritten"}) == (409, {"problem": "append"})
    assert save(survivor, "e-a", "entry", 2, {"what": "rewritten"})[0] == 409
    assert save(survivor, "e-a", "plan", 2, {"text": "as a plan"})[0] == 400
    assert save(survivor, "p-a", "photo", 1, {"jpeg": ""})[0] == 201
    assert save(survivor, "p-a", "photo", 1, {"jpeg": ""})[0] == 409
    kept = rows(migrated_app)
    assert len(kept) == 2
    assert notebook_keys.unseal(KEY, "e-a", "entry", 1, kept[0].ciphertext)["what"] == "first"


@pytest.mark.parametrize(
    ("change", "status", "problem"),
    [
        ({"id": "../../etc"}, 400, "id"),
        ({"id": "x" * 41}, 400, "id"),
        ({"id": ["e-1"]}, 400, "id"),
        ({"kind": "script"}, 400, "kind"),
        ({"version": "1"}, 400, "version"),
        ({"version": True}, 400, "version"),
        ({"version": 0}, 400, "version"),
        ({"scheme": 9}, 400, "version"),
        ({"data": "not base64!"}, 400, "data"),
        ({"data": None}, 400, "data"),
        ({"data": base64.b64encode(b"short").decode()}, 413, "size"),
        ({"data": base64.b64encode(bytes(64 * 1024 + 1)).decode()}, 413, "size"),
    ],
)
def test_hostile_records_are_refused_and_nothing_is_stored(
    survivor, migrated_app, change, status, problem
):
    made(survivor)
    body = notebook_keys.save_body(KEY, "e-1", "entry", 1, {"what": "x"}) | change
    assert post(survivor, "/notes/save", body) == (status, {"problem": problem})
    assert rows(migrated_app) == []


@pytest.mark.parametrize("body", [None, [], "text", 7, {"lookup": None}])
def test_bodies_that_are_not_what_the_page_sends_never_fail_the_server(survivor, body):
    for path in ("/notes/new", "/notes/open", "/notes/save", "/notes/wipe"):
        response = survivor.post(path, json=body)
        assert 400 <= response.status_code < 500, path
    assert (
        survivor.post("/notes/save", data=b"\xff\xfe", content_type="application/json").status_code
        < 500
    )


def test_a_photo_may_be_larger_than_text_but_not_without_limit(survivor, migrated_app):
    made(survivor)
    big = {"jpeg": base64.b64encode(os.urandom(2 * 1024 * 1024)).decode()}
    assert save(survivor, "p-big", "photo", 1, big)[0] == 201
    too_big = {"jpeg": base64.b64encode(os.urandom(4 * 1024 * 1024)).decode()}
    assert save(survivor, "p-huge", "photo", 1, too_big) == (413, {"problem": "size"})
    assert len(rows(migrated_app)) == 1


def test_writing_needs_a_notebook_opened_in_this_visit(survivor, migrated_app):
    made(survivor)
    post(survivor, "/notes/close", {})
    assert save(survivor, "e-1", "entry", 1, {"what": "x"}) == (403, {"problem": "closed"})
    other = migrated_app.test_client()
    unlock(other)
    other.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(other.get("/notes").get_data(as_text=True))
    assert save(other, "e-1", "entry", 1, {"what": "x"})[0] == 403
    assert rows(migrated_app) == []


def test_a_reloaded_page_and_the_visits_lock_close_the_notebook(survivor, migrated_app):
    made(survivor)
    survivor.get("/notes")
    assert save(survivor, "e-1", "entry", 1, {"what": "x"})[0] == 403
    secrets_ = made(survivor)
    post(survivor, "/notes/open", secrets_)
    survivor.get("/lock")
    unlock(survivor)
    survivor.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(
        survivor.get("/home").get_data(as_text=True)
    )
    assert survivor.post("/notes/save", json={}).status_code == 403


def test_writes_need_the_pages_csrf_token(survivor, migrated_app):
    made(survivor)
    del survivor.environ_base["HTTP_X_CSRFTOKEN"]
    body = notebook_keys.save_body(KEY, "e-1", "entry", 1, {"what": "x"})
    assert survivor.post("/notes/save", json=body).status_code == 400
    assert rows(migrated_app) == []


def test_wipe_deletes_everything_after_confirmation(survivor, migrated_app):
    secrets_ = made(survivor)
    save(survivor, "e-1", "entry", 1, {"what": "x"})
    assert post(survivor, "/notes/wipe", {}) == (400, {"problem": "sure"})
    assert len(rows(migrated_app)) == 1
    assert post(survivor, "/notes/wipe", {"sure": True}) == (200, {"wiped": True})
    assert rows(migrated_app) == []
    with session_scope(migrated_app) as session:
        assert session.scalar(select(func.count()).select_from(Notebook)) == 0
    assert post(survivor, "/notes/open", secrets_) == post(survivor, "/notes/open", pair())


def test_nothing_of_a_notebook_reaches_the_log(survivor, caplog):
    caplog.set_level(logging.DEBUG)
    secrets_ = made(survivor)
    save(survivor, "e-1", "entry", 1, {"what": "x"})
    post(survivor, "/notes/open", secrets_ | {"access": secrets.token_hex(32)})
    for value in secrets_.values():
        assert value not in caplog.text


@pytest.fixture
def stronger(monkeypatch):
    """A deployment that raised the derivation: version 2 current, version 1 still accepted."""
    versions = kdf.VERSIONS | {2: {"iterations": 650_000, "salt": "n/2"}}
    monkeypatch.setattr(kdf, "VERSIONS", versions)
    monkeypatch.setattr(kdf, "CURRENT", 2)


def test_the_page_hands_its_script_every_accepted_derivation(survivor, stronger):
    page = survivor.get("/notes").get_data(as_text=True)
    assert "&#34;current&#34;: 2" in page and "650000" in page and "600000" in page


def test_an_opened_notebook_moves_to_a_stronger_derivation_in_one_step(
    survivor, migrated_app, stronger
):
    old = made(survivor)
    save(survivor, "e-1", "entry", 1, {"what": "kept"})
    new = pair()
    wrapped = base64.b64encode(os.urandom(60)).decode()
    assert post(survivor, "/notes/rekey", new | {"kdf": 1, "wrapped": wrapped})[0] == 400
    assert post(survivor, "/notes/rekey", new | {"kdf": 2, "wrapped": wrapped}) == (
        200,
        {"kdf": 2},
    )
    assert post(survivor, "/notes/open", old) == (404, {"problem": "unknown"})
    status, answer = post(survivor, "/notes/open", new)
    assert status == 200 and answer["kdf"] == 2 and answer["wrapped"] == wrapped
    assert [r["id"] for r in answer["records"]] == ["e-1"]


def test_a_rekey_needs_an_opened_notebook_and_a_free_lookup_id(survivor, stronger):
    other = made(survivor)
    made(survivor)
    wrapped = base64.b64encode(os.urandom(60)).decode()
    taken = other | {"kdf": 2, "wrapped": wrapped}
    assert post(survivor, "/notes/rekey", taken) == (409, {"problem": "taken"})
    post(survivor, "/notes/close", {})
    assert post(survivor, "/notes/rekey", pair() | {"kdf": 2, "wrapped": wrapped})[0] == 403


def test_the_pages_script_drops_the_key_after_the_configured_minutes(clock):
    app = create_app(make_settings(notebook_lock_minutes=2), clock=clock)
    client = app.test_client()
    unlock(client)
    assert 'data-idle="120"' in client.get("/notes").get_data(as_text=True)
