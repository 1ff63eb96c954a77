"""Callback intake under load, and how fast an advocate's alert leaves: DESIGN.md section 6.

Gunicorn (the Procfile's web process, two workers) on a throwaway PostgreSQL database takes
POST /call at a fixed offered load (an open loop: requests start on schedule whatever the
answers do) for --seconds; every survivor comes from an address of her own (PROXY_HOPS=1). A
share of the forms is sent twice, as a double tap would. Then: requests answered with the
receipt page's redirect against requests stored (lost), and stored twice (duplicated). Alerts:
the outbox worker runs beside it, in this process, sending to a fake Twilio on loopback; the
latency is from the alert's commit to the fake's receipt.

Run from the repo root with PostgreSQL up:
    .venv/bin/python bench/callbacks.py [--rate 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402

from tests.conftest import LiveServer  # noqa: E402
from tests.messaging_fakes import FakeTwilio, LocalTwilioHttpClient  # noqa: E402
from tests.servers import free_port  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.callbacks import staffing  # noqa: E402
from webapp.callbacks.advocates import add_shifts, set_languages_and_skills  # noqa: E402
from webapp.callbacks.models import CallbackRequest  # noqa: E402
from webapp.callbacks.receipts import new_ticket, ticket_key  # noqa: E402
from webapp.cli import alembic_config  # noqa: E402
from webapp.db import session_scope  # noqa: E402
from webapp.messaging.cli import run_pass  # noqa: E402
from webapp.messaging.models import OutboxMessage  # noqa: E402
from webapp.messaging.sms import sms_sender_for  # noqa: E402
from webapp.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
GOALS = {"rate": 200.0, "alert_p95_s": 1.0}
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SESSIONS = 40
WORKERS = 4
REPLAYED = 0.05  # the share of forms sent twice


def throwaway_database() -> str:
    name = f"haven_bench_{secrets.token_hex(6)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return create_engine(ADMIN_URL).url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = create_engine(url).url.database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def settings_for(database_url: str, twilio_url: str) -> tuple[dict, Settings]:
    env = {
        "HAVEN_ENV": "test",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATA_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "UNLOCK_CODE": "2468",
        "PROXY_HOPS": "1",
        "TIME_ZONE": "America/Chicago",
    }
    settings = Settings.from_env(
        env
        | {
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "t" * 32,
            "TWILIO_FROM_NUMBER": "+15005550001",
        }
    )
    return env, settings


def prepare(settings: Settings) -> None:
    """Schema, and one advocate on shift all week who speaks Spanish, with a phone."""
    from alembic import command

    command.upgrade(alembic_config(settings.database_url), "head")
    app = create_app(settings)
    with session_scope(app) as session:
        from webapp.accounts import operations
        from webapp.accounts.passwords import PasswordHasher

        user = operations.create_user(
            session,
            PasswordHasher(settings),
            email="advocate@bench.test",
            password="lantern-river-stone-1987",  # noqa: S106 - a throwaway bench account
            roles=["advocate"],
            now=datetime.now(UTC),
        )
        set_languages_and_skills(session, user.id, ["es"], [])
        add_shifts(session, user.id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC")
        staffing.set_phone(session, user.id, "+12175550199")
    app.extensions["db.engine"].dispose()


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    environment = {**os.environ, **env, "PORT": str(port), "WEB_CONCURRENCY": "2"}
    command = [
        str(VENV / "bin" / "gunicorn"),
        "-c",
        "python:webapp.gunicorn_conf",
        "webapp:create_app()",
    ]
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()  # noqa: S310
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def unlocked_sessions(base: str, count: int) -> list[tuple[str, str]]:
    """(cookie header, CSRF token) of survivors who typed the code."""
    sessions = []
    for n in range(count):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        address = {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250 + 1}"}
        start = urllib.request.Request(base + "/", headers=address)
        page = opener.open(start).read().decode()
        form = urllib.parse.urlencode({"csrf_token": CSRF.search(page)[1], "q": "2468"}).encode()
        typed = urllib.request.Request(base + "/", data=form, headers=address)
        opener.open(typed).close()
        call = urllib.request.Request(base + "/call", headers=address)
        page = opener.open(call).read().decode()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        sessions.append((cookie, CSRF.search(page)[1]))
    return sessions


def call_form(csrf: str, ticket: str) -> bytes:
    fields = [
        ("csrf_token", csrf),
        ("ticket", ticket),
        ("number", "(217) 555-0142"),
        ("windows-0-start", "0"),
        ("windows-0-end", "1440"),
        ("time_zone", "America/Chicago"),
        ("language", "es"),
        ("topic", ""),
        ("voicemail", "no"),
        ("if_dropped", "next_window"),
    ] + [("windows-0-days", str(day)) for day in range(7)]
    return urllib.parse.urlencode(fields).encode()


async def post(port: int, body: bytes, cookie: str, address: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /call HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"X-Forwarded-For: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1]) if status_line else 0


async def offer(port: int, rate: float, seconds: float, sessions, secret_key: str) -> dict:
    """Start each request on schedule (open loop); collect statuses and latencies."""
    results: list[tuple[int, float, str]] = []
    tickets: list[str] = []

    async def one(body: bytes, cookie: str, address: str, ticket: str) -> None:
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(post(port, body, cookie, address), timeout=30)
        except (OSError, TimeoutError):
            status = 0
        results.append((status, time.perf_counter() - started, ticket))

    tasks, start, n = [], time.perf_counter(), 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = start + n / rate
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        cookie, csrf = sessions[n % len(sessions)]
        ticket = new_ticket(secret_key)
        tickets.append(ticket)
        body = call_form(csrf, ticket)
        address = f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"
        tasks.append(asyncio.create_task(one(body, cookie, address, ticket)))
        if random.random() < REPLAYED:  # noqa: S311 - a double tap, not a secret
            tasks.append(asyncio.create_task(one(body, cookie, address, ticket)))
        n += 1
    await asyncio.gather(*tasks)
    return {"offered": n, "elapsed": elapsed, "results": results}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def report(options, run, keys, alerts, fake, secret_key) -> None:
    statuses = [status for status, _seconds, _ticket in run["results"]]
    stored = set(keys)
    answered = {ticket_key(secret_key, t) for status, _s, t in run["results"] if status == 303}
    latencies = [seconds for status, seconds, _ticket in run["results"] if status == 303]
    delays = [
        fake.received_at[sid] - made.timestamp() for made, sid in alerts if sid in fake.received_at
    ]
    held = sum(status == 303 for status in statuses) / run["elapsed"]
    others = Counter(status for status in statuses if status != 303)
    rate_verdict = "MET" if held >= GOALS["rate"] * 0.98 else "MISSED"
    p50, p95 = (percentile(latencies, q) * 1000 for q in (0.5, 0.95))
    alert_p50, alert_p95 = (percentile(delays, q) for q in (0.5, 0.95))
    alert_verdict = "MET" if alert_p95 <= GOALS["alert_p95_s"] else "MISSED"
    lines = [
        f"Callback intake: gunicorn, 2 workers, PostgreSQL; offered {options.rate:.0f} forms/s "
        f"for {run['elapsed']:.0f} s, {REPLAYED:.0%} of them sent twice",
        f"  requests {len(statuses)}; answered with the receipt "
        f"{len(statuses) - sum(others.values())}; others {dict(others)}",
        f"  held {held:.1f}/s against the goal {GOALS['rate']:.0f}/s: {rate_verdict}",
        f"  stored {len(keys)}; lost (answered, not stored) {len(answered - stored)}; "
        f"duplicated {len(keys) - len(stored)}",
        f"  answer time p50 {p50:.0f} ms, p95 {p95:.0f} ms",
        f"Alerts ({WORKERS} outbox workers): {len(alerts)} queued, {len(delays)} received",
        f"  commit -> Twilio p50 {alert_p50:.2f} s, p95 {alert_p95:.2f} s "
        f"(goal p95 <= {GOALS['alert_p95_s']:.1f} s): {alert_verdict}",
    ]
    print("\n".join(lines))


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Twilio's access lines
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=GOALS["rate"])
    parser.add_argument("--seconds", type=float, default=60)
    options = parser.parse_args()
    fake = FakeTwilio()
    database = throwaway_database()
    try:
        with LiveServer(fake) as twilio:
            env, settings = settings_for(database, twilio.url)
            prepare(settings)
            port = free_port()
            server = start_gunicorn(env, port)
            worker_app = create_app(settings)
            http = LocalTwilioHttpClient(twilio.url)
            sender = sms_sender_for(settings, http_client=http)
            stopping = threading.Event()

            def work() -> None:
                while not stopping.is_set():
                    if not run_pass(worker_app, sender).total:
                        stopping.wait(0.5)

            # As the Procfile's worker scaled to WORKERS processes (PostgreSQL's SKIP LOCKED).
            workers = [threading.Thread(target=work, daemon=True) for _ in range(WORKERS)]
            try:
                sessions = unlocked_sessions(f"http://127.0.0.1:{port}", SESSIONS)
                for worker in workers:
                    worker.start()
                run = asyncio.run(
                    offer(port, options.rate, options.seconds, sessions, settings.secret_key)
                )
                time.sleep(3)  # the last alerts
            finally:
                stopping.set()
                for worker in workers:
                    worker.join(timeout=10)
                os.killpg(server.pid, signal.SIGTERM)
                try:  # gunicorn lets its threads finish what they hold (graceful_timeout)
                    server.wait(timeout=45)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=10)
            with session_scope(worker_app) as session:
                keys = list(session.scalars(select(CallbackRequest.idempotency_key)))
                alerts = session.execute(
                    select(OutboxMessage.created_at, OutboxMessage.provider_id)
                ).all()
            worker_app.extensions["db.engine"].dispose()
            http.close()
    finally:
        drop_database(database)
    report(options, run, keys, alerts, fake, settings.secret_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
