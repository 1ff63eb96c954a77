"""Callback requests from intake to close: alerts, the queue, leases, requeues, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from tests import factories
from webapp.callbacks import intake, purge, queue, staffing
from webapp.callbacks.advocates import add_shifts, set_languages_and_skills
from webapp.callbacks.errors import BadNumber, ClaimConflict, NotYours, UnknownReceipt
from webapp.callbacks.models import CallbackRequest
from webapp.callbacks.windows import Window
from webapp.messaging.models import OutboxMessage

EVENINGS = (Window.of([0, 1, 2, 3, 4], 18 * 60, 20 * 60),)  # weekdays 18:00-20:00, her zone
MONDAY_1830 = datetime(2027, 1, 12, 0, 30, tzinfo=UTC)  # Monday 18:30 in Chicago
MONDAY_NOON = datetime(2027, 1, 11, 18, 0, tzinfo=UTC)  # Monday 12:00 in Chicago
NUMBER = "+12175550142"


def wish(**changes) -> intake.Wish:
    values = {
        "number": NUMBER,
        "windows": EVENINGS,
        "time_zone": "America/Chicago",
        "language": "es",
        "name": "Rosa",
        "question": "Is this the pharmacy?",
        "answer": "Yes, about my order",
        "note": "He gets home at nine",
    }
    return intake.Wish(**(values | changes))


def staff(db, db_app, *, roles=("advocate",), languages=("es",), skills=(), phone=None):
    user = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=roles)
    set_languages_and_skills(db, user.id, languages, skills)
    staffing.set_phone(db, user.id, phone or f"+1217555{user.id % 10000:04d}")
    add_shifts(db, user.id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC")
    return user


def ask(db, now=MONDAY_1830, key="k" * 32, **changes):
    return intake.ask(db, wish(**changes), key=key, receipt_hash=key[:1] * 64, now=now)


def alerts_to(db) -> list[str]:
    return [m.recipient for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_request_alerts_the_advocates_on_shift_who_speak_her_language(db, db_app):
    spanish = staff(db, db_app, languages=("es", "en"))
    staff(db, db_app, languages=("vi",))
    request, created = ask(db)
    assert created and request.status == "waiting"
    assert alerts_to(db) == [staffing.phone_of(db, spanish.id)]
    body = db.scalar(select(OutboxMessage.body))
    for private in (NUMBER, NUMBER[2:], "Rosa", "pharmacy", "order", "nine"):
        assert private not in body, private


def test_what_she_wrote_is_sealed_at_rest(db, db_app):
    request, _ = ask(db)
    raw = db.execute(
        text("SELECT number, name, question, answer, note FROM callback_requests WHERE id = :id"),
        {"id": request.id},
    ).one()
    for value, private in zip(raw, (NUMBER, "Rosa", "pharmacy", "order", "nine"), strict=True):
        assert private not in value and NUMBER[2:] not in value
    assert NUMBER not in repr(request)


def test_the_same_form_twice_makes_one_request_and_one_alert(db, db_app):
    staff(db, db_app)
    first, created = ask(db)
    again, created_again = ask(db, now=MONDAY_1830 + timedelta(seconds=3))
    assert created and not created_again and again.id == first.id
    assert len(alerts_to(db)) == 1


def test_outside_her_windows_it_is_held_then_offered_when_one_opens(db, db_app):
    staff(db, db_app)
    request, _ = ask(db, now=MONDAY_NOON)
    assert intake.progress(request, MONDAY_NOON).state == "held"
    assert intake.progress(request, MONDAY_NOON).next_window == datetime(2027, 1, 12, 0, tzinfo=UTC)
    assert alerts_to(db) == [], "no alert while it cannot be called"
    advocate_queue = queue.queue_for(db, request.id, supervisor=True, now=MONDAY_NOON)
    assert [e.callable for e in advocate_queue] == [False]

    assert queue.tick(db, now=MONDAY_1830, escalate_after_minutes=15).alerted == 1
    assert (
        queue.tick(db, now=MONDAY_1830 + timedelta(minutes=1), escalate_after_minutes=15).alerted
        == 0
    )
    assert len(alerts_to(db)) == 1, "one alert for each opening of a window"


def test_oldest_first_and_one_claim_wins(db, db_app):
    ana, ben = staff(db, db_app), staff(db, db_app)
    older, _ = ask(db, now=MONDAY_1830, key="a" * 32)
    newer, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=1), key="b" * 32)
    now = MONDAY_1830 + timedelta(minutes=2)
    entries = queue.queue_for(db, ana.id, supervisor=False, now=now)
    assert [e.request.id for e in entries] == [older.id, newer.id]

    queue.claim(db, older.id, ana.id, now=now, lease_minutes=10)
    with pytest.raises(ClaimConflict):
        queue.claim(db, older.id, ben.id, now=now, lease_minutes=10)
    assert [e.request.id for e in queue.queue_for(db, ben.id, supervisor=False, now=now)] == [
        newer.id
    ]
    with pytest.raises(NotYours):
        queue.held_by(db, older.id, ben.id, now)


def test_an_abandoned_lease_lapses_and_the_request_keeps_its_place(db, db_app):
    ana, ben = staff(db, db_app), staff(db, db_app)
    older, _ = ask(db, key="a" * 32)
    newer, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=1), key="b" * 32)
    queue.claim(db, older.id, ana.id, now=MONDAY_1830, lease_minutes=10)
    later = MONDAY_1830 + timedelta(minutes=11)
    assert [e.request.id for e in queue.queue_for(db, ben.id, supervisor=False, now=later)] == [
        older.id,
        newer.id,
    ]
    queue.claim(db, older.id, ben.id, now=later, lease_minutes=10)
    with pytest.raises(NotYours):
        queue.held_by(db, older.id, ana.id, later)


def test_outcomes_close_or_requeue_and_the_third_requeue_goes_to_supervisors(db, db_app):
    ana = staff(db, db_app)
    boss = staff(db, db_app, roles=("supervisor",), languages=())
    request, _ = ask(db)
    now = MONDAY_1830
    for attempt in range(3):
        queue.claim(db, request.id, ana.id, now=now, lease_minutes=10)
        queue.record(db, request, ana.id, outcome="no_answer", notes=f"try {attempt}", now=now)
        assert request.status == "waiting" and request.asked_at == MONDAY_1830
    assert request.requeues == 3 and request.escalated_at == now
    assert staffing.phone_of(db, boss.id) in alerts_to(db)
    assert queue.queue_for(db, ana.id, supervisor=False, now=now) == []
    assert [e.request.id for e in queue.queue_for(db, boss.id, supervisor=True, now=now)] == [
        request.id
    ]
    queue.claim(db, request.id, boss.id, now=now, lease_minutes=10)
    queue.record(db, request, boss.id, outcome="reached", notes=None, now=now)
    assert request.status == "closed" and request.outcome == "reached"


def test_unclaimed_too_long_inside_a_window_the_supervisors_are_told(db, db_app):
    boss = staff(db, db_app, roles=("supervisor",), languages=())
    request, _ = ask(db)
    assert (
        queue.tick(db, now=MONDAY_1830 + timedelta(minutes=14), escalate_after_minutes=15).escalated
        == 0
    )
    assert (
        queue.tick(db, now=MONDAY_1830 + timedelta(minutes=15), escalate_after_minutes=15).escalated
        == 1
    )
    assert (
        queue.tick(db, now=MONDAY_1830 + timedelta(minutes=40), escalate_after_minutes=15).escalated
        == 0
    )
    assert alerts_to(db).count(staffing.phone_of(db, boss.id)) == 2, (
        "the alert, then one escalation"
    )


def test_nobody_on_shift_who_speaks_it_then_the_supervisors_hear(db, db_app):
    staff(db, db_app, languages=("vi",))
    boss = staff(db, db_app, roles=("supervisor",), languages=())
    ask(db)
    assert alerts_to(db) == [staffing.phone_of(db, boss.id)]


def test_an_advocate_marked_off_shift_is_not_alerted(db, db_app):
    ana = staff(db, db_app)
    staffing.mark(db, ana.id, on_shift=False, hours=8, now=MONDAY_1830 - timedelta(hours=1))
    ask(db)
    assert alerts_to(db) == []


def test_the_survivor_cancels_with_her_receipt(db, db_app):
    request, _ = ask(db)
    intake.cancel(db, request.receipt_hash, now=MONDAY_1830)
    assert (
        request.status == "cancelled" and intake.progress(request, MONDAY_1830).state == "cancelled"
    )
    with pytest.raises(UnknownReceipt):
        intake.cancel(db, "0" * 64, now=MONDAY_1830)


def test_contact_data_is_erased_after_the_retention_period(db, db_app):
    ana = staff(db, db_app)
    request, _ = ask(db)
    queue.claim(db, request.id, ana.id, now=MONDAY_1830, lease_minutes=10)
    queue.record(db, request, ana.id, outcome="reached", notes="she is safe", now=MONDAY_1830)
    assert purge.purge(db, now=MONDAY_1830 + timedelta(days=29), retention_days=30) == 0
    assert purge.purge(db, now=MONDAY_1830 + timedelta(days=31), retention_days=30) == 1
    db.expire_all()
    kept = db.get(CallbackRequest, request.id)
    assert kept.number is None and kept.note is None and kept.question is None
    assert kept.language == "es" and kept.outcome == "reached", "what statistics need stays"


@pytest.mark.parametrize("typed", ["", "12", "call me maybe", "+1 217 555 014", "911"])
def test_what_is_not_a_number_we_can_call_is_refused(typed):
    with pytest.raises(BadNumber):
        intake.normalise_number(typed, "US")


def test_numbers_are_kept_in_one_form():
    assert intake.normalise_number("(217) 555-0142", "US") == NUMBER
    assert intake.normalise_number("+44 20 7183 8750", "US") == "+442071838750"


def test_a_request_asked_before_the_clocks_change_is_offered_at_her_wall_clock_time(db, db_app):
    """Asked on a Friday in standard time for Monday 18:00-20:00 in Chicago: after the spring
    change that is 23:00 UTC, not 00:00; the server's zone (UTC here) plays no part."""
    staff(db, db_app)
    friday = datetime(2027, 3, 12, 18, 0, tzinfo=UTC)
    request, _ = ask(db, now=friday, windows=(Window.of([0], 18 * 60, 20 * 60),))
    assert intake.progress(request, friday).next_window == datetime(2027, 3, 15, 23, tzinfo=UTC)
    ticks = {}
    for moment in (
        datetime(2027, 3, 15, 22, 59, tzinfo=UTC),
        datetime(2027, 3, 15, 23, 0, tzinfo=UTC),
    ):
        ticks[moment.hour] = queue.tick(db, now=moment, escalate_after_minutes=15).alerted
        ticks[f"callable {moment.hour}"] = queue.is_callable(request, moment)
    assert ticks == {22: 0, "callable 22": False, 23: 1, "callable 23": True}


def test_each_advocate_sees_every_request_she_can_answer_and_a_supervisor_sees_all(db, db_app):
    """A request in another language, or asking a skill she lacks, is skipped, not a stop."""
    ana = staff(db, db_app, languages=("es",), skills=("legal",))
    ben = staff(db, db_app, languages=("es",))
    chief = staff(db, db_app, roles=("supervisor",), languages=("en",))
    dee = staff(db, db_app, languages=("en",), skills=("legal",))
    eve = staff(db, db_app, languages=("es",), skills=("housing",))
    english, _ = ask(db, key="a" * 32, language="en")
    legal, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=1), key="b" * 32, topic="legal")
    plain, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=2), key="c" * 32)
    now = MONDAY_1830 + timedelta(minutes=3)

    def seen(user, supervisor=False):
        return [e.request.id for e in queue.queue_for(db, user.id, supervisor=supervisor, now=now)]

    assert seen(ana) == [legal.id, plain.id]
    assert seen(ben) == [plain.id]
    assert seen(chief, supervisor=True) == [english.id, legal.id, plain.id]
    assert seen(dee) == [english.id] and seen(eve) == [plain.id]
    everyone = [ana.id, ben.id, chief.id, dee.id, eve.id]
    assert staffing.who_may_answer(db, legal, everyone) == {ana.id}
    assert staffing.who_may_answer(db, legal, [ben.id, dee.id]) == set()
    assert staffing.who_may_answer(db, english, everyone) == {chief.id, dee.id}


def test_the_queue_shows_callable_requests_first_then_when_the_others_open(db, db_app):
    ana = staff(db, db_app)
    mornings = (Window.of([0, 1, 2, 3, 4], 8 * 60, 9 * 60),)
    later, _ = ask(db, key="a" * 32, windows=mornings)
    now_, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=1), key="b" * 32)
    entries = queue.queue_for(db, ana.id, supervisor=False, now=MONDAY_1830 + timedelta(minutes=2))
    assert [(e.request.id, e.callable) for e in entries] == [(now_.id, True), (later.id, False)]
    assert entries[0].opens_at is None
    assert entries[1].opens_at == datetime(2027, 1, 12, 14, 0, tzinfo=UTC), "Tuesday 8:00 there"
    assert [e.escalated for e in entries] == [False, False]


def test_a_lease_ends_at_its_very_second(db, db_app):
    ana, ben = staff(db, db_app), staff(db, db_app)
    request, _ = ask(db)
    queue.claim(db, request.id, ana.id, now=MONDAY_1830, lease_minutes=10)
    end = MONDAY_1830 + timedelta(minutes=10)
    with pytest.raises(ClaimConflict):
        queue.claim(db, request.id, ben.id, now=end - timedelta(seconds=1), lease_minutes=10)
    assert queue.held_by(db, request.id, ana.id, end - timedelta(seconds=1)).id == request.id
    assert [e.request.id for e in queue.queue_for(db, ben.id, supervisor=False, now=end)] == [
        request.id
    ]
    with pytest.raises(NotYours):
        queue.held_by(db, request.id, ana.id, end)
    assert queue.claim(db, request.id, ben.id, now=end, lease_minutes=10).claimed_by == ben.id


def test_a_request_that_does_not_exist_is_nobodys(db, db_app):
    ana = staff(db, db_app)
    with pytest.raises(NotYours):
        queue.held_by(db, 987654, ana.id, MONDAY_1830)
    with pytest.raises(ClaimConflict):
        queue.claim(db, 987654, ana.id, now=MONDAY_1830, lease_minutes=10)


def test_take_next_gives_a_supervisor_a_request_in_a_language_she_does_not_speak(db, db_app):
    chief = staff(db, db_app, roles=("supervisor",), languages=("en",))
    request, _ = ask(db)
    taken = queue.claim_next(db, chief.id, supervisor=True, now=MONDAY_1830, lease_minutes=10)
    assert taken is not None and taken.id == request.id


def test_a_request_gone_to_the_supervisors_does_not_hide_the_next_one(db, db_app):
    ana = staff(db, db_app)
    boss = staff(db, db_app, roles=("supervisor",), languages=())
    tried, _ = ask(db, key="a" * 32)
    fresh, _ = ask(db, now=MONDAY_1830 + timedelta(minutes=1), key="b" * 32)
    now = MONDAY_1830 + timedelta(minutes=2)
    for _ in range(3):
        queue.claim(db, tried.id, ana.id, now=now, lease_minutes=10)
        queue.record(db, tried, ana.id, outcome="no_answer", notes=None, now=now)
    assert [e.request.id for e in queue.queue_for(db, ana.id, supervisor=False, now=now)] == [
        fresh.id
    ]
    entries = queue.queue_for(db, boss.id, supervisor=True, now=now)
    assert [(e.request.id, e.escalated) for e in entries] == [(tried.id, True), (fresh.id, False)]
