"""Twenty advocates claim at once on PostgreSQL: every request is claimed exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.conftest import DATABASES
from webapp.callbacks import intake, queue
from webapp.callbacks.advocates import set_languages_and_skills
from webapp.callbacks.windows import Window
from webapp.db import session_scope

ALWAYS = (Window.of(range(7), 0, 24 * 60),)
NOW = datetime(2027, 1, 12, 0, 30, tzinfo=UTC)
ADVOCATES = 20

# Runs wherever the suite runs on PostgreSQL (CI sets TEST_DATABASE_URL); SQLite has one writer.
if "postgresql" in DATABASES:

    @pytest.fixture
    def app(migrated_app):
        return migrated_app

    @pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
    @pytest.mark.parametrize("requests", [ADVOCATES, 5])
    def test_concurrent_claims_give_each_request_to_exactly_one_advocate(app, requests):
        with session_scope(app) as session:
            advocates = []
            for _ in range(ADVOCATES):
                user = factories.user(session, app.config["HAVEN_SETTINGS"])
                set_languages_and_skills(session, user.id, ["es"], [])
                advocates.append(user.id)
            for n in range(requests):
                wish = intake.Wish("+12175550142", ALWAYS, "America/Chicago", "es")
                intake.ask(
                    session,
                    wish,
                    key=f"{n:032d}",
                    receipt_hash=f"{n:064d}",
                    now=NOW + timedelta(seconds=n),
                )
        barrier = threading.Barrier(ADVOCATES)
        claimed: list[int] = []
        failures: list[BaseException] = []

        def advocate(user_id: int) -> None:
            try:
                with session_scope(app) as session:
                    barrier.wait(timeout=30)
                    request = queue.claim_next(
                        session,
                        user_id,
                        supervisor=False,
                        now=NOW + timedelta(minutes=1),
                        lease_minutes=10,
                    )
                    if request is not None:
                        claimed.append(request.id)
            except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
                failures.append(error)

        threads = [threading.Thread(target=advocate, args=(user_id,)) for user_id in advocates]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert len(claimed) == requests and set(Counter(claimed).values()) == {1}
