"""Alerts through an unreliable Twilio, and what the whole callback flow leaves in the logs."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import app_on
from tests.messaging_fakes import LocalTwilioHttpClient
from webapp.accounts.models import User
from webapp.accounts.sessions import start_session
from webapp.callbacks import intake, staffing
from webapp.callbacks.advocates import add_shifts, set_languages_and_skills
from webapp.callbacks.models import CallbackRequest
from webapp.callbacks.windows import Window
from webapp.db import session_scope
from webapp.messaging.cli import run_pass
from webapp.messaging.models import OutboxMessage
from webapp.messaging.sms import sms_sender_for

MONDAY_1830 = datetime(2027, 1, 12, 0, 30, tzinfo=UTC)  # in Chicago
EVENINGS = (Window.of([0, 1, 2, 3, 4], 18 * 60, 20 * 60),)
PHONES = ["+12175550111", "+12175550112", "+12175550113"]
INVALID = "+12175550119"
PRIVATE = ["+12175550142", "2175550142", "Rosa", "pharmacy", "my order", "at nine"]


@pytest.fixture
def app(templates, database_kind, clock, fake_twilio):
    clock.now = MONDAY_1830.timestamp()
    twilio = {
        "sms_backend": "twilio",
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "t" * 32,
        "twilio_from_number": "+15005550001",
    }
    with templates.copy(database_kind, seeded=False) as url:
        app = app_on(url, clock, **twilio)
        http = LocalTwilioHttpClient(fake_twilio.url, timeout=0.3)
        app.extensions["twilio.http_client"] = http
        yield app
        http.close()
        app.extensions["db.engine"].dispose()


def answerers(app, phones, role="advocate") -> list[int]:
    ids = []
    with session_scope(app) as session:
        for phone in phones:
            user = factories.user(session, app.config["HAVEN_SETTINGS"], roles=[role])
            set_languages_and_skills(session, user.id, ["es", "ar", "zh"], [])
            add_shifts(
                session, user.id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC"
            )
            staffing.set_phone(session, user.id, phone)
            ids.append(user.id)
    return ids


def ask(app, n: int, language: str = "es", *, windows=EVENINGS, now=MONDAY_1830) -> None:
    wish = intake.Wish(
        "+12175550142",
        windows,
        "America/Chicago",
        language,
        name="Rosa",
        question="Is this the pharmacy?",
        answer="Yes, my order",
        note="He is home at nine",
    )
    with session_scope(app) as session:
        intake.ask(session, wish, key=f"{n:032d}", receipt_hash=f"{n:064d}", now=now)


def test_every_alert_arrives_once_through_a_twilio_that_fails_half_the_time(
    app, fake_twilio, clock
):
    answerers(app, [*PHONES, INVALID])
    (boss,) = answerers(app, ["+12175550120"], role="supervisor")
    fake_twilio.flaky, fake_twilio.refuse[INVALID] = True, 21211
    fake_twilio.now = clock.time  # Twilio's clock agrees with ours
    for n, language in enumerate(["es", "ar", "zh", "es", "ar"]):
        ask(app, n, language)
    sender = sms_sender_for(
        app.config["HAVEN_SETTINGS"], http_client=app.extensions["twilio.http_client"]
    )
    for _ in range(12):  # passes an hour apart: longer than the longest retry delay
        run_pass(app, sender)
        clock.advance(3600)
    delivered = Counter(message.form["To"] for message in fake_twilio.received)
    escalations = {"+12175550120": 5}  # nobody took them within the quarter hour
    assert delivered == {phone: 5 for phone in PHONES} | escalations, "each alert exactly once"
    with session_scope(app) as session:
        looked_up = session.scalars(select(OutboxMessage).where(OutboxMessage.attempts > 1))
        assert {m.provider_id for m in looked_up} & {r["sid"] for r in fake_twilio.accepted}, (
            "some alerts were sent but answered too late, and found at Twilio, not sent again"
        )
    with session_scope(app) as session:
        messages = session.scalars(select(OutboxMessage)).all()
        refused = [m for m in messages if m.recipient == INVALID]
        assert {m.status for m in refused} == {"failed"} and all(m.attempts == 1 for m in refused)
        assert all("21211" in m.last_error for m in refused), "not retried, and it says why"
        token = start_session(
            session, session.get(User, boss), now=datetime.fromtimestamp(clock.time(), UTC)
        )
    for message in fake_twilio.received:
        for private in PRIVATE:
            assert private not in message.form["Body"], private
    supervisor = app.test_client()
    supervisor.set_cookie("staff", token)
    page = supervisor.get("/console/").get_data(as_text=True)
    assert "Alerts that could not be sent" in page and "21211" in page


def start_worker(app, twilio_url: str, tmp_path) -> subprocess.Popen:
    settings = tmp_path / "settings.pickle"
    settings.write_bytes(pickle.dumps(app.config["HAVEN_SETTINGS"]))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.outbox_worker", str(settings), twilio_url],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


def test_a_worker_killed_mid_send_and_restarted_loses_nothing(app, fake_twilio, clock, tmp_path):
    """The Procfile's worker as a real process, killed (SIGKILL) while Twilio holds an alert;
    a new worker sends the rest, and the one it was sending once its claim lapses."""
    clock.now = time.time()
    answerers(app, PHONES)
    any_time = (Window.of(range(7), 0, 24 * 60),)
    for n in range(4):
        ask(app, n, windows=any_time, now=datetime.now(UTC))
    fake_twilio.hold_at = 5  # of 12 alerts: four arrived, Twilio has the fifth, not answered

    first = start_worker(app, fake_twilio.url, tmp_path)
    try:
        assert fake_twilio.holding.wait(60), "the worker sent nothing"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        fake_twilio.release.set()
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert len(fake_twilio.received) == 5

    second = start_worker(app, fake_twilio.url, tmp_path)
    try:
        wait_for(lambda: len(fake_twilio.received) == 12)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        assert second.wait(10) == 0, "SIGTERM lets the worker finish its pass and stop"
    with session_scope(app) as session:
        statuses = Counter(m.status for m in session.scalars(select(OutboxMessage)))
    assert statuses == {"sent": 11, "sending": 1}, "the killed worker's alert waits out its claim"

    clock.now = time.time() + 6 * 60  # past the outbox's five-minute claim
    sender = sms_sender_for(
        app.config["HAVEN_SETTINGS"], http_client=app.extensions["twilio.http_client"]
    )
    assert run_pass(app, sender).sent == 1, "found at Twilio"
    delivered = Counter(message.form["To"] for message in fake_twilio.received)
    assert delivered == {phone: 4 for phone in PHONES}, "every alert, each exactly once"


def test_no_log_line_of_the_flow_holds_her_words(app, fake_twilio, caplog):
    """Her request, its alerts through a failing Twilio, the console: every logger at DEBUG.
    (Client addresses in access lines: tests/integration/test_processes.py.)"""
    caplog.set_level(logging.DEBUG)
    answerers(app, PHONES[:1])
    ask(app, 1)
    sender = sms_sender_for(
        app.config["HAVEN_SETTINGS"], http_client=app.extensions["twilio.http_client"]
    )
    fake_twilio.flaky = True
    for _ in range(3):
        run_pass(app, sender)
    logged = caplog.text
    assert logged, "the flow logs something, so this checks something"
    for private in PRIVATE:
        assert private not in logged, private


def test_purge_erases_what_retention_no_longer_allows(app, clock):
    ask(app, 1)
    with session_scope(app) as session:
        request = session.scalar(select(CallbackRequest))
        request.status, request.closed_at, request.outcome = "closed", MONDAY_1830, "reached"
    clock.advance(timedelta(days=31).total_seconds())
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "callback requests erased: 1" in result.output
    with session_scope(app) as session:
        assert session.scalar(select(CallbackRequest)).number is None
