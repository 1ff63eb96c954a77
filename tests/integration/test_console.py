"""The advocate console and Twilio's side of the call, through the test client and a fake Twilio."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import app_on, csrf_token, unlock
from tests.integration.test_call import TICKET
from tests.integration.test_call import fields as call_fields
from tests.messaging_fakes import LocalTwilioHttpClient, TwilioCallbacks
from webapp.accounts.models import AuditEvent
from webapp.accounts.sessions import start_session
from webapp.callbacks import intake, staffing
from webapp.callbacks.advocates import add_shifts, set_languages_and_skills
from webapp.callbacks.models import CallbackRequest, CallLeg
from webapp.callbacks.windows import Window
from webapp.db import session_scope
from webapp.messaging.models import OutboxMessage
from webapp.messaging.outbox import deliver_due, enqueue
from webapp.messaging.sms import sms_sender_for

TOKEN = "t" * 32
PUBLIC_URL = "https://haven.example.org"
CALLER_ID = "+15005550006"
NUMBER = "+12175550142"
ADVOCATE_PHONE = "+12175550199"
MONDAY_1830 = datetime(2027, 1, 12, 0, 30, tzinfo=UTC)  # in Chicago
EVENINGS = (Window.of([0, 1, 2, 3, 4], 18 * 60, 20 * 60),)
BRIDGE = re.compile(r"/hooks/twilio/voice/bridge/[^/\s\"]+$")


@pytest.fixture
def app(templates, database_kind, clock, fake_twilio):
    clock.now = MONDAY_1830.timestamp()
    settings = {
        "sms_backend": "twilio",
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": "+15005550001",
        "twilio_caller_id": CALLER_ID,
        "public_url": PUBLIC_URL,
    }
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, **settings)
        http = LocalTwilioHttpClient(fake_twilio.url)
        app.extensions["twilio.http_client"] = http
        yield app
        http.close()
        app.extensions["db.engine"].dispose()


def advocate(app, *, roles=("advocate",), voicemail_ok=False, **wish):
    """An advocate on shift who speaks Spanish, her browser signed in, and one request waiting."""
    with session_scope(app) as session:
        user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=roles)
        set_languages_and_skills(session, user.id, ["es"], [])
        add_shifts(session, user.id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC")
        staffing.set_phone(session, user.id, ADVOCATE_PHONE)
        request, _ = intake.ask(
            session,
            intake.Wish(
                NUMBER,
                EVENINGS,
                "America/Chicago",
                "es",
                question="Is this the pharmacy?",
                answer="Yes, my order",
                voicemail_ok=voicemail_ok,
                voicemail_text="Your order is ready" if voicemail_ok else None,
                **wish,
            ),
            key="k" * 32,
            receipt_hash="r" * 64,
            now=MONDAY_1830,
        )
        token = start_session(session, user, now=MONDAY_1830)
        user_id, request_id = user.id, request.id
    browser = app.test_client()
    browser.set_cookie("staff", token)
    return browser, user_id, request_id


def post(browser, action: str, data: dict | None = None, page: str = "/console/"):
    token = csrf_token(browser.get(page).get_data(as_text=True))
    return browser.post(action, data={"csrf_token": token, **(data or {})})


def test_the_queue_names_nothing_of_her_and_the_card_is_read_under_audit(app):
    browser, user_id, request_id = advocate(app)
    queue_page = browser.get("/console/").get_data(as_text=True)
    assert "Español" in queue_page
    for private in ("pharmacy", "order", "0142", "Chicago"):
        assert private not in queue_page, private
    taken = post(browser, "/console/take")
    assert taken.headers["Location"] == f"/console/requests/{request_id}"
    card = browser.get(taken.headers["Location"]).get_data(as_text=True)
    assert "Is this the pharmacy?" in card and "Yes, my order" in card
    assert NUMBER not in card and "Ends in 42" in card
    with session_scope(app) as session:
        read = session.scalars(select(AuditEvent).where(AuditEvent.action == "callback.card_read"))
        assert [(e.actor_id, e.detail["request_id"]) for e in read] == [(user_id, request_id)]


def test_another_advocate_cannot_read_a_card_someone_holds(app):
    browser, _user_id, request_id = advocate(app)
    post(browser, "/console/take")
    with session_scope(app) as session:
        other = factories.user(session, app.config["HAVEN_SETTINGS"], roles=["advocate"])
        token = start_session(session, other, now=MONDAY_1830)
    intruder = app.test_client()
    intruder.set_cookie("staff", token)
    answer = intruder.get(f"/console/requests/{request_id}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/"
    assert "pharmacy" not in intruder.get("/console/").get_data(as_text=True)


@pytest.mark.parametrize("voicemail_ok", [False, True])
def test_call_now_rings_the_advocate_and_the_twiml_dials_her_masked(app, fake_twilio, voicemail_ok):
    browser, _user_id, request_id = advocate(app, voicemail_ok=voicemail_ok)
    post(browser, "/console/take")
    started = post(
        browser, f"/console/requests/{request_id}/call", page=f"/console/requests/{request_id}"
    )
    assert started.status_code == 303
    [call] = fake_twilio.calls
    assert call.form["To"] == ADVOCATE_PHONE and call.form["From"] == CALLER_ID
    assert BRIDGE.search(call.form["Url"]) and NUMBER not in call.form["Url"]

    twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
    [her_leg] = fake_twilio.answer(twilio)
    assert (her_leg.to, her_leg.caller_id) == (NUMBER, CALLER_ID)
    assert (her_leg.machine_detection == "Enable") is (not voicemail_ok)
    assert bool(her_leg.amd_callback) is (not voicemail_ok)


@pytest.mark.parametrize("answered_by", ["machine_start", "unknown"])
def test_a_machine_where_no_message_may_be_left_is_hung_up_on(app, fake_twilio, answered_by):
    """Answering-machine detection unsure ("unknown") counts as a machine: no word is said."""
    browser, _user_id, request_id = advocate(app, voicemail_ok=False)
    post(browser, "/console/take")
    post(browser, f"/console/requests/{request_id}/call", page=f"/console/requests/{request_id}")
    bridge_url = fake_twilio.calls[0].form["Url"]
    machine_url = bridge_url.replace("/voice/bridge/", "/voice/machine/")
    twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
    survivor_leg = "CA" + "2" * 32
    answered = twilio.post(machine_url, {"CallSid": survivor_leg, "AnsweredBy": answered_by})
    assert answered.status_code == 204
    assert fake_twilio.call_updates == [(survivor_leg, {"Status": "completed"})]
    twilio.post(machine_url, {"CallSid": "CA" + "3" * 32, "AnsweredBy": "human"})
    assert len(fake_twilio.call_updates) == 1, "a person is put through"


def test_call_status_callbacks_never_move_backwards_and_replays_change_nothing(app, fake_twilio):
    browser, _user_id, request_id = advocate(app)
    post(browser, "/console/take")
    post(browser, f"/console/requests/{request_id}/call", page=f"/console/requests/{request_id}")
    twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
    with session_scope(app) as session:
        sid = session.scalar(select(CallLeg.sid))
    status = "/hooks/twilio/calls/status"
    for call_status, sequence in [
        ("ringing", 1),
        ("completed", 3),
        ("in-progress", 2),
        ("ringing", 1),
    ]:
        twilio.post(
            status, {"CallSid": sid, "CallStatus": call_status, "SequenceNumber": str(sequence)}
        )
    with session_scope(app) as session:
        leg = session.get(CallLeg, sid)
        assert (leg.status, leg.sequence) == ("completed", 3)
    unsigned = app.test_client().post(status, data={"CallSid": sid, "CallStatus": "failed"})
    forged = app.test_client().post(
        status,
        data={"CallSid": sid, "CallStatus": "failed", "SequenceNumber": "9"},
        headers={"X-Twilio-Signature": "bm90IFR3aWxpbydzIHNpZ25hdHVyZQ=="},
    )
    assert unsigned.status_code == forged.status_code == 403
    with session_scope(app) as session:
        leg = session.get(CallLeg, sid)
        assert (leg.status, leg.sequence) == ("completed", 3), "a refused callback changes nothing"


def test_an_outcome_closes_it_and_her_receipt_then_says_so(app):
    browser, _user_id, request_id = advocate(app)
    post(browser, "/console/take")
    saved = post(
        browser,
        f"/console/requests/{request_id}/outcome",
        {"outcome": "reached", "notes": "safe for now"},
        page=f"/console/requests/{request_id}",
    )
    assert saved.headers["Location"] == "/console/"
    with session_scope(app) as session:
        stored = session.get(CallbackRequest, request_id)
        assert (stored.status, stored.outcome) == ("closed", "reached")
        assert intake.progress(stored, MONDAY_1830).state == "closed"


def test_a_text_with_a_keyword_starts_a_request_and_the_answer_says_nothing(app):
    twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
    for body, sid in [("LLAMAR", "SM1"), ("llamar", "SM1"), ("STOP", "SM2"), ("hello", "SM3")]:
        answer = twilio.post("/hooks/twilio/sms", {"From": NUMBER, "Body": body, "MessageSid": sid})
        assert answer.status_code == 200 and "<Message>" not in answer.get_data(as_text=True)
    with session_scope(app) as session:
        requests = session.scalars(select(CallbackRequest)).all()
        assert [(r.source, r.language, r.number) for r in requests] == [("sms", "es", NUMBER)]


def test_a_text_twilio_did_not_sign_starts_nothing(app):
    unsigned = app.test_client().post(
        "/hooks/twilio/sms", data={"From": NUMBER, "Body": "LLAMAR", "MessageSid": "SM4"}
    )
    assert unsigned.status_code == 403
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 0


def test_message_status_callbacks_are_idempotent_and_failures_show_to_supervisors(app):
    with session_scope(app) as session:
        message = enqueue(session, to=ADVOCATE_PHONE, body="Haven: test", now=MONDAY_1830)
        message.provider_id, message.status = "SM" + "9" * 32, "sent"
    twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
    for status in ["sent", "undelivered", "delivered", "undelivered"]:
        twilio.post(
            "/hooks/twilio/messages/status",
            {"MessageSid": "SM" + "9" * 32, "MessageStatus": status},
        )
    with session_scope(app) as session:
        stored = session.scalar(select(OutboxMessage))
        assert stored.delivery_status == "undelivered" and "not delivered" in stored.last_error
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_lease_left_alone_lapses_and_the_request_is_in_the_queue_again(app, clock):
    browser, _user_id, request_id = advocate(app)
    post(browser, "/console/take")
    clock.advance(timedelta(minutes=11).total_seconds())
    queue_page = browser.get("/console/").get_data(as_text=True)
    assert f"/console/requests/{request_id}/take" in queue_page


def test_no_log_line_of_the_whole_flow_holds_her_words_or_an_address(app, fake_twilio, caplog):
    """Her form at /call, the alerts, the console, Twilio's TwiML, machine and status
    callbacks, a text with the keyword: every logger at DEBUG, nothing of hers in any line."""
    caplog.set_level(logging.DEBUG)
    browser, _user_id, _request_id = advocate(app)
    survivor, where = app.test_client(), {"REMOTE_ADDR": "203.0.113.77"}
    unlock(survivor, environ_base=where)
    page = survivor.get("/call", environ_base=where).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "ticket": TICKET.search(page).group(1)}
    form |= call_fields(note="He is home at nine")
    assert survivor.post("/call", data=form, environ_base=where).status_code == 303
    sender = sms_sender_for(
        app.config["HAVEN_SETTINGS"], http_client=app.extensions["twilio.http_client"]
    )
    with session_scope(app) as session:
        assert deliver_due(session, sender, now=MONDAY_1830).sent >= 2
    for _ in range(2):  # both requests: card, call, Twilio's side, outcome
        request_id = int(post(browser, "/console/take").headers["Location"].rsplit("/", 1)[1])
        card = f"/console/requests/{request_id}"
        assert "pharmacy" in browser.get(card).get_data(as_text=True)
        post(browser, f"{card}/call", page=card)
        twilio = TwilioCallbacks(app.test_client(), TOKEN, PUBLIC_URL)
        bridge = fake_twilio.calls[-1].form["Url"]
        leg = "CA" + uuid.uuid4().hex
        twilio.post(bridge, {"CallSid": leg, "CallStatus": "in-progress"})
        machine = bridge.replace("/voice/bridge/", "/voice/machine/")
        twilio.post(machine, {"CallSid": leg, "AnsweredBy": "human"})
        for status, sequence in [("ringing", 1), ("in-progress", 2), ("completed", 3)]:
            twilio.post(
                "/hooks/twilio/calls/status",
                {"CallSid": leg, "CallStatus": status, "SequenceNumber": str(sequence)},
            )
        post(browser, f"{card}/outcome", {"outcome": "reached", "notes": "her sister's"}, card)
    twilio.post(
        "/hooks/twilio/sms", {"From": "+12175550143", "Body": "LLAMAR", "MessageSid": "SM5"}
    )

    logged = caplog.text
    assert logged, "the flow logs something, so this checks something"
    for private in [
        "Rosa",
        "pharmacy",
        "my order",
        "home at nine",
        "sister",
        "0142",
        "0143",
        "203.0.113.77",
    ]:
        assert private not in logged, private


def test_a_supervisor_takes_a_request_in_a_language_she_does_not_speak(app):
    browser, user_id, request_id = advocate(app, roles=("supervisor",))
    with session_scope(app) as session:
        set_languages_and_skills(session, user_id, ["en"], [])
    assert f"/console/requests/{request_id}/take" in browser.get("/console/").get_data(as_text=True)
    taken = post(browser, "/console/take")
    assert taken.status_code == 303
    assert taken.headers["Location"] == f"/console/requests/{request_id}"


def test_an_advocate_who_does_not_speak_it_is_not_offered_it(app):
    browser, user_id, request_id = advocate(app)
    with session_scope(app) as session:
        set_languages_and_skills(session, user_id, ["en"], [])
    assert f"/console/requests/{request_id}" not in browser.get("/console/").get_data(as_text=True)
    assert post(browser, "/console/take").headers["Location"] == "/console/"


def test_a_card_of_no_request_is_no_error(app):
    browser, _user_id, _request_id = advocate(app)
    answer = browser.get("/console/requests/987654")
    assert answer.status_code == 303 and answer.headers["Location"] == "/console/"
