"""Tell someone what happened (`/write`): the report, its secret phrase, and coming back."""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import threading
from datetime import UTC, datetime

import pytest
import requests
from PIL import Image
from sqlalchemy import func, inspect, select, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import factories
from tests.conftest import DATABASES, UNLOCK_CODE, LiveServer, app_on, csrf_token, unlock
from tests.photo_samples import jpeg_with_gps
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.reports import agencies, choices, consent, operations, proofs, sharing
from webapp.reports.models import Report, ReportPhoto

TICKET = re.compile(r'name="ticket" type="hidden" value="([^"]+)"')
CODENAME = re.compile(r'data-testid="codename">([a-z -]+)</code>')
WORDS = "MARKER-WORDS he broke the kitchen door on Tuesday"
HER_ADDRESS = "203.0.113.77"
HER_BROWSER = "Mozilla/5.0 (Quokka Phone 7)"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def police(migrated_app) -> str:
    with session_scope(migrated_app) as session:
        return agencies.find_or_add_agency(session, "County police").id


@pytest.fixture
def survivor(migrated_app, police):
    client = migrated_app.test_client()
    unlock(client)
    return client


def the_form(client) -> dict:
    page = client.get("/write").get_data(as_text=True)
    return {"csrf_token": csrf_token(page), "ticket": TICKET.search(page).group(1)}


def with_proof(app, form: dict) -> dict:
    """The form as the page's script sends it: with a proof of work for its ticket."""
    bits = app.config["HAVEN_SETTINGS"].report_proof_bits
    return form | {"proof": proofs.solve(form["ticket"], bits)}


def fields(**changes) -> dict:
    values = {
        "role": "victim",
        "kinds": ["threats", "property"],
        "happened": "days",
        "area": "chatham",
        "text": WORDS,
    }
    return values | changes


def send(client, form: dict, photos=(), **kwargs):
    """Post the form as a browser does, files and all (encoded in memory: the test client
    would spool a large body to a temporary file it never closes)."""
    data = MultiDict(form)
    for name, raw in photos:
        data.add("photos", FileStorage(io.BytesIO(raw), filename=name))
    boundary, body = encode_multipart(data)
    kind = f"multipart/form-data; boundary={boundary}"
    return client.post("/write", data=body, content_type=kind, **kwargs)


def reports_stored(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Report))


def codename_of(client, answer) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return CODENAME.search(client.get(answer.headers["Location"]).get_data(as_text=True)).group(1)


def open_with(client, codename: str):
    page = client.get("/write").get_data(as_text=True)
    return client.post("/write/open", data={"csrf_token": csrf_token(page), "codename": codename})


def post(client, action: str, data: dict):
    token = csrf_token(client.get("/write/mine").get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def test_the_form_is_behind_the_code_and_has_its_hooks(migrated_app, survivor):
    assert migrated_app.test_client().get("/write").headers["Location"] == "/"
    page = survivor.get("/write").get_data(as_text=True)
    for hook in ("report-text", "report-submit", "quick-exit"):
        assert f'data-testid="{hook}"' in page
    assert "Share with County police" in page and 'enctype="multipart/form-data"' in page


def test_a_report_round_trip_with_the_secret_phrase(migrated_app, survivor, police):
    """Sent with a photo and shared with the police; opened again on another device; an
    advocate's reply read and answered; the sharing stopped; the report deleted."""
    sent = send(
        survivor, the_form(survivor) | fields(agencies=[police]), [("a.jpg", jpeg_with_gps())]
    )
    first_page = survivor.get(sent.headers["Location"]).get_data(as_text=True)
    codename = CODENAME.search(first_page).group(1)
    assert len(codename.split()) == 7 and "hidden details of your photo" in first_page
    again = survivor.get(sent.headers["Location"]).get_data(as_text=True)
    assert codename not in again and "shown only once" in again

    with session_scope(migrated_app) as session:
        report = session.scalars(select(Report)).one()
        advocate = factories.user(session, migrated_app.config["HAVEN_SETTINGS"])
        operations.reply(
            session,
            report.id,
            "We read it. Are you safe now?",
            author_id=advocate.id,
            now=report.created_at,
        )

    elsewhere = migrated_app.test_client()
    unlock(elsewhere)
    assert elsewhere.get("/write/mine").headers["Location"] == "/write"
    opened = open_with(elsewhere, codename.upper().replace(" ", "  "))
    assert opened.status_code == 303 and opened.headers["Location"] == "/write/mine"
    page = elsewhere.get("/write/mine").get_data(as_text=True)
    assert WORDS in page and "We read it. Are you safe now?" in page
    assert "County police</strong>:\n      can read it" in page

    assert (
        post(elsewhere, "/write/mine/answer", {"body": "Yes, at my sister's."}).status_code == 303
    )
    page = elsewhere.get("/write/mine").get_data(as_text=True)
    assert page.index("Are you safe now?") < page.index("Yes, at my sister&#39;s.")

    stop = post(elsewhere, "/write/mine/share", {"agency": police, "change": "revoke"})
    assert stop.status_code == 303
    assert "cannot read it" in elsewhere.get("/write/mine").get_data(as_text=True)

    refused = post(elsewhere, "/write/mine/delete", {})
    assert refused.status_code == 400 and "Tick the box to confirm." in refused.get_data(
        as_text=True
    )
    gone = post(elsewhere, "/write/mine/delete", {"sure": "y"})
    assert gone.status_code == 303 and reports_stored(migrated_app) == 0
    with session_scope(migrated_app) as session:
        assert session.scalar(select(func.count()).select_from(ReportPhoto)) == 0
    wrong = open_with(survivor, codename)
    assert wrong.status_code == 400 and "could not find a report" in wrong.get_data(as_text=True)


def test_the_same_form_sent_twice_makes_one_report(migrated_app, survivor):
    form = the_form(survivor) | fields()
    first = send(survivor, form)
    second = send(survivor, form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"], "the same phrase page"
    assert CODENAME.search(survivor.get(first.headers["Location"]).get_data(as_text=True))
    third = send(survivor, form)
    shown = survivor.get(third.headers["Location"]).get_data(as_text=True)
    assert "shown only once" in shown and reports_stored(migrated_app) == 1


def png_bigger_than(limit: int) -> bytes:
    noise = Image.frombytes("RGB", (1100, 1100), bytes(range(256)) * (1100 * 1100 * 3 // 256 + 1))
    out = io.BytesIO()
    noise.effect_spread(50).save(out, "PNG", compress_level=0)
    assert len(out.getvalue()) > limit
    return out.getvalue()


@pytest.mark.parametrize(
    ("changes", "photos", "message"),
    [
        ({}, [("big.png", png_bigger_than(3 * 1024 * 1024))], "at most 3 MB"),
        ({}, [("fake.jpg", b"%PDF-1.4 a document named like a photo")], "JPEG or PNG"),
        ({}, [(f"p{n}.jpg", jpeg_with_gps()) for n in range(6)], "at most 5 photos"),
        ({"text": "   "}, [], "Write what happened, even in a few words."),
        ({"kinds": ["threats", "witchcraft"]}, [], "Choose at least one of the kinds listed."),
        ({"kinds": []}, [], "Choose at least one of the kinds listed."),
        ({"area": "the moon"}, [], "Choose an area from the list."),
        ({"text": WORDS + "x" * 1_000_000}, [], "Use at most 5,000 letters."),
        ({"agencies": ["forged-agency-id"]}, [], "not on the list any more"),
        ({"ticket": "forged.ticket"}, [], "This form was open for too long."),
        ({"ticket": ""}, [], "This form was open for too long."),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_stores_nothing(
    migrated_app, survivor, changes, photos, message
):
    answer = send(survivor, the_form(survivor) | fields(**changes), photos)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in page
    assert reports_stored(migrated_app) == 0
    assert 'checked id="happened-1" name="happened" type="radio" value="days"' in page, "kept"
    if "text" not in changes:
        assert WORDS in page, "what she wrote stays"
    assert 'data-testid="quick-exit"' in page


def test_a_pasted_secret_phrase_is_warned_about_until_she_says_it_is_not_one(
    migrated_app, survivor
):
    pasted = WORDS + " abacus zoom vowel pep unsaid crumb dingy"
    form = the_form(survivor) | fields(text=pasted)
    warned = send(survivor, form)
    assert warned.status_code == 400 and "looks like a secret phrase" in warned.get_data(
        as_text=True
    )
    assert reports_stored(migrated_app) == 0
    assert send(survivor, form | {"codename_ok": "y"}).status_code == 303
    assert reports_stored(migrated_app) == 1


def test_wrong_phrases_are_throttled_and_then_even_the_right_one_gets_the_same_answer(
    migrated_app, survivor
):
    codename = codename_of(survivor, send(survivor, the_form(survivor) | fields()))
    stranger = migrated_app.test_client()
    unlock(stranger)
    answers = [open_with(stranger, f"wrong words number {n} here now ok") for n in range(10)]
    assert {a.status_code for a in answers} == {400}
    late = open_with(stranger, codename)
    page = late.get_data(as_text=True)
    assert late.status_code == 400 and "could not find a report with that secret phrase" in page
    assert codename not in page, "the phrase is not typed back into the page"


def test_too_many_reports_from_one_client_are_refused_and_what_she_typed_stays(
    migrated_app, survivor
):
    """With the page's proof of work: ten an hour."""
    for _ in range(10):
        sent = send(survivor, with_proof(migrated_app, the_form(survivor)) | fields())
        assert sent.status_code == 303
    form = with_proof(migrated_app, the_form(survivor))
    refused = send(survivor, form | fields(), [("a.jpg", jpeg_with_gps())])
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many tries in a short time." in page
    assert WORDS in page and reports_stored(migrated_app) == 10
    assert 'checked id="happened-1" name="happened" type="radio" value="days"' in page
    assert f'value="{form["proof"]}"' in page, "the proof is kept for the same ticket"


def test_without_a_proof_the_limit_is_stricter_and_a_refusal_keeps_what_she_typed(
    migrated_app, survivor
):
    """No JavaScript: three an hour; the proven limit is counted apart and still has room."""
    assert migrated_app.config["HAVEN_SETTINGS"].reports_an_hour_without_proof == 3
    for _ in range(3):
        assert send(survivor, the_form(survivor) | fields()).status_code == 303
    refused = send(survivor, the_form(survivor) | fields(area="rochester"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many tries in a short time." in page
    assert WORDS in page and 'selected value="rochester"' in page
    assert 'data-testid="quick-exit"' in page and reports_stored(migrated_app) == 3
    proven = send(survivor, with_proof(migrated_app, the_form(survivor)) | fields())
    assert proven.status_code == 303 and reports_stored(migrated_app) == 4


@pytest.mark.parametrize(
    "bad_proof",
    ["", "not a proof!", "ZZZZ", "0" * 500, "wrong nonce", "too few bits", "another ticket"],
)
def test_a_bad_proof_counts_as_none_never_as_an_error(migrated_app, survivor, bad_proof):
    bits = migrated_app.config["HAVEN_SETTINGS"].report_proof_bits
    for _ in range(3):
        assert send(survivor, the_form(survivor) | fields()).status_code == 303
    form = the_form(survivor)
    if bad_proof == "wrong nonce":
        bad_proof = next(
            n for n in map(str, range(10**6)) if not proofs.verify(form["ticket"], n, bits)
        )
    elif bad_proof == "too few bits":
        bad_proof = next(
            nonce
            for nonce in map(proofs.nonce_for, itertools.count())
            if proofs.verify(form["ticket"], nonce, bits - 4)
            and not proofs.verify(form["ticket"], nonce, bits)
        )
    elif bad_proof == "another ticket":
        bad_proof = with_proof(migrated_app, the_form(survivor))["proof"]
        assert not proofs.verify(form["ticket"], bad_proof, bits)
    refused = send(survivor, form | fields() | {"proof": bad_proof})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and WORDS in page and reports_stored(migrated_app) == 3
    assert 'name="proof" type="hidden" value=""' in page, "the page's script looks again"


def test_a_proof_is_good_for_its_own_ticket_only(migrated_app, survivor):
    """One proof cannot be carried to another form: after the plain limit, the proof of a
    sent form does not lift the next one, while a proof for its own ticket does."""
    first = with_proof(migrated_app, the_form(survivor))
    assert send(survivor, first | fields()).status_code == 303
    for _ in range(3):
        assert send(survivor, the_form(survivor) | fields()).status_code == 303
    reused = the_form(survivor) | {"proof": first["proof"]}
    assert send(survivor, reused | fields()).status_code == 429
    again = send(survivor, first | fields())
    assert again.status_code == 303 and reports_stored(migrated_app) == 4, "the same report"
    assert send(survivor, with_proof(migrated_app, reused) | fields()).status_code == 303
    assert reports_stored(migrated_app) == 5


def test_the_form_asks_the_page_for_a_proof_of_its_own_ticket(migrated_app, survivor):
    page = survivor.get("/write").get_data(as_text=True)
    bits = migrated_app.config["HAVEN_SETTINGS"].report_proof_bits
    assert f'data-work="{bits}"' in page and 'name="proof" type="hidden" value=""' in page
    assert re.search(r'<script src="/static/js/write\.js\?v=[0-9a-f]+" defer', page)


def test_the_database_holds_no_phrase_no_words_and_no_photo_metadata(migrated_app, survivor):
    codename = codename_of(
        survivor, send(survivor, the_form(survivor) | fields(), [("a.jpg", jpeg_with_gps())])
    )
    assert open_with(survivor, codename).status_code == 303
    answered = post(survivor, "/write/mine/answer", {"body": "MARKER-ANSWER still scared"})
    assert answered.status_code == 303
    with session_scope(migrated_app) as session:
        report_id = session.scalar(select(Report.id))
        police = agencies.find_or_add_agency(session, "County police").id
        consent.grant(session, session.get(Report, report_id), police, now=NOW)
        operations.reply(session, report_id, "MARKER-REPLY are you safe", author_id=None, now=NOW)
        sharing.write(
            session,
            report_id,
            police,
            "MARKER-NOTE detective",
            side="partner",
            author_id=None,
            now=NOW,
        )
    engine = migrated_app.extensions["db.engine"]
    with engine.connect() as connection:
        dump = "\n".join(
            repr(list(record))
            for table in inspect(engine).get_table_names()
            for record in connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
        )
    assert "reports" in inspect(engine).get_table_names()
    for secret in ("MARKER", codename, codename.replace(" ", ""), "kitchen", "scared", "detective"):
        assert secret not in dump, secret
    with session_scope(migrated_app) as session:
        photo = session.scalars(select(ReportPhoto)).one()
        report = session.scalars(select(Report)).one()
        assert report.text == WORDS and report.messages[0].body == "MARKER-ANSWER still scared"
        with Image.open(io.BytesIO(photo.data)) as image:
            assert image.format == "JPEG" and not image.getexif()
            assert not set(image.info) & {"exif", "icc_profile", "xmp", "comment"}
        assert b"MARKER" not in photo.data and b"Exif" not in photo.data


def test_no_log_line_of_the_flow_holds_an_address_a_phrase_or_her_words(
    templates, database_kind, clock, caplog
):
    """Through a real server behind one trusted proxy, so the app itself sees her address."""
    caplog.set_level(logging.DEBUG)
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, proxy_hops=1)
        with session_scope(app) as session:
            police = agencies.find_or_add_agency(session, "County police").id
        with LiveServer(app) as server:
            browser = requests.Session()
            browser.headers.update({"User-Agent": HER_BROWSER, "X-Forwarded-For": HER_ADDRESS})
            decoy = browser.get(server.url + "/").text
            browser.post(server.url + "/", data={"csrf_token": csrf_token(decoy), "q": UNLOCK_CODE})
            page = browser.get(server.url + "/write").text
            form = {"csrf_token": csrf_token(page), "ticket": TICKET.search(page).group(1)}
            sent = browser.post(
                server.url + "/write",
                data=form | fields(agencies=[police]),
                files={"photos": ("a.jpg", jpeg_with_gps(), "image/jpeg")},
            )
            codename = CODENAME.search(sent.text).group(1)
            token = {"csrf_token": csrf_token(sent.text)}
            browser.post(server.url + "/write/mine/close", data=token)
            wrong = browser.post(server.url + "/write/open", data=token | {"codename": "not it"})
            assert "could not find a report" in wrong.text
            opened = browser.post(server.url + "/write/open", data=token | {"codename": codename})
            assert WORDS in opened.text
            answer = token | {"body": "MARKER-ANSWER at my sister's"}
            assert (
                "MARKER-ANSWER" in browser.post(server.url + "/write/mine/answer", data=answer).text
            )
            # The advocates and the agency read it, answer and write to each other.
            with session_scope(app) as session:
                report_id = session.scalar(select(Report.id))
                moment = datetime.fromtimestamp(clock.time(), UTC)
                people = {}
                for role in ("advocate", "partner"):
                    user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=[role])
                    agencies.add_members(session, user.id, [police] if role == "partner" else [])
                    people[role] = start_session(session, user, now=moment)
            for role, page in (
                ("advocate", f"/console/inbox/{report_id}"),
                ("partner", f"/partners/shared/{report_id}"),
            ):
                desk = requests.Session()
                desk.headers.update({"X-Forwarded-For": "198.51.100.9"})
                desk.cookies.set("staff", people[role])
                html = desk.get(server.url + page).text
                assert WORDS in html
                target = "reply" if role == "advocate" else f"agencies/{police}"
                field = "body" if role == "advocate" else f"note-{police}-body"
                sent = desk.post(
                    f"{server.url}{page}/{target}",
                    data={"csrf_token": csrf_token(html), field: f"MARKER-{role} kitchen"},
                )
                assert f"MARKER-{role} kitchen" in sent.text
        app.extensions["db.engine"].dispose()

    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("urllib3")
    )
    assert "POST /write/open HTTP/1.1" in logged, "the access lines were read"
    assert "GET /partners/shared/" in logged
    for private in (HER_ADDRESS, HER_BROWSER, codename, "MARKER", "kitchen", "sister", "not it"):
        assert private not in logged, private


# Ten sendings of one form at once, on PostgreSQL: SQLite has one writer.
if "postgresql" in DATABASES:

    @pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
    def test_ten_concurrent_sendings_of_one_form_make_one_report(migrated_app):
        draft = operations.Draft(
            kinds=["threats"], happened="days", area="chatham", role="witness", text=WORDS
        )
        barrier = threading.Barrier(10)
        made: list[bool] = []
        ids: set[str] = set()
        failures: list[BaseException] = []

        def sender(n: int) -> None:
            try:
                with session_scope(migrated_app) as session:
                    barrier.wait(timeout=30)
                    report, new = operations.submit(
                        session, draft, lookup_key=f"{n:064x}", form_key="f" * 64, now=NOW
                    )
                    made.append(new)
                    ids.add(report.id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert made.count(True) == 1 and len(ids) == 1 and reports_stored(migrated_app) == 1


def test_purge_deletes_reports_idle_for_the_retention_period_and_her_visit_keeps_one(
    migrated_app, survivor, clock
):
    """`flask purge` counts from the last activity: a visit with the phrase keeps a report."""
    kept = codename_of(survivor, send(survivor, the_form(survivor) | fields()))
    codename_of(survivor, send(survivor, the_form(survivor) | fields()))
    days = migrated_app.config["HAVEN_SETTINGS"].report_retention_days
    clock.advance((days - 1) * 86400)
    unlock(survivor)  # the visit itself ended long ago
    assert open_with(survivor, kept).status_code == 303
    clock.advance(2 * 86400)
    unlock(survivor)
    result = migrated_app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "reports deleted: 1" in result.output
    assert reports_stored(migrated_app) == 1
    assert open_with(survivor, kept).status_code == 303
    page = survivor.get("/write/mine").get_data(as_text=True)
    assert WORDS in page and "It will be deleted on" in page


def test_a_filled_honeypot_stores_nothing(migrated_app, survivor):
    answer = send(survivor, the_form(survivor) | fields(website="https://spam.example"))
    assert answer.status_code == 400 and reports_stored(migrated_app) == 0


def test_no_repr_shows_the_words_or_the_lookup_key(migrated_app, survivor, police):
    codename_of(survivor, send(survivor, the_form(survivor) | fields(agencies=[police])))
    with session_scope(migrated_app) as session:
        report = session.scalars(select(Report)).one()
        operations.answer(session, report, "MARKER-ANSWER", now=report.created_at)
        shown = " ".join(
            repr(thing) for thing in [report, *report.messages, *report.consents, *report.photos]
        )
        assert "MARKER" not in shown and report.lookup_key not in shown


def test_the_areas_come_from_the_deployments_own_file(templates, database_kind, clock, tmp_path):
    """REPORT_AREAS_FILE: its areas are offered and accepted, the shipped ones refused."""
    areas_file = tmp_path / "areas.json"
    areas_file.write_text(
        json.dumps(
            {
                "areas": [
                    {"code": "north-ward", "name": "North Ward"},
                    {"code": "harbour", "name": "Le port, quai sud"},
                ]
            }
        ),
        encoding="utf-8",
    )
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, report_areas_file=str(areas_file))
        client = app.test_client()
        unlock(client)
        page = client.get("/write").get_data(as_text=True)
        assert '<option value="north-ward">North Ward</option>' in page
        assert '<option value="harbour">Le port, quai sud</option>' in page
        assert "Chatham" not in page and "Springfield" not in page
        assert 'value="unsaid"' in page, "the form's own choices stay"
        refused = send(client, the_form(client) | fields(area="chatham"))
        assert refused.status_code == 400
        assert "Choose an area from the list." in refused.get_data(as_text=True)
        assert send(client, the_form(client) | fields(area="harbour")).status_code == 303
        with session_scope(app) as session:
            assert session.scalars(select(Report.area)).all() == ["harbour"]
        with app.app_context():
            assert list(choices.areas())[:2] == ["north-ward", "harbour"]
        app.extensions["db.engine"].dispose()
    assert "chatham" in choices.areas(), "outside that app: the shipped file"
