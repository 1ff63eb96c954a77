"""The outbox on SQLite and PostgreSQL: enqueue with the event, deliver through a fake Twilio."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import func, select, text

from tests.conftest import DATABASES, app_on, make_settings
from tests.messaging_fakes import LocalTwilioHttpClient, message_resource
from webapp import create_app, crypto
from webapp.crypto import keyring_for
from webapp.db import session_scope
from webapp.messaging.errors import (
    EmptyMessage,
    PermanentSendError,
    TransientSendError,
    UnsupportedKind,
)
from webapp.messaging.models import OutboxMessage
from webapp.messaging.outbox import (
    MAX_ATTEMPTS,
    deliver_due,
    enqueue,
)
from webapp.messaging.sms import (
    classify_twilio_error,
    sms_sender_for,
)

ACCOUNT_SID = "AC" + "5f" * 16
AUTH_TOKEN = "fake-auth-token-for-tests"  # noqa: S105 (the fake server's token)
FROM_NUMBER = "+15005550006"
SURVIVOR_NUMBER = "+12025550143"
NUMBER_DIGITS = "2025550143"
BODY = "Your order 4471 of lavender soap is ready for pickup"
TWILIO_SETTINGS = {
    "sms_backend": "twilio",
    "twilio_account_sid": ACCOUNT_SID,
    "twilio_auth_token": AUTH_TOKEN,
    "twilio_from_number": FROM_NUMBER,
}


@pytest.fixture
def app(templates, database_kind, clock):
    """Haven on a migrated copy of the parametrized database, configured for Twilio."""
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, **TWILIO_SETTINGS)
        yield app
        app.extensions["db.engine"].dispose()


@pytest.fixture
def sender(app, fake_twilio):
    http_client = LocalTwilioHttpClient(fake_twilio.url)
    yield sms_sender_for(app.config["HAVEN_SETTINGS"], http_client=http_client)
    http_client.close()


def now(clock) -> datetime:
    return datetime.fromtimestamp(clock.time(), tz=UTC)


def enqueue_committed(app, clock, to: str = SURVIVOR_NUMBER, body: str = BODY) -> int:
    with session_scope(app) as session:
        return enqueue(session, to=to, body=body, now=now(clock)).id


def deliver(app, sender, clock):
    with app.extensions["db.sessionmaker"]() as session:
        return deliver_due(session, sender, now=now(clock))


def stored(app, message_id: int) -> OutboxMessage:
    with app.extensions["db.sessionmaker"]() as session:
        return session.get_one(OutboxMessage, message_id)


def message_count(app) -> int:
    with app.extensions["db.sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_an_enqueued_message_is_sent_through_twilio(app, sender, fake_twilio, clock):
    message_id = enqueue_committed(app, clock)

    counts = deliver(app, sender, clock)

    assert (counts.sent, counts.retrying, counts.failed) == (1, 0, 0)
    [request] = fake_twilio.received
    assert request.account_sid == ACCOUNT_SID
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form == {"To": SURVIVOR_NUMBER, "From": FROM_NUMBER, "Body": BODY}
    message = stored(app, message_id)
    assert message.status == "sent"
    assert message.provider_id.startswith("SM")
    assert message.sent_at == now(clock)
    assert message.attempts == 1
    assert message.last_error is None


def test_a_sent_message_is_not_sent_again(app, sender, fake_twilio, clock):
    enqueue_committed(app, clock)
    deliver(app, sender, clock)
    clock.advance(86400)

    assert deliver(app, sender, clock).total == 0
    assert len(fake_twilio.received) == 1


def test_transient_errors_retry_with_growing_delays_then_give_up(app, sender, fake_twilio, clock):
    fake_twilio.fail_next(503, 20503, times=MAX_ATTEMPTS - 1)
    fake_twilio.fail_next(429, 20429)
    message_id = enqueue_committed(app, clock)
    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        assert deliver(app, sender, clock).retrying == 1
        delay = (stored(app, message_id).next_attempt_at - now(clock)).total_seconds()
        clock.advance(delay - 1)
        assert deliver(app, sender, clock).total == 0, "retried before its time"
        clock.advance(1)
        delays.append(delay)

    assert deliver(app, sender, clock).failed == 1
    assert delays == [30, 60, 120, 240, 480, 960, 1920]
    message = stored(app, message_id)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert message.last_error == f"gave up after {MAX_ATTEMPTS} attempts: 20429 rate limited"
    clock.advance(86400)
    assert deliver(app, sender, clock).total == 0
    assert len(fake_twilio.received) == MAX_ATTEMPTS


def test_a_retry_that_succeeds_clears_the_error(app, sender, fake_twilio, clock):
    fake_twilio.fail_next(500, 20500)
    message_id = enqueue_committed(app, clock)
    assert deliver(app, sender, clock).retrying == 1
    assert stored(app, message_id).last_error == "20500 failed (HTTP 500)"
    clock.advance(30)

    assert deliver(app, sender, clock).sent == 1
    message = stored(app, message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, 21211, "21211 invalid number"),
        (400, 21610, "21610 recipient opted out"),
        (400, 21614, "21614 number cannot receive SMS"),
        (400, 30006, "30006 landline or unreachable carrier"),
        # A code sms.py does not name: sending the same message again would be refused again.
        (400, 21999, "21999 refused (HTTP 400)"),
        (404, 20404, "20404 refused (HTTP 404)"),
    ],
)
def test_a_permanent_error_fails_at_once_and_is_not_retried(
    app, sender, fake_twilio, clock, status, code, error
):
    fake_twilio.fail_next(status, code)
    message_id = enqueue_committed(app, clock)

    assert deliver(app, sender, clock).failed == 1
    clock.advance(86400)
    assert deliver(app, sender, clock).total == 0

    message = stored(app, message_id)
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, error)
    assert len(fake_twilio.received) == 1


def test_an_unreachable_provider_is_a_transient_error(app, clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    http_client = LocalTwilioHttpClient(closed_port_url)
    sender = sms_sender_for(app.config["HAVEN_SETTINGS"], http_client=http_client)
    message_id = enqueue_committed(app, clock)

    assert deliver(app, sender, clock).retrying == 1
    http_client.close()
    assert stored(app, message_id).last_error == "connection error (ConnectionError)"


class CrashingSender:
    """A worker dying mid-send: the exception escapes every handler."""

    def send(self, to: str, body: str) -> str:
        raise SystemExit(1)

    def sent_since(self, to: str, body: str, since) -> list[str]:
        return []  # it died before the request left: Twilio has nothing


def test_a_message_claimed_by_a_crashed_worker_is_sent_after_the_lease(
    app, sender, fake_twilio, clock
):
    message_id = enqueue_committed(app, clock)
    with pytest.raises(SystemExit):
        deliver(app, CrashingSender(), clock)
    assert stored(app, message_id).status == "sending"
    clock.advance(60)
    assert deliver(app, sender, clock).total == 0
    clock.advance(240)

    assert deliver(app, sender, clock).sent == 1
    assert stored(app, message_id).attempts == 2


def test_recipient_and_body_are_not_plaintext_in_the_table(app, clock):
    message_id = enqueue_committed(app, clock)

    with app.extensions["db.engine"].connect() as connection:
        recipient, body = connection.execute(
            text("SELECT recipient, body FROM outbox_messages WHERE id = :id"), {"id": message_id}
        ).one()

    for raw in (recipient, body):
        assert raw.startswith("gAAAAA"), "not a Fernet token"
        assert NUMBER_DIGITS not in raw and "lavender" not in raw
    assert (stored(app, message_id).recipient, stored(app, message_id).body) == (
        SURVIVOR_NUMBER,
        BODY,
    )
    with pytest.raises(InvalidToken):
        keyring_for(make_settings().data_key).decrypt(recipient.encode())


def test_a_rotated_data_key_still_reads_values_sealed_with_the_old_one():
    old, new = make_settings().data_key, make_settings().data_key
    token = keyring_for(old).encrypt(b"+12025550143")

    assert keyring_for(f"{new},{old}").decrypt(token) == b"+12025550143"
    with pytest.raises(InvalidToken):
        keyring_for(old).decrypt(keyring_for(f"{new},{old}").encrypt(b"x"))


def test_each_app_seals_with_its_own_data_key():
    first, second = create_app(make_settings()), create_app(make_settings())
    with first.app_context():
        token = crypto.encrypt("+12025550143")
    with second.app_context(), pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(token)
    with first.app_context():
        assert crypto.decrypt(token) == "+12025550143"


class LeakySender:
    """A buggy backend whose exception text quotes the number and the body."""

    def send(self, to: str, body: str) -> str:
        raise RuntimeError(f"could not send {body!r} to {to}")


def test_reprs_logs_and_status_never_show_contact_data(app, sender, fake_twilio, clock, caplog):
    caplog.set_level(logging.DEBUG)
    fake_twilio.fail_next(400, 21211)
    fake_twilio.fail_next(503, 20503)
    ids = [enqueue_committed(app, clock) for _ in range(3)]
    seen = [repr(stored(app, ids[0]))]
    seen.append(repr(deliver(app, sender, clock)))
    enqueue_committed(app, clock)
    seen.append(repr(deliver(app, LeakySender(), clock)))
    seen += [repr(stored(app, message_id)) for message_id in ids]
    seen.append(app.test_cli_runner().invoke(args=["outbox", "status"]).output)

    assert "failed: 1" in seen[-1] and "sent: 1" in seen[-1] and "queued: 2" in seen[-1]
    assert "21211 invalid number" in seen[-1] and "unexpected RuntimeError" in seen[-1]
    assert "unexpected RuntimeError" in caplog.text
    for output in [*seen, caplog.text]:
        assert NUMBER_DIGITS not in output
        assert "lavender" not in output


def test_no_message_without_the_commit_of_its_event(app, clock):
    with app.extensions["db.sessionmaker"]() as session:
        message = enqueue(session, to=SURVIVOR_NUMBER, body=BODY, now=now(clock))
        assert message.id is not None
        session.rollback()
    with pytest.raises(RuntimeError), session_scope(app) as session:
        enqueue(session, to=SURVIVOR_NUMBER, body=BODY, now=now(clock))
        raise RuntimeError("the event that caused the message failed")
    assert message_count(app) == 0

    enqueue_committed(app, clock)
    assert message_count(app) == 1


def test_enqueue_refuses_what_it_cannot_send(app, clock):
    with app.extensions["db.sessionmaker"]() as session:
        with pytest.raises(UnsupportedKind):
            enqueue(session, to=SURVIVOR_NUMBER, body=BODY, kind="pigeon", now=now(clock))
        with pytest.raises(EmptyMessage):
            enqueue(session, to="", body=BODY, now=now(clock))
        with pytest.raises(ValueError, match="timezone-aware"):
            enqueue(session, to=SURVIVOR_NUMBER, body=BODY, now=datetime(2027, 1, 1))


def test_the_worker_command_delivers_with_the_configured_backend(database_url, clock):
    app = create_app(make_settings(database_url=database_url), clock=clock)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    enqueue_committed(app, clock)

    result = runner.invoke(args=["outbox", "work", "--once"])

    assert result.exit_code == 0, result.output
    assert "[console SMS, not sent]" in result.output and BODY in result.output
    assert "outbox: sent 1, retrying 0, failed 0" in result.output
    assert "sent: 1" in runner.invoke(args=["outbox", "status"]).output
    app.extensions["db.engine"].dispose()


# Row locks are PostgreSQL's; SQLite runs one worker, so this runs only where PostgreSQL is given.
if "postgresql" in DATABASES:

    @pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
    def test_workers_on_postgresql_skip_a_message_another_worker_holds(app, sender, clock):
        held_id, free_id = enqueue_committed(app, clock), enqueue_committed(app, clock)
        with app.extensions["db.sessionmaker"]() as other_worker:
            other_worker.get_one(OutboxMessage, held_id, with_for_update=True)

            assert deliver(app, sender, clock).sent == 1
            assert stored(app, free_id).status == "sent"
            assert stored(app, held_id).status == "queued"


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (400, 21211, True),
        (400, 21610, True),
        (400, 21614, True),
        (400, 30006, True),
        (400, 21999, True),
        (400, None, True),
        (404, 20404, True),
        (401, 20003, False),
        (429, 20429, False),
        (429, 429, False),
        (400, 30003, False),
        (500, 20500, False),
        (503, None, False),
    ],
)
def test_twilio_errors_are_classified(status, code, permanent):
    expected = PermanentSendError if permanent else TransientSendError
    assert type(classify_twilio_error(status, code)) is expected


@pytest.fixture
def impatient_sender(app, fake_twilio, clock):
    """A sender that gives up on Twilio's answer before the fake's late answers come."""
    fake_twilio.now = clock.time
    http_client = LocalTwilioHttpClient(fake_twilio.url, timeout=0.3)
    yield sms_sender_for(app.config["HAVEN_SETTINGS"], http_client=http_client)
    http_client.close()


def answer_late(fake_twilio) -> None:
    """The next message reaches Twilio, and its answer comes after the client gave up."""
    fake_twilio.flaky, fake_twilio._seen = True, 4


def test_a_message_twilio_took_without_answering_in_time_is_found_not_sent_twice(
    app, impatient_sender, fake_twilio, clock
):
    message_id = enqueue_committed(app, clock)
    answer_late(fake_twilio)
    assert deliver(app, impatient_sender, clock).retrying == 1
    assert stored(app, message_id).last_error == "no answer in time (maybe sent)"
    fake_twilio.flaky = False
    clock.advance(3600)

    assert deliver(app, impatient_sender, clock).sent == 1
    assert len(fake_twilio.received) == 1, "looked up at Twilio, not sent again"
    assert stored(app, message_id).provider_id == fake_twilio.accepted[0]["sid"]


def test_a_look_alike_sent_long_before_does_not_count_as_this_message(
    app, impatient_sender, fake_twilio, clock
):
    form = {"To": SURVIVOR_NUMBER, "From": FROM_NUMBER, "Body": BODY}
    yesterday = message_resource(ACCOUNT_SID, form, clock.time() - 86400)
    fake_twilio.accepted.append(yesterday)  # the same words, sent by hand from Twilio's console
    message_id = enqueue_committed(app, clock)
    with session_scope(app) as session:  # its worker died before the request left
        message = session.get_one(OutboxMessage, message_id)
        message.status, message.attempts, message.tried_at = "sending", 1, now(clock)
    clock.advance(600)  # past the claim

    assert deliver(app, impatient_sender, clock).sent == 1
    assert len(fake_twilio.received) == 1, "yesterday's message is not taken for this one"
    assert stored(app, message_id).provider_id == fake_twilio.accepted[1]["sid"]


@pytest.mark.parametrize(
    ("status", "code", "summary"),
    [
        (401, 20003, "20003 not authorised (HTTP 401)"),
        (403, None, "not authorised (HTTP 403)"),
        (400, 21211, "21211 invalid number"),
        (429, 20429, "20429 rate limited"),
        (404, 20404, "20404 refused (HTTP 404)"),
        (503, None, "failed (HTTP 503)"),
    ],
)
def test_each_reason_names_the_code_and_what_went_wrong(status, code, summary):
    """What the supervisors read in `outbox status`: Twilio's code and our own words."""
    assert classify_twilio_error(status, code).summary == summary


def test_twilio_is_asked_to_report_delivery_when_the_public_address_is_known(
    app, fake_twilio, clock
):
    settings = replace(app.config["HAVEN_SETTINGS"], public_url="https://haven.example.org/")
    http_client = LocalTwilioHttpClient(fake_twilio.url)
    try:
        enqueue_committed(app, clock)
        assert deliver(app, sms_sender_for(settings, http_client=http_client), clock).sent == 1
    finally:
        http_client.close()
    [request] = fake_twilio.received
    assert request.form["StatusCallback"] == (
        "https://haven.example.org/hooks/twilio/messages/status"
    )


def test_a_message_whose_every_attempt_was_interrupted_fails_in_the_end(
    app, sender, fake_twilio, clock
):
    message_id = enqueue_committed(app, clock)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(SystemExit):
            deliver(app, CrashingSender(), clock)
        clock.advance(300)
    assert deliver(app, sender, clock).failed == 1
    message = stored(app, message_id)
    assert (message.status, message.last_error) == (
        "failed",
        "interrupted during the last attempt",
    )
    assert fake_twilio.received == [], "never sent a ninth time"


def test_an_unexpected_error_is_logged_with_the_message_and_the_type_only(app, clock, caplog):
    message_id = enqueue_committed(app, clock)
    deliver(app, LeakySender(), clock)
    assert f"outbox message {message_id}: unexpected RuntimeError from the sender" in (
        caplog.messages
    )


def uncertain_message(app, clock, to: str = SURVIVOR_NUMBER) -> int:
    """A message whose worker died mid-send, its claim lapsed: looked up before a resend."""
    message_id = enqueue_committed(app, clock, to=to)
    with session_scope(app) as session:
        message = session.get_one(OutboxMessage, message_id)
        message.status, message.attempts, message.tried_at = "sending", 1, now(clock)
    clock.advance(600)
    return message_id


def twilio_has(fake_twilio, clock, *, to=SURVIVOR_NUMBER, sender=FROM_NUMBER, ago=0) -> str:
    """A message with BODY that Twilio took `ago` seconds before now; returns its sid."""
    form = {"To": to, "From": sender, "Body": BODY}
    resource = message_resource(ACCOUNT_SID, form, clock.time() - ago)
    fake_twilio.accepted.append(resource)
    return resource["sid"]


@pytest.mark.parametrize(
    ("to", "sender"), [("+12025550199", FROM_NUMBER), (SURVIVOR_NUMBER, "+15005550099")]
)
def test_the_same_words_to_another_number_or_from_another_do_not_count(
    app, impatient_sender, fake_twilio, clock, to, sender
):
    message_id = uncertain_message(app, clock)
    twilio_has(fake_twilio, clock, to=to, sender=sender, ago=600)
    assert deliver(app, impatient_sender, clock).sent == 1
    assert len(fake_twilio.received) == 1, "sent: the look-alike went elsewhere"
    [query] = fake_twilio.lists
    assert (query["To"], query["From"], query["PageSize"]) == (SURVIVOR_NUMBER, FROM_NUMBER, "50")
    assert stored(app, message_id).provider_id == fake_twilio.accepted[-1]["sid"]


def test_a_look_alike_just_inside_the_clock_skew_counts(app, impatient_sender, fake_twilio, clock):
    message_id = uncertain_message(app, clock)
    sid = twilio_has(fake_twilio, clock, ago=600 + 120)  # two minutes before its first try
    assert deliver(app, impatient_sender, clock).sent == 1
    assert fake_twilio.received == [] and stored(app, message_id).provider_id == sid


def test_a_look_alike_another_message_of_ours_claims_is_not_taken(
    app, impatient_sender, fake_twilio, clock
):
    first = enqueue_committed(app, clock)
    assert deliver(app, impatient_sender, clock).sent == 1  # answered: its sid is recorded
    second = uncertain_message(app, clock)  # died before its request left
    assert deliver(app, impatient_sender, clock).sent == 1
    assert len(fake_twilio.received) == 2, "the second is sent: the first's message is not it"
    assert stored(app, first).provider_id != stored(app, second).provider_id


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ({"list_failure": (500, 20500)}, "could not look up what was sent"),
        ({"list_delay": 0.6}, "look-up: connection error (ReadTimeout)"),
    ],
)
def test_when_twilio_cannot_say_what_it_has_nothing_is_sent_yet(
    app, impatient_sender, fake_twilio, clock, failure, reason
):
    message_id = uncertain_message(app, clock)
    for name, value in failure.items():
        setattr(fake_twilio, name, value)
    assert deliver(app, impatient_sender, clock).retrying == 1
    assert fake_twilio.received == [], "not sent while it may be there already"
    message = stored(app, message_id)
    assert (message.status, message.last_error) == ("queued", reason)
